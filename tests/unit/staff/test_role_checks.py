"""Every staff entry point checks the role on every call (table-driven), refusals are polite and audited."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from handlers.messages import Attachment, Incoming
from handlers.staff.flow import StaffFlow
from handlers.staff.models import AuditEntry
from tests.unit.staff.helpers import ADMIN, STAFF, StaffEnv, make_env, texts

STRANGER = "555"
NOTICE = "Hỗ trợ tiền điện\n\nMỗi hộ nghèo được hỗ trợ tiền điện 46.000 đồng mỗi tháng.\n"
REFUSED = "chỉ dành cho cán bộ"
ADMIN_ONLY = "chỉ quản trị viên"


@pytest.fixture()
def env(tmp_path: Path) -> StaffEnv:
    env = make_env(tmp_path)
    env.upload("notice.txt", NOTICE.encode(), user=ADMIN)
    out = env.send("thời tiết hôm nay thế nào", user="1")
    assert any(c.data.startswith("ask:fwd:") for r in out for c in r.all_choices())
    return env


def doc_id(env: StaffEnv) -> str:
    return env.kb.list_documents()[0].doc_id


def group_id(env: StaffEnv) -> int:
    return env.staff.unanswered()[0].id


# (entry, who may use it: "staff" or "admin")
COMMANDS = [
    ("/staff", "staff"), ("/staff list", "staff"), ("/staff add 777 staff", "admin"),
    ("/staff remove 901", "admin"), ("/docs", "staff"), ("/docs 2", "staff"), ("/doc {doc}", "staff"),
    ("/remove {doc}", "staff"), ("/reindex", "staff"), ("/unanswered", "staff"), ("/stats", "staff"),
    ("/stats 30", "staff"), ("/audit", "staff"),
]
BUTTONS = [
    "staff:menu", "staff:docs:0", "staff:doc:{doc}", "staff:rm:{doc}", "staff:rmy:{doc}", "staff:un",
    "staff:ans:{group}", "staff:st:7", "staff:rx", "staff:ls", "menu:staff",
]


def _fill(env: StaffEnv, template: str) -> str:
    return template.format(doc=doc_id(env), group=group_id(env))


def _unchanged(env: StaffEnv, docs: int, roles: int, open_q: int) -> None:
    assert env.kb.count_documents() == docs
    assert len(env.roles.list()) == roles
    assert len(env.staff.unanswered()) == open_q


@pytest.mark.parametrize(("command", "needs"), COMMANDS)
def test_commands_refused_to_strangers_and_admin_commands_to_staff(env: StaffEnv, command: str, needs: str) -> None:
    text = _fill(env, command)
    assert REFUSED in texts(env.send(text, user=STRANGER))
    _unchanged(env, 1, 2, 1)
    as_staff = texts(env.send(text, user=STAFF))
    if needs == "admin":
        assert ADMIN_ONLY in as_staff
        _unchanged(env, 1, 2, 1)
        assert ADMIN_ONLY not in texts(env.send(text, user=ADMIN))
    else:
        assert REFUSED not in as_staff and ADMIN_ONLY not in as_staff


@pytest.mark.parametrize("button", BUTTONS)
def test_buttons_refused_to_strangers_and_audited(env: StaffEnv, button: str) -> None:
    data = _fill(env, button)
    assert REFUSED in texts(env.press(data, user=STRANGER))
    _unchanged(env, 1, 2, 1)
    with Session(env.engine) as s:
        last = s.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()  # type: ignore[union-attr]
    if button != "menu:staff":  # the dialog refuses the menu entry itself
        assert last is not None and last.outcome == "refused" and last.actor.startswith("u:")
    assert REFUSED not in texts(env.press(data, user=STAFF))


def test_role_is_checked_again_on_every_call(env: StaffEnv) -> None:
    assert REFUSED not in texts(env.send("/docs", user=STAFF))
    env.send(f"/staff remove {STAFF}", user=ADMIN)
    assert REFUSED in texts(env.send("/docs", user=STAFF))
    assert REFUSED in texts(env.press("staff:docs:0", user=STAFF))
    assert "quyền cán bộ" in texts(env.upload("x.txt", NOTICE.encode(), user=STAFF))
    env.send(f"/staff add {STAFF}", user=ADMIN)
    assert REFUSED not in texts(env.send("/docs", user=STAFF))


def test_bootstrap_admin_cannot_be_removed_from_the_chat(env: StaffEnv) -> None:
    out = env.send(f"/staff remove {ADMIN}", user=ADMIN)
    assert "ADMIN_IDS" in texts(out) and env.roles.is_admin("telegram", ADMIN)


def test_admin_adds_and_removes_staff(env: StaffEnv) -> None:
    assert "777" in texts(env.send("/staff add 777 admin", user=ADMIN)) and env.roles.is_admin("telegram", "777")
    assert not env.roles.is_staff("zalo_bot", "777")  # the chat's channel, not every channel
    assert "777" in texts(env.send("/staff remove 777", user=ADMIN)) and not env.roles.is_staff("telegram", "777")
    assert "Cách dùng" in texts(env.send("/staff add", user=ADMIN))
    assert "Cách dùng" in texts(env.send("/staff add 777 boss", user=ADMIN))
    actions = [e.action for e in env.staff.audit_entries(10, actor=ADMIN)]
    assert actions[:2] == ["role_remove", "role_add"]


@pytest.mark.parametrize("command", [c for c, _ in COMMANDS])
def test_the_flow_itself_refuses_commands_without_the_dialog_gate(env: StaffEnv, command: str) -> None:
    """Defence in depth: even if a router forgot the staff_only gate, the flow refuses."""
    from handlers.flow import Ctx

    text = _fill(env, command)
    msg = Incoming("telegram", STRANGER, STRANGER, text=text)
    ctx = Ctx(msg, "en", env.dialog.catalog, env.dialog.services, {}, datetime.now(UTC))
    out = StaffFlow().on_command(ctx, msg.command or "", msg.command_args)
    assert "staff only" in texts(out)
    assert env.staff.audit_entries(1)[0].outcome == "refused"
    doc = Incoming("telegram", STRANGER, STRANGER, kind="document", attachment=Attachment("f", "a.txt", None, 10))
    assert "staff role" in texts(StaffFlow().on_document(Ctx(doc, "en", env.dialog.catalog, env.dialog.services,
                                                                {}, datetime.now(UTC))))


def test_document_without_any_role_store_is_refused_not_crashed() -> None:
    from handlers.dialog import Dialog
    from handlers.flow import Services
    from handlers.i18n import Catalog
    from handlers.state import MemoryStateStore

    dialog = Dialog(Catalog.load(), Services(), [StaffFlow()], MemoryStateStore())
    doc = Incoming("telegram", "1", "1", kind="document", attachment=Attachment("f", "a.pdf", None, 10))
    assert "quyền cán bộ" in texts(dialog.handle(doc))


def test_on_forbidden_hook_answers_politely_and_audits(env: StaffEnv) -> None:
    from handlers.flow import Ctx

    msg = Incoming("telegram", STRANGER, STRANGER, text="/stats")
    ctx = Ctx(msg, "ru", env.dialog.catalog, env.dialog.services, {}, datetime.now(UTC))
    assert "только для сотрудников" in texts(StaffFlow().on_forbidden(ctx, "stats"))
    entry = env.staff.audit_entries(1)[0]
    assert (entry.action, entry.outcome) == ("stats", "refused") and entry.actor.startswith("u:")

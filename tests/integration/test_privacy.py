"""Pseudonyms that cannot be reversed (issue 11 item 4), attacked the way the tester did: the whole
application (App, real SQLite, the real dialog) is used by several Telegram users who ask, forward
to staff, opt in and book; then the database is read like an analyst with a copy of it would."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from bookings.service import Requester
from bot.app import App
from bot.cli import app as cli
from bot.settings import load_settings
from handlers.messages import Incoming, Reply

USERS = ("7301000001", "7301000002", "7301000003")
STAFF_CHAT = "-1007301999"
ANALYTICS = ("query_log", "eligibility_result")
OPERATIONAL = ("handoff", "staff_answer_optin", "bk_booking", "bk_request_log", "dialog_state")
KNOWN_SALTS = (b"", b"civicbot-dev-salt", b"pepper")
CATEGORIES = {"channel", "lang", "status", "program", "version", "outcome", "top_doc_ids", "event"}
"""Columns of a few shared values (every row says "telegram"): they identify no one."""


@pytest.fixture()
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICBOT_EMBEDDER", "hash")
    monkeypatch.setenv("STAFF_CHAT_ID", STAFF_CHAT)
    for key in ("PSEUDONYM_KEY", "PSEUDONYM_SALT", "REDIS_URL", "DATABASE_URL", "RETENTION_DAYS",
                "LLM_BASE_URL", "LLM_MODEL", "TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN"):
        monkeypatch.delenv(key, raising=False)


def _choices(replies: list[Reply]) -> list[str]:
    return [c.data for r in replies for c in r.all_choices()]


def use_the_bot(app: App) -> None:
    """Every user asks an unanswerable question, forwards it to staff, opts in, and books a room."""
    dialog = app.dialog
    n = 0

    def send(uid: str, **kw: Any) -> list[Reply]:
        nonlocal n
        n += 1
        fields: dict[str, Any] = {"channel": "telegram", "chat_id": uid, "user_id": uid, "update_id": str(n)}
        fields.update(kw)
        return list(dialog.handle(Incoming(**fields)))

    svc = app.bookings
    svc.add_room("hall", 20, hours="00:00-23:59", days="mon-sun", max_hours=4, min_notice_hours=1)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    for i, uid in enumerate(USERS):
        send(uid, text="/start", language_code="vi")
        replies = send(uid, text=f"Thủ tục xin giấy phép nuôi chim cánh cụt số {i} ở Hà Nội thế nào?")
        fwd = next(d for d in _choices(replies) if d.startswith("ask:fwd:"))
        notify = next(d for d in _choices(replies) if d.startswith("staff:n:"))
        forwarded = send(uid, kind="callback", callback=fwd, text=None)
        assert any(r.target is not None for r in forwarded)
        send(uid, kind="callback", callback=notify, text=None)
        send(uid, text="/menu")
        svc.request(room="hall", start=start + timedelta(hours=5 * i), end=start + timedelta(hours=5 * i + 1),
                    org="Green Steppe", contact=f"Person {i}", phone="+7 701 123 45 6" + str(i), attendees=5,
                    purpose="training", requester=Requester("telegram", uid, uid, "vi"))
        app.eligibility_log.record(channel="telegram", user_hash=_ctx_hash(app, uid), program="vn-poverty",
                                   version="1", outcome="eligible", lang="vi", check_date=date.today(),
                                   verified=True)


def _ctx_hash(app: App, uid: str) -> str:
    from handlers.flow import Ctx

    msg = Incoming("telegram", uid, uid, text="x")
    return Ctx(msg, "vi", app.dialog.catalog, app.dialog.services, {}, datetime.now(UTC), app.dialog.salt).user_hash


def _cells(engine: Engine, table: str) -> dict[str, set[str]]:
    """Every text-like value of a table, by column (timestamps and booleans left out)."""
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM {table}")).mappings().all()
    out: dict[str, set[str]] = {}
    for row in rows:
        for col, value in row.items():
            if value is None or isinstance(value, (bool, datetime, date, float)):
                continue
            out.setdefault(col, set()).add(str(value))
    return out


@pytest.fixture()
def used_app(tmp_path: Path, env: None) -> Iterator[App]:
    app = App(load_settings(data_dir=tmp_path))
    use_the_bot(app)
    yield app
    app.engine.dispose()


def test_analytics_cannot_be_joined_to_a_raw_id(used_app: App) -> None:
    engine = used_app.engine
    tables = set(inspect(engine).get_table_names())
    analytics = {t: _cells(engine, t) for t in ANALYTICS}
    operational = {t: _cells(engine, t) for t in OPERATIONAL if t in tables}
    assert analytics["query_log"]["user_hash"] and operational["handoff"]["chat_id"] >= set(USERS)

    # 1. no raw id inside any analytics value
    for table, cols in analytics.items():
        for col, values in cols.items():
            leaked = [v for v in values for uid in USERS if uid in v]
            assert not leaked, f"{table}.{col} holds a raw id"
    # 2. no value that identifies a row (≥ 8 characters) is shared by an analytics and an operational column:
    #    no user pseudonym, no question text, no ref, so no join from a question to a chat id
    for a_table, a_cols in analytics.items():
        for a_col, a_values in a_cols.items():
            if a_col in CATEGORIES:
                continue
            long_a = {v for v in a_values if len(v) >= 8}
            for o_table, o_cols in operational.items():
                for o_col, o_values in o_cols.items():
                    shared = long_a & o_values
                    assert not shared, f"{a_table}.{a_col} joins {o_table}.{o_col}"
    # 3. the ids of forwarded questions are not stored next to a chat id
    query_ids = analytics["query_log"]["id"]
    for col in ("query_id", "question", "user_hash"):
        assert not (operational["handoff"].get(col, set()) & query_ids), col
    # 4. dialog-state keys hold no raw id
    assert not [k for k in operational["dialog_state"].get("key", set()) for uid in USERS if uid in k]
    # 5. a pseudonym cannot be recomputed from a raw id with a guessable key
    guesses = {hmac.new(salt, f"telegram:{uid}".encode(), hashlib.sha256).hexdigest()[:32]
               for salt in KNOWN_SALTS for uid in USERS}
    assert not guesses & analytics["query_log"]["user_hash"]
    assert not guesses & analytics["eligibility_result"]["user_hash"]


def test_the_staff_flows_still_link_a_handoff_to_its_question(used_app: App) -> None:
    """What the attacker cannot do, the application can (with the key): a staff answer to a forwarded
    question reaches the opted-in chats, and a staff reply resolves the question."""
    logs = used_app.logs
    logs.set_handoff_message(1, "555")
    view = logs.find_handoff("555")
    assert view is not None and view.chat_id == USERS[0]
    logs.mark_replied(view.id)
    with used_app.engine.connect() as conn:
        resolved = conn.execute(text("SELECT id FROM query_log WHERE resolved")).scalars().all()
    assert resolved == [1]  # the question user 0 forwarded, found through the keyed ref
    staff = used_app.staff
    groups = staff.unanswered()
    assert len(groups) == 1 and groups[0].count == 2  # the two other wordings are one open question
    result = staff.answer(groups[0].id, "Cần nộp đơn tại UBND.", actor="cli")
    assert sorted((r.channel, r.chat_id) for r in result.relays) == [("telegram", u) for u in USERS[1:]]


def test_forget_removes_a_person_and_audits_without_the_raw_id(used_app: App, tmp_path: Path) -> None:
    victim, other = USERS[1], USERS[0]
    used_app.engine.dispose()
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "privacy", "forget", f"telegram:{victim}"])
    assert result.exit_code == 0, result.output
    assert "forgotten" in result.stdout
    engine = used_app.engine
    victim_hash, other_hash = _ctx_hash(used_app, victim), _ctx_hash(used_app, other)
    with engine.connect() as conn:
        def count(sql: str, **params: Any) -> int:
            return int(conn.execute(text(sql), params).scalar() or 0)

        assert count("SELECT count(*) FROM query_log WHERE user_hash = :h", h=victim_hash) == 0
        assert count("SELECT count(*) FROM query_log WHERE user_hash = :h", h=other_hash) == 1
        assert count("SELECT count(*) FROM eligibility_result WHERE user_hash = :h", h=victim_hash) == 0
        assert count("SELECT count(*) FROM handoff WHERE chat_id = :c", c=victim) == 0
        assert count("SELECT count(*) FROM handoff WHERE chat_id = :c", c=other) == 1
        assert count("SELECT count(*) FROM staff_answer_optin WHERE chat_id = :c", c=victim) == 0
        assert count("SELECT count(*) FROM bk_booking WHERE requester_id = :c OR chat_id = :c OR phone LIKE '%45 61'",
                     c=victim) == 0
        assert count("SELECT count(*) FROM bk_booking WHERE status = 'cancelled' AND contact_name = ''") == 1
        assert count("SELECT count(*) FROM bk_request_log WHERE actor_id = :c OR contact_name = 'Person 1'",
                     c=victim) == 0
        assert count("SELECT count(*) FROM bk_booking WHERE requester_id = :c", c=other) == 1
        audit = conn.execute(text("SELECT actor, action, target, details FROM staff_audit "
                                  "WHERE action = 'privacy_forget'")).all()
    assert len(audit) == 1 and all(victim not in str(v) for v in audit[0])
    prefix = used_app.pseudonyms.state_prefix("telegram", victim)
    with engine.connect() as conn:
        keys = [k for (k,) in conn.execute(text("SELECT key FROM dialog_state"))]
    assert keys and not [k for k in keys if k.startswith(prefix)]
    # the person can start again
    assert used_app.dialog.handle(Incoming("telegram", victim, victim, text="/start", update_id="again"))


def test_forget_refuses_a_user_without_channel(tmp_path: Path, env: None) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "privacy", "forget", "7301000001"])
    assert result.exit_code != 0 and "CHANNEL:ID" in result.output


def test_retention_purge_on_demand(used_app: App, tmp_path: Path) -> None:
    engine = used_app.engine
    old = datetime.now(UTC) - timedelta(days=200)
    with engine.begin() as conn:
        conn.execute(text("UPDATE query_log SET created_at = :t WHERE id = 1"), {"t": old})
        conn.execute(text("UPDATE handoff SET created_at = :t WHERE id = 1"), {"t": old})
        conn.execute(text("UPDATE staff_answer_optin SET created_at = :t"), {"t": old})
        conn.execute(text("UPDATE eligibility_result SET created_at = :t WHERE id = 1"), {"t": old})
        conn.execute(text("UPDATE dialog_state SET updated_at = :t"), {"t": old})
        conn.execute(text("UPDATE bk_booking SET start_utc = :s, end_utc = :t WHERE id = 1"),
                     {"s": old - timedelta(hours=1), "t": old})
        conn.execute(text("UPDATE bk_request_log SET created_at = :t WHERE booking_id = 1"), {"t": old})
    engine.dispose()
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "privacy", "purge", "--json"])
    assert result.exit_code == 0, result.output
    assert '"retention_days": 180' in result.stdout
    with engine.connect() as conn:
        def one(sql: str) -> Any:
            return conn.execute(text(sql)).scalar()

        assert one("SELECT count(*) FROM query_log") == 2
        assert one("SELECT count(*) FROM handoff") == 2
        assert one("SELECT count(*) FROM staff_answer_optin") == 0
        assert one("SELECT count(*) FROM dialog_state") == 0
        assert one("SELECT user_hash FROM eligibility_result WHERE id = 1") == ""
        assert one("SELECT count(*) FROM eligibility_result WHERE user_hash != ''") == 2
        assert one("SELECT phone || contact_name || chat_id || requester_id FROM bk_booking WHERE id = 1") == ""
        assert one("SELECT count(*) FROM bk_booking WHERE phone != ''") == 2
        assert one("SELECT count(*) FROM bk_request_log WHERE booking_id = 1 AND phone != ''") == 0


def test_pseudonym_key_file_is_private_and_never_logged(tmp_path: Path, env: None,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    from bot.keys import KEY_FILE, PseudonymKeyError, load_pseudonym_key

    caplog.set_level(logging.DEBUG)
    key = load_pseudonym_key(None, tmp_path)
    path = tmp_path / KEY_FILE
    assert path.stat().st_mode & 0o777 == 0o600 and len(key) >= 32
    assert load_pseudonym_key(None, tmp_path) == key  # stable across restarts
    path.chmod(0o644)
    assert load_pseudonym_key(None, tmp_path) == key and path.stat().st_mode & 0o777 == 0o600
    assert key.decode() not in caplog.text
    assert load_pseudonym_key("a-configured-key-0123", tmp_path) == b"a-configured-key-0123"
    with pytest.raises(PseudonymKeyError):
        load_pseudonym_key("short", tmp_path)
    app = App(load_settings(data_dir=tmp_path))
    assert app.pseudonym_key == key and key.decode() not in repr(app.pseudonyms)


def test_migration_rekeys_existing_rows(tmp_path: Path) -> None:
    """A database written before pseudonymized keys: upgrading with the key converts its rows."""
    from alembic import command
    from alembic.config import Config

    from bot.db import MIGRATIONS_DIR, create_schema, make_engine
    from handlers.pseudonym import Pseudonyms

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config(str(MIGRATIONS_DIR.parent / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        now = datetime.now(UTC)
        conn.execute(text("INSERT INTO dialog_state (key, data, updated_at) VALUES "
                          "('telegram:7301000001:7301000001', '{\"lang\": \"ru\"}', :t)"), {"t": now})
        conn.execute(text("INSERT INTO query_log (id, created_at, channel, user_hash, lang, question, top_doc_ids, "
                          "confidence, abstained, latency_ms, handed_off, resolved) VALUES "
                          "(5, :t, 'telegram', 'h', 'vi', 'q?', '[]', 0, 1, 1, 1, 0)"), {"t": now})
        conn.execute(text("INSERT INTO handoff (id, created_at, channel, chat_id, user_hash, lang, question, "
                          "query_id, status, replies) VALUES (3, :t, 'telegram', '7301000001', 'h', 'vi', 'q?', 5, "
                          "'open', 0)"), {"t": now})
        conn.execute(text("INSERT INTO staff_answer_optin (created_at, query_id, channel, chat_id, lang) VALUES "
                          "(:t, 5, 'telegram', '7301000001', 'vi')"), {"t": now})
    key = b"migration-key-0123456789"
    create_schema(engine, pseudonym_key=key)
    ps = Pseudonyms(key)
    with engine.connect() as conn:
        keys = conn.execute(text("SELECT key FROM dialog_state")).scalars().all()
        handoff = conn.execute(text("SELECT * FROM handoff")).mappings().one()
        ref = conn.execute(text("SELECT handoff_ref FROM query_log WHERE id = 5")).scalar()
        optin = conn.execute(text("SELECT query_ref FROM staff_answer_optin")).scalar()
    assert keys == [ps.state_key("telegram", "7301000001", "7301000001")]
    assert "user_hash" not in handoff and "question" not in handoff and handoff["query_ref"] == ps.ref("q", 5)
    assert ref == ps.ref("h", 3) and optin == ps.ref("q", 5)


def test_the_runner_applies_the_retention_period(used_app: App) -> None:
    import asyncio

    from bot.runner import build_hub, purge_periodically

    old = datetime.now(UTC) - timedelta(days=181)
    with used_app.engine.begin() as conn:
        conn.execute(text("UPDATE handoff SET created_at = :t"), {"t": old})
    hub = build_hub(used_app)

    async def run_once() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(purge_periodically(used_app, hub, stop, interval_s=3600))
        for _ in range(100):
            await asyncio.sleep(0.05)
            with used_app.engine.connect() as conn:
                if not conn.execute(text("SELECT count(*) FROM handoff")).scalar():
                    break
        stop.set()
        await task

    asyncio.run(run_once())
    hub.close()
    with used_app.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM handoff")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM query_log")).scalar() == 3

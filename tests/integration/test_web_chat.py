"""`/web` in the chat (the dialog with real SQLite): staff on every channel get a one-time link in
their language, based on PUBLIC_URL or the local port; anyone else gets a refusal and no link;
`civicbot staff web-link` prints one for staff only. Each is in the audit log."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from bot.app import App
from bot.cli import app as cli
from bot.settings import Settings
from handlers.messages import Incoming
from handlers.roles import UserRef
from handlers.web_auth import WebAuthStore

LINK = re.compile(r"(https?://\S+)/staff/signin/([A-Za-z0-9_-]{40,})")


def _say(app: App, channel: str, user: str, text: str, lang: str | None = None) -> str:
    replies = app.dialog.handle(Incoming(channel, user, user, text=text, language_code=lang))
    return "\n".join(r.text for r in replies)


def test_staff_get_a_working_link_on_every_channel(tmp_path: Path) -> None:
    app = App(Settings(data_dir=tmp_path, embedder="hash", admin_ids="console:local", http_port=8181))
    app.roles.add(UserRef("zalo_bot", "z-77"), "staff")
    app.roles.add(UserRef("telegram", "1001"), "staff")
    store = WebAuthStore(app.engine)
    for channel, user, lang, words in (("console", "local", "vi", "Đường dẫn đăng nhập"),
                                       ("zalo_bot", "z-77", "ru", "ссылка для входа"),
                                       ("telegram", "1001", "ru", "ссылка для входа")):
        reply = _say(app, channel, user, "/web", lang)
        found = LINK.search(reply)
        assert found is not None and words in reply and "10" in reply, reply
        assert found.group(1) == "http://127.0.0.1:8181"
        check = store.check_link(found.group(2))
        assert (check.status, check.channel, check.user_id) == ("ok", channel, user)
    actions = [(e.actor, e.action, e.outcome) for e in app.staff.audit_entries(10)]
    assert ("local", "web_link", "ok") in actions and ("z-77", "web_link", "ok") in actions


def test_anyone_else_is_refused_and_gets_no_link(tmp_path: Path) -> None:
    app = App(Settings(data_dir=tmp_path, embedder="hash", public_url="https://bot.example.org"))
    reply = _say(app, "telegram", "555", "/web", "ru")
    assert reply == "Консоль доступна только сотрудникам." and "signin" not in reply
    app.roles.add(UserRef("telegram", "555"), "staff")  # on another channel the same id is someone else
    assert "signin" not in _say(app, "zalo_bot", "555", "/web", "vi")
    assert LINK.search(_say(app, "telegram", "555", "/web")).group(1) == "https://bot.example.org"  # type: ignore[union-attr]
    refused = [e for e in app.staff.audit_entries(10) if e.outcome == "refused"]
    assert [e.action for e in refused] == ["web_link", "web_link"]
    assert all(e.actor.startswith("u:") and "555" not in e.actor for e in refused)  # pseudonyms, no raw id


def test_the_cli_prints_links_for_staff_only(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"CIVICBOT_EMBEDDER": "hash", "ADMIN_IDS": "telegram:42", "PUBLIC_URL": "https://bot.example.org/"}
    done = runner.invoke(cli, ["--data-dir", str(tmp_path), "staff", "web-link", "telegram:42"], env=env)
    assert done.exit_code == 0, done.output
    found = LINK.search(done.output)
    assert found is not None and found.group(1) == "https://bot.example.org"
    refused = runner.invoke(cli, ["--data-dir", str(tmp_path), "staff", "web-link", "telegram:43"], env=env)
    assert refused.exit_code == 1 and "no staff role" in refused.output and "signin" not in refused.output
    bad = runner.invoke(cli, ["--data-dir", str(tmp_path), "staff", "web-link", "43"], env=env)
    assert bad.exit_code == 1 and "channel is missing" in bad.output

"""Issue 11 item 2: a role belongs to (channel, user id), never to a bare id shared by two channels."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.app import App
from bot.cli import app as cli
from bot.settings import load_settings
from handlers.roles import LEGACY, BadUserRef, RoleStore, UserRef, parse_user
from handlers.staff.models import AuditEntry
from tests.unit.staff.helpers import ADMIN, StaffEnv, make_env, texts

runner = CliRunner()
REFUSED = "chỉ dành cho cán bộ"


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIVICBOT_EMBEDDER", "hash")
    monkeypatch.setenv("ADMIN_IDS", "telegram:900")
    for name in ("DATABASE_URL", "ZALO_BOT_TOKEN", "ZALO_OA_APP_ID", "ZALO_OA_SECRET_KEY", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_grant_on_telegram_does_not_make_the_same_zalo_id_staff(data_dir: Path) -> None:
    assert run(data_dir, "staff", "add", "telegram:1001")[0] == 0
    roles = App(load_settings(data_dir=data_dir)).roles
    assert roles.is_staff("telegram", "1001")
    assert not roles.is_staff("zalo_bot", "1001") and not roles.is_staff("zalo_oa", "1001")


def test_cli_refuses_a_bare_id_naming_the_accepted_forms(data_dir: Path) -> None:
    code, _, err = run(data_dir, "staff", "add", "1001")
    assert code != 0 and "channel is missing" in err
    assert all(form in err for form in ("telegram", "zalo_bot", "zalo_oa", "console"))
    code, out, _ = run(data_dir, "staff", "list", "--json")
    assert [r["user"] for r in json.loads(out)] == ["telegram:900"]  # nothing was granted


def test_zalo_alias_only_when_one_zalo_channel_is_configured(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(data_dir, "staff", "add", "zalo:77")
    assert code != 0 and "ambiguous" in err
    monkeypatch.setenv("ZALO_BOT_TOKEN", "12345:zalo-bot-token")
    assert run(data_dir, "staff", "add", "zalo:77")[0] == 0
    roles = App(load_settings(data_dir=data_dir)).roles
    assert roles.is_staff("zalo_bot", "77") and not roles.is_staff("zalo_oa", "77")


def test_admin_ids_take_the_channel_and_bare_legacy_entries_are_telegram_only(
    caplog: pytest.LogCaptureFixture, tmp_path: Path,
) -> None:
    from bot.db import create_schema, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    create_schema(engine)
    with caplog.at_level(logging.WARNING):
        roles = RoleStore(engine, ["zalo_bot:55", "900", "nochannel:1", "zalo:3"], configured=["telegram"])
    assert roles.is_admin("zalo_bot", "55") and not roles.is_admin("telegram", "55")
    assert roles.is_admin("telegram", "900") and not roles.is_staff("zalo_bot", "900")
    assert "ADMIN_IDS entry 900 has no channel: taken as telegram:900" in caplog.text
    assert not roles.is_staff("telegram", "nochannel:1") and not roles.is_staff("zalo_bot", "3")
    assert {str(r) for r in roles.bootstrap_admins} == {"zalo_bot:55", "telegram:900"}
    assert "ADMIN_IDS entry ignored" in caplog.text and "unknown channel 'nochannel'" in caplog.text


def test_parse_user_forms() -> None:
    assert parse_user("telegram:1001") == UserRef("telegram", "1001")
    assert parse_user("ZALO_OA:abc") == UserRef("zalo_oa", "abc")
    assert parse_user("42", default_channel="console") == UserRef("console", "42")
    with pytest.raises(BadUserRef):
        parse_user("42")
    with pytest.raises(BadUserRef):
        parse_user("legacy:42")
    with pytest.raises(BadUserRef):
        parse_user("viber:42", default_channel="telegram")
    assert parse_user("legacy:42", allow_legacy=True) == UserRef(LEGACY, "42")


@pytest.fixture()
def env(tmp_path: Path) -> StaffEnv:
    return make_env(tmp_path)


def test_in_chat_staff_add_defaults_to_the_chat_channel_and_checks_use_the_channel(env: StaffEnv) -> None:
    assert "telegram:777" in texts(env.send("/staff add 777", user=ADMIN))
    assert "zalo_oa:abc" in texts(env.send("/staff add zalo_oa:abc", user=ADMIN))
    assert REFUSED not in texts(env.send("/docs", user="777"))
    assert REFUSED in texts(env.send("/docs", user="777", channel="zalo_bot"))
    assert REFUSED in texts(env.send("/docs", user="abc"))  # telegram:abc is not zalo_oa:abc
    assert REFUSED not in texts(env.send("/docs", user="abc", channel="zalo_oa"))
    # the admin of ADMIN_IDS (bare → telegram) is no admin on Zalo
    assert REFUSED in texts(env.send("/staff add 1 admin", user=ADMIN, channel="zalo_bot"))
    listing = texts(env.send("/staff list", user=ADMIN))
    assert "telegram:777" in listing and "zalo_oa:abc" in listing


def test_unconfirmed_rows_are_listed_grant_nothing_and_can_be_confirmed(env: StaffEnv) -> None:
    from sqlmodel import Session, select

    from handlers.models import Role

    with Session(env.engine) as s:
        s.add(Role(channel=LEGACY, user_id="555", role="staff", added_by="cli:old"))
        s.commit()
    assert REFUSED in texts(env.send("/docs", user="555"))
    listing = texts(env.send("/staff list", user=ADMIN))
    assert "legacy:555" in listing and "⚠" in listing
    assert "555" in texts(env.send("/staff confirm telegram:555", user=ADMIN))
    assert REFUSED not in texts(env.send("/docs", user="555"))
    assert [r.channel for r in env.roles.list() if r.user_id == "555"] == ["telegram"]
    with Session(env.engine) as s:
        last = s.exec(select(AuditEntry).where(AuditEntry.action == "role_confirm")).one()
    assert last.target == "telegram:555" and last.outcome == "ok"

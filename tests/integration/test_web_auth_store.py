"""Sign-in links and console sessions in SQL (handlers/web_auth.py), on SQLite and PostgreSQL:
a link works once even when two replicas race for it, links and sessions expire, only hashes are
stored, and removing a role ends the user's sessions in the same transaction."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.db import create_schema, make_engine
from handlers.roles import RoleStore, UserRef
from handlers.web_auth import LINK_TTL, WebAuthStore, token_hash
from tests.fakes.pg import temp_schema


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'web.db'}")
        create_schema(eng)
        yield eng
        eng.dispose()
        return
    with temp_schema("web", pool_size=10) as eng:
        create_schema(eng)
        yield eng


def test_a_link_opens_one_session_once(engine: Engine) -> None:
    clock = Clock()
    store = WebAuthStore(engine, clock=clock)
    token = store.issue_link("telegram", "42", "ru")
    assert store.check_link(token).status == "ok"
    assert store.check_link(token).status == "ok"  # looking does not use it (link previews)
    check, signed = store.redeem(token)
    assert check.status == "ok" and signed is not None and signed.session.lang == "ru"
    again, none = store.redeem(token)
    assert again.status == "used" and none is None
    assert store.check_link(token).status == "used"
    live = store.session(signed.token)
    assert live is not None and (live.channel, live.user_id) == ("telegram", "42")
    with engine.connect() as conn:  # only hashes are kept
        stored = " ".join(str(v) for row in conn.execute(text("SELECT * FROM web_session")).all() for v in row)
        stored += " ".join(str(v) for row in conn.execute(text("SELECT * FROM web_signin_link")).all() for v in row)
    assert token not in stored and signed.token not in stored and token_hash(signed.token) in stored


def test_two_replicas_racing_for_one_link_open_one_session(engine: Engine) -> None:
    token = WebAuthStore(engine).issue_link("telegram", "42")
    replicas = [WebAuthStore(engine) for _ in range(6)]
    results: list[bool] = []
    start = threading.Barrier(len(replicas))

    def take(store: WebAuthStore) -> None:
        start.wait()
        results.append(store.redeem(token)[1] is not None)

    threads = [threading.Thread(target=take, args=(s,)) for s in replicas]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM web_session")).scalar_one() == 1


def test_links_expire_after_ten_minutes_and_unknown_ones_are_named(engine: Engine) -> None:
    clock = Clock()
    store = WebAuthStore(engine, clock=clock)
    token = store.issue_link("zalo_bot", "abc")
    clock.now += LINK_TTL - timedelta(seconds=1)
    assert store.check_link(token).status == "ok"
    clock.now += timedelta(seconds=1)
    assert store.check_link(token).status == "expired"
    check, signed = store.redeem(token)
    assert check.status == "expired" and signed is None
    assert store.check_link("no-such-token").status == "unknown"
    assert store.check_link("x" * 500).status == "unknown"
    assert store.redeem("")[0].status == "unknown"


def test_sessions_end_after_inactivity_and_at_their_lifetime(engine: Engine) -> None:
    clock = Clock()
    store = WebAuthStore(engine, idle=timedelta(minutes=30), lifetime=timedelta(hours=2), clock=clock)
    _, signed = store.redeem(store.issue_link("telegram", "42"))
    assert signed is not None
    for _ in range(4):  # active every 29 minutes: alive (activity is noted), 116 minutes in all
        clock.now += timedelta(minutes=29)
        assert store.session(signed.token) is not None
    clock.now = signed.session.created_at + timedelta(hours=2)  # the lifetime, however active
    assert store.session(signed.token) is None
    _, idle = store.redeem(store.issue_link("telegram", "42"))
    assert idle is not None
    clock.now += timedelta(minutes=30)
    assert store.session(idle.token) is None
    with engine.connect() as conn:  # dead sessions are deleted when seen
        assert conn.execute(text("SELECT count(*) FROM web_session")).scalar_one() == 0
    assert store.session(None) is None and store.session("forged") is None


def test_sign_out_and_language(engine: Engine) -> None:
    store = WebAuthStore(engine)
    _, signed = store.redeem(store.issue_link("console", "local", "vi"))
    assert signed is not None
    digest = signed.session.token_hash
    store.set_lang(digest, "en")
    live = store.session(signed.token)
    assert live is not None and live.lang == "en"
    assert store.sign_out(digest) is True
    assert store.session(signed.token) is None and store.sign_out(digest) is False


def test_removing_a_role_ends_the_sessions_and_links_of_that_user_only(engine: Engine) -> None:
    roles = RoleStore(engine)
    store = WebAuthStore(engine)
    roles.add(UserRef("telegram", "42"), "staff")
    roles.add(UserRef("zalo_bot", "42"), "staff")  # the same id on another channel: another person
    sessions = [store.redeem(store.issue_link("telegram", "42"))[1] for _ in range(2)]
    other = store.redeem(store.issue_link("zalo_bot", "42"))[1]
    pending = store.issue_link("telegram", "42")
    assert all(s is not None for s in sessions) and other is not None
    assert roles.remove(UserRef("telegram", "42")) is True
    assert [store.session(s.token) for s in sessions if s is not None] == [None, None]
    assert store.check_link(pending).status == "unknown"
    assert store.session(other.token) is not None
    assert store.sessions_of("zalo_bot", "42") and not store.sessions_of("telegram", "42")


def test_purge_deletes_used_expired_links_and_dead_sessions(engine: Engine) -> None:
    clock = Clock()
    store = WebAuthStore(engine, idle=timedelta(minutes=10), clock=clock)
    used = store.issue_link("telegram", "1")
    _, signed = store.redeem(used)
    fresh = store.issue_link("telegram", "2")
    assert signed is not None
    assert store.purge() == 1  # the used link
    clock.now += timedelta(minutes=11)
    assert store.purge() == 2  # the expired link and the idle session
    assert store.check_link(fresh).status == "unknown"


def test_privacy_forget_deletes_the_persons_links_and_sessions(tmp_path: Path) -> None:
    from bot.app import App
    from bot.settings import Settings

    app = App(Settings(data_dir=tmp_path, embedder="hash"))
    store = WebAuthStore(app.engine)
    _, signed = store.redeem(store.issue_link("telegram", "42"))
    store.issue_link("telegram", "42")
    _, kept = store.redeem(store.issue_link("telegram", "43"))
    assert signed is not None and kept is not None
    report = app.privacy.forget("telegram:42")
    assert report.counts.get("web_session") == 1 and report.counts.get("web_signin_link") == 2
    assert store.session(signed.token) is None and store.session(kept.token) is not None

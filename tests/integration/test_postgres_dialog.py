"""The conversation layer on the real PostgreSQL (127.0.0.1:5432, database `test`), each run in its own schema."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.db import create_schema
from bot.zalo_tokens import SqlTokenStore, Tokens
from handlers.ask.flow import AskFlow
from handlers.dialog import Dialog
from handlers.flow import Services
from handlers.i18n import Catalog
from handlers.logs import ActivityLog
from handlers.messages import Incoming
from handlers.pseudonym import Pseudonyms
from handlers.roles import RoleStore
from handlers.state import MemoryRateLimiter, SqlDeduper, SqlStateStore
from tests.fakes.answering import FakeAnswerer
from tests.fakes.pg import temp_schema

pytestmark = pytest.mark.postgres

FACTS = {"bảo hiểm": ("d1", "Nghị định 75/2023", "Thành viên hộ nghèo được Nhà nước đóng bảo hiểm y tế.")}


@pytest.fixture()
def engine() -> Iterator[Engine]:
    with temp_schema("t") as eng:
        create_schema(eng)
        yield eng


def test_tables_live_in_the_test_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        schema = conn.execute(text("select current_schema()")).scalar()
        tables = {r[0] for r in conn.execute(text(
            "select table_name from information_schema.tables where table_schema = current_schema()"))}
    assert str(schema).startswith("t_")
    assert {"dialog_state", "processed_update", "query_log", "handoff"} <= tables


def test_state_store_round_trip(engine: Engine) -> None:
    store = SqlStateStore(engine)
    key = Pseudonyms(b"pepper").state_key("zalo_bot", "c1", "u1")
    assert store.get(key) is None
    store.set(key, {"lang": "ru", "data": {"name": "Нгуен Ван Ан"}})
    store.set(key, {"lang": "vi", "flow": "bk", "data": {"step": 2}})
    assert SqlStateStore(engine).get(key) == {"lang": "vi", "flow": "bk", "data": {"step": 2}}
    store.delete(key)
    assert store.get(key) is None


def test_deduper_once_across_threads(engine: Engine) -> None:
    dedup = SqlDeduper(engine)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(dedup.first_time, ["telegram:1001"] * 24))
    assert results.count(True) == 1
    assert dedup.first_time("telegram:1002") is True


def test_dialog_and_query_log_on_postgres(engine: Engine) -> None:
    logs = ActivityLog(engine)
    services = Services(answerer=FakeAnswerer(FACTS), logs=logs, roles=RoleStore(engine))
    dialog = Dialog(Catalog.load(), services, [AskFlow()], SqlStateStore(engine), deduper=SqlDeduper(engine),
                    limiter=MemoryRateLimiter(100), salt=b"pepper")
    out = dialog.handle(Incoming("zalo_bot", "c1", "u1", text="/lang", update_id="m1"))
    assert [c.data for c in out[0].all_choices()] == ["lang:vi", "lang:ru"]
    assert dialog.handle(Incoming("zalo_bot", "c1", "u1", text="/lang", update_id="m1")) == []
    assert "русский" in dialog.handle(Incoming("zalo_bot", "c1", "u1", text="2", update_id="m2"))[0].text
    answer = dialog.handle(Incoming("zalo_bot", "c1", "u1", text="hộ nghèo có bảo hiểm y tế không", update_id="m3"))
    assert "Nghị định 75/2023" in answer[0].text
    with engine.connect() as conn:
        row = conn.execute(text("select channel, user_hash, abstained, question from query_log")).one()
    assert row.channel == "zalo_bot" and row.abstained is False and "bảo hiểm" in row.question
    assert "u1" not in row.user_hash and len(row.user_hash) == 32  # pseudonymized
    fb = next(c.data for c in answer[0].all_choices() if c.label == "👍")
    dialog.handle(Incoming("zalo_bot", "c1", "u1", kind="callback", callback=fb, update_id="m4"))
    with engine.connect() as conn:
        assert conn.execute(text("select feedback from query_log")).scalar() == 1


def test_token_rotation_is_serialized_by_row_lock(engine: Engine) -> None:
    """Two replicas see the token expire at once: the refresh endpoint is called once, both get it."""
    store_a = SqlTokenStore(engine, "app-1", Tokens("a1", "r1"))
    store_b = SqlTokenStore(engine, "app-1", Tokens("zz", "zz"))  # an older seed: ignored
    calls: list[str] = []
    gate = threading.Barrier(2)

    def refresher(refresh_token: str) -> Tokens:
        calls.append(refresh_token)
        return Tokens("a2", "r2", 90000)

    def rotate(store: SqlTokenStore) -> Tokens:
        gate.wait()
        return store.rotate("a1", refresher)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(rotate, [store_a, store_b]))
    assert calls == ["r1"]
    assert all(r.access_token == "a2" for r in results)
    assert store_b.load() == Tokens("a2", "r2")

"""Issue 11 item 10 on the real PostgreSQL: a NUL byte in a question is input to clean, not a
"bad input" answer; a real database failure is ours (traceback logged, counted in /metrics, apology)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.db import create_schema
from bot.hub import Hub
from bot.metrics import Metrics
from handlers.ask.flow import AskFlow
from handlers.dialog import Dialog
from handlers.flow import Services
from handlers.i18n import Catalog
from handlers.logs import ActivityLog
from handlers.messages import Incoming
from handlers.roles import RoleStore
from handlers.state import MemoryRateLimiter, SqlDeduper, SqlStateStore
from tests.fakes.answering import FakeAnswerer
from tests.fakes.pg import temp_schema

pytestmark = pytest.mark.postgres

FACTS = {"bảo hiểm": ("d1", "Nghị định 75/2023", "Thành viên hộ nghèo được Nhà nước đóng bảo hiểm y tế.")}
CATALOG = Catalog.load()


@pytest.fixture()
def engine() -> Iterator[Engine]:
    with temp_schema("t") as eng:
        create_schema(eng)
        yield eng


def _dialog(engine: Engine) -> Dialog:
    services = Services(answerer=FakeAnswerer(FACTS), logs=ActivityLog(engine), roles=RoleStore(engine))
    return Dialog(CATALOG, services, [AskFlow()], SqlStateStore(engine), deduper=SqlDeduper(engine),
                  limiter=MemoryRateLimiter(100), salt=b"pepper")


def test_nul_byte_in_a_question_is_answered_like_the_clean_one(engine: Engine) -> None:
    dialog = _dialog(engine)
    clean = dialog.handle(Incoming("telegram", "c1", "u1", text="hộ nghèo có bảo hiểm y tế không"))
    dirty = dialog.handle(Incoming("telegram", "c2", "u2", text="hộ nghèo có bảo\x00 hiểm y tế\x00 không",
                                   user_name="An\x00"))
    assert "Nghị định 75/2023" in dirty[0].text and dirty[0].text == clean[0].text
    with engine.connect() as conn:
        questions = [r[0] for r in conn.execute(text("select question from query_log order by id"))]
    assert questions[1] == "hộ nghèo có bảo hiểm y tế không"
    assert dialog.metrics["infrastructure_errors_total"] == 0


def test_a_database_failure_is_logged_counted_and_apologised_for(
    engine: Engine, caplog: pytest.LogCaptureFixture,
) -> None:
    dialog = _dialog(engine)
    metrics = Metrics(Hub(dialog))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE query_log CASCADE"))  # the next question cannot be logged
    caplog.set_level(logging.ERROR)
    out = dialog.handle(Incoming("telegram", "c1", "u1", text="hộ nghèo có bảo hiểm y tế không"))
    assert [r.text for r in out] == [CATALOG.t("vi", "sec.infrastructure_error")]
    assert out[0].text != CATALOG.t("vi", "error.generic_input")
    record = next(r for r in caplog.records if "infrastructure error" in r.getMessage())
    assert record.exc_info is not None or "Traceback" in (record.exc_text or "")
    assert "ProgrammingError" in caplog.text and "query_log" in caplog.text
    body = metrics.render()[0].decode()
    assert 'civicbot_errors_total{kind="infrastructure"} 1.0' in body

"""Issue 11 item 10: input normalization (NUL, zero-width characters) and domain vs other errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import DataError

from handlers.ask.flow import AskFlow
from handlers.dialog import Dialog
from handlers.errors import classify
from handlers.flow import Ctx, Flow, Services
from handlers.i18n import Catalog
from handlers.logs import ActivityLog
from handlers.messages import Incoming, Reply
from handlers.state import MemoryRateLimiter, SqlStateStore
from knowledge.errors import NotFound
from knowledge.text import clean_input
from tests.fakes.answering import FakeAnswerer

FACTS = {"bảo hiểm": ("d1", "Nghị định 75/2023", "Thành viên hộ nghèo được Nhà nước đóng bảo hiểm y tế.")}

CATALOG = Catalog.load()
ZW = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


class Boom(Flow):
    """A flow whose command raises what the test puts in `exc`."""

    name = "boom"
    commands = ("boom",)
    exc: Exception = RuntimeError()

    def on_command(self, ctx: Ctx, command: str, args: str) -> list[Reply]:
        raise self.exc


@pytest.fixture()
def dialog(tmp_path: Path) -> Dialog:
    from bot.db import create_schema, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    create_schema(engine)
    services = Services(answerer=FakeAnswerer(FACTS), logs=ActivityLog(engine))
    return Dialog(CATALOG, services, [AskFlow(), Boom()], SqlStateStore(engine), limiter=MemoryRateLimiter(100))


def test_clean_input_strips_nul_and_zero_width_characters() -> None:
    assert clean_input(f"bả{ZW}o\x00 hi\u200bểm\u2063") == "bảo hiểm"
    assert clean_input(ZW * 3) == ""
    assert clean_input("dòng 1\ndòng 2\t❤️") == "dòng 1\ndòng 2\t❤️"  # line ends, tabs, emoji stay


def test_zero_width_characters_inside_words_answer_like_the_clean_question(dialog: Dialog) -> None:
    clean = dialog.handle(Incoming("telegram", "1", "1", text="hộ nghèo có bảo hiểm y tế không"))
    typed = "hộ ng\u200bhèo có bả\u200co hi\u00adểm y\ufeff tế không"
    dirty = dialog.handle(Incoming("telegram", "2", "2", text=typed))
    assert "Nghị định 75/2023" in clean[0].text and dirty[0].text == clean[0].text


def test_a_message_of_only_invisible_characters_is_empty(dialog: Dialog) -> None:
    out = dialog.handle(Incoming("telegram", "1", "1", text=ZW + "\x00 \u200b"))
    assert out[0].text == CATALOG.t("vi", "sec.empty_message")
    assert dialog.services.logs is not None
    with dialog.services.logs.engine.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("select count(*) from query_log")).scalar() == 0


def test_domain_errors_are_recognised_by_type_not_by_shape(dialog: Dialog) -> None:
    Boom.exc = NotFound("booking.not_found", id=97)
    assert "97" in dialog.handle(Incoming("telegram", "1", "1", text="/boom"))[0].text
    # SQLAlchemy errors carry `code` and `params` too; they are not the user's mistake
    Boom.exc = DataError("INSERT ...", {"q": "x"}, ValueError("NUL"))
    out = dialog.handle(Incoming("telegram", "1", "1", text="/boom"))
    assert out[0].text == CATALOG.t("vi", "sec.infrastructure_error")
    assert out[0].text != CATALOG.t("vi", "error.generic_input")
    Boom.exc = KeyError("bug")
    assert dialog.handle(Incoming("telegram", "1", "1", text="/boom"))[0].text == CATALOG.t("vi", "error.internal")
    assert dialog.metrics["infrastructure_errors_total"] == 1 and dialog.metrics["internal_errors_total"] == 1


def test_classify() -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    assert classify(NotFound("x")) == "domain"
    assert classify(RedisConnectionError()) == "infrastructure"
    assert classify(ConnectionResetError()) == "infrastructure"
    assert classify(ValueError()) == "internal"


def test_redis_down_is_an_infrastructure_error_with_an_apology(tmp_path: Path) -> None:
    """The session store itself fails (Redis unreachable): no session, still a short apology."""
    import redis

    from handlers.state_redis import RedisStateStore

    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)  # nothing listens on port 1
    services = Services(answerer=FakeAnswerer(FACTS))
    dialog = Dialog(CATALOG, services, [AskFlow()], RedisStateStore(dead), limiter=MemoryRateLimiter(100))
    out = dialog.handle(Incoming("telegram", "1", "1", text="bảo hiểm", language_code="ru"))
    assert [r.text for r in out] == [CATALOG.t("ru", "sec.infrastructure_error")]
    assert dialog.metrics["infrastructure_errors_total"] == 1

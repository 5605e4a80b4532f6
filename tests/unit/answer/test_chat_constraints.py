"""In the chat: a fact found only for another year/place is shown labelled, never as the answer;
the country comes from the user's choice (`/country`), else the channel (Zalo → Vietnam)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.db import create_schema, make_engine
from handlers.ask.flow import AskFlow
from handlers.dialog import Dialog
from handlers.flow import Services
from handlers.i18n import Catalog
from handlers.logs import ActivityLog
from handlers.messages import Incoming, Target
from handlers.roles import RoleStore
from handlers.state import MemoryRateLimiter, SqlStateStore
from retrieval.answer import Answerer
from retrieval.confidence import ConfidenceModel

from .conftest import SONLA_VI, FakeSearch, make_hit

ASP_VI = "Muốn xét trợ cấp ASP, nộp đơn trực tuyến trên cổng egov.kz hoặc tại trung tâm dịch vụ công."


@pytest.fixture()
def dialog(tmp_path: Path) -> Dialog:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    create_schema(engine)
    kz = make_hit("kz-asp-vi", ASP_VI, title="Trợ cấp ASP ở Kazakhstan", chunk_id=7)
    kz.region = "KZ"
    search = FakeSearch([make_hit("sonla", SONLA_VI, title="Sơn La và viện trợ"), kz])
    answerer = Answerer(search, model=ConfidenceModel({"cov_passage": 10.0}, -5.0))
    services = Services(answerer=answerer, logs=ActivityLog(engine), roles=RoleStore(engine, ["900"]),
                        staff_target=Target("telegram", "-100"))
    return Dialog(Catalog.load(), services, [AskFlow()], SqlStateStore(engine), limiter=MemoryRateLimiter(50))


def msg(text: str = "", channel: str = "telegram", **kw: object) -> Incoming:
    base: dict[str, object] = {"channel": channel, "chat_id": "1", "user_id": "1", "text": text}
    base.update(kw)
    return Incoming(**base)  # type: ignore[arg-type]


def test_another_years_fact_is_labelled_with_its_source(dialog: Dialog) -> None:
    text = dialog.handle(msg("Năm 2018 tỉnh Sơn La tiếp nhận bao nhiêu khoản viện trợ?"))[0].text
    assert text.startswith("Tôi chưa có thông tin về năm 2018.")
    assert "năm 2016" in text and "13 khoản viện trợ" in text and "Sơn La và viện trợ" in text
    right = dialog.handle(msg("Năm 2016 tỉnh Sơn La tiếp nhận bao nhiêu khoản viện trợ?"))[0].text
    assert right.startswith("Trong năm 2016") and "chưa có thông tin" not in right


def test_country_from_the_channel_and_from_the_users_choice(dialog: Dialog) -> None:
    question = "nộp đơn xét trợ cấp trực tuyến ở đâu"
    on_zalo = dialog.handle(msg(question, channel="zalo_bot"))[0].text
    assert on_zalo.startswith("Tôi chưa có thông tin về Việt Nam.") and "Kazakhstan" in on_zalo
    choice = dialog.handle(msg("/country", channel="zalo_bot"))[0]
    assert [c.data for c in choice.all_choices()] == ["ask:country:VN", "ask:country:KZ", "ask:country:auto"]
    assert "Kazakhstan" in dialog.handle(msg(kind="callback", callback="ask:country:KZ", channel="zalo_bot"))[0].text
    chosen = dialog.handle(msg(question, channel="zalo_bot"))[0].text
    assert chosen.startswith("Muốn xét trợ cấp ASP") and "chưa có thông tin" not in chosen
    dialog.handle(msg("/country auto", channel="zalo_bot"))
    assert dialog.handle(msg(question, channel="zalo_bot"))[0].text.startswith("Tôi chưa có thông tin")

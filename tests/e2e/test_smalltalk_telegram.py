"""Small talk through real aiogram and the fake Telegram Bot API: greetings, thanks, laughter and a
stray digit are answered without a search; "cho em gặp cán bộ" opens the handoff to the staff chat."""

from __future__ import annotations

from pathlib import Path

from handlers.i18n import Catalog
from tests.e2e.telegram_kit import STAFF_CHAT, datas, make_dialog, running
from tests.fakes.bot_api import FakeBotAPI

CATALOG = Catalog.load()


async def test_small_talk_and_a_stray_digit_are_not_searched(api: FakeBotAPI, tmp_path: Path) -> None:
    dialog = make_dialog(tmp_path)
    async with running(api, dialog):
        api.send_text(1, "Xin chào ad", language_code="vi")
        sent = await api.wait_sent(1, count=2)
        assert sent[0].text == CATALOG.t("vi", "smalltalk.greeting")
        menu = datas(sent[1])
        assert "menu:ask" in menu
        api.send_text(1, "7", language_code="vi")  # the menu has fewer buttons: shown again
        sent = await api.wait_sent(1, count=3)
        assert datas(sent[2]) == menu
        api.send_text(2, "спасибо)))", language_code="ru")
        api.send_text(3, "хахаха", language_code="ru")
        thanks = (await api.wait_sent(2))[0]
        laugh = (await api.wait_sent(3))[0]
        api.send_text(1, "bảo hiểm y tế cho hộ nghèo?", language_code="vi")  # a question still is one
        answer = (await api.wait_sent(1, count=4))[3]
    assert thanks.text == CATALOG.t("ru", "smalltalk.thanks")
    assert laugh.text == CATALOG.t("ru", "smalltalk.laugh")
    assert "100% bảo hiểm y tế" in answer.text
    assert [q for q, _ in dialog.services.answerer.calls] == ["bảo hiểm y tế cho hộ nghèo?"]


async def test_asking_for_staff_opens_the_handoff(api: FakeBotAPI, tmp_path: Path) -> None:
    dialog = make_dialog(tmp_path)
    async with running(api, dialog):
        api.send_text(1, "cho em gap can bo voi a", language_code="vi")
        prompt = (await api.wait_sent(1))[0]
        assert prompt.text == CATALOG.t("vi", "ask.contact_prompt")
        api.send_text(1, "Nhà em chưa nhận được tiền hỗ trợ tháng này", language_code="vi")
        to_staff = (await api.wait_sent(STAFF_CHAT))[0]
        await api.wait_sent(1, count=2)
    assert "chưa nhận được tiền hỗ trợ" in to_staff.text
    assert dialog.services.answerer.calls == []

"""Whole conversations through real aiogram and the fake Bot API server (FakeAnswerer for answers)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from handlers.i18n import Catalog
from tests.e2e.telegram_kit import STAFF_CHAT, STAFF_USER, datas, make_dialog, running
from tests.fakes.bot_api import FakeBotAPI

CATALOG = Catalog.load()


async def test_start_registers_commands_and_greets_in_user_language(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(api, make_dialog(tmp_path)):
        api.send_text(1, "/start", language_code="ru")
        sent = await api.wait_sent(1, count=2)
    assert "Здравствуйте" in sent[0].text and sent[0].params["parse_mode"] == "HTML"
    assert "menu:ask" in datas(sent[1]) and "menu:lang" in datas(sent[1])
    commands = api.calls_of("setMyCommands")
    assert sorted(str(c.params.get("language_code")) for c in commands) == ["None", "ru", "vi"]
    ru = next(c for c in commands if c.params.get("language_code") == "ru")
    assert {"command": "lang", "description": CATALOG.t("ru", "telegram.cmd.lang")} in ru.params["commands"]
    assert api.calls_of("deleteWebhook"), "polling mode must clear a webhook first"


async def test_language_switch_by_button_answers_the_callback(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(api, make_dialog(tmp_path)):
        api.send_text(1, "/start", language_code="en")
        first = (await api.wait_sent(1))[0]
        assert datas(first) == ["lang:vi", "lang:ru"]
        message_id = int(api.messages[("1", max(k[1] for k in api.messages if k[0] == "1"))]["message_id"])
        api.press(1, "lang:ru", message_id=message_id, language_code="en")
        sent = await api.wait_sent(1, count=3)
        await api.wait_for(lambda: len(api.calls_of("answerCallbackQuery")) == 1)
    assert sent[1].text == CATALOG.t("ru", "common.lang_set")
    assert "menu:ask" in datas(sent[2])
    assert api.calls_of("answerCallbackQuery")[0].params["callback_query_id"].startswith("cq")


async def test_question_answered_with_escaped_source_and_feedback(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(api, make_dialog(tmp_path)):
        api.send_text(1, "ho ngheo co bảo hiểm y te khong")
        answer = (await api.wait_sent(1))[0]
        assert "100% bảo hiểm y tế" in answer.text
        assert "Nghị định 75/2023 &lt;NĐ-CP&gt; &amp; phụ lục" in answer.text  # HTML-escaped title
        up = next(b["callback_data"] for b in answer.buttons() if b["text"] == "👍")
        api.press(1, up)
        thanks = (await api.wait_sent(1, count=2))[1]
    assert thanks.text == CATALOG.t("vi", "ask.thanks_feedback")
    assert len(api.calls_of("answerCallbackQuery")) == 1


async def test_abstention_handoff_and_staff_reply_relayed(api: FakeBotAPI, tmp_path: Path) -> None:
    dialog = make_dialog(tmp_path)
    async with running(api, dialog):
        api.send_text(1, "thời tiết hôm nay thế nào")
        unsure = (await api.wait_sent(1))[0]
        assert CATALOG.t("vi", "ask.not_sure") in unsure.text
        forward = next(d for d in datas(unsure) if d.startswith("ask:fwd:"))
        api.press(1, forward)
        staff_msg = (await api.wait_sent(STAFF_CHAT))[0]
        assert "thời tiết hôm nay thế nào" in staff_msg.text
        staff_mid = max(mid for chat, mid in api.messages if chat == str(STAFF_CHAT))
        await api.wait_sent(1, count=2)  # "forwarded" notice to the user
        for _ in range(200):  # the forward's message id is recorded just after it is sent (a person takes longer)
            if dialog.services.logs.find_handoff(str(staff_mid)) is not None:
                break
            await asyncio.sleep(0.02)
        api.send_text(STAFF_CHAT, "Trời nắng, 30 độ.", user_id=STAFF_USER, reply_to=staff_mid)
        sent = await api.wait_sent(1, count=3)
        await api.wait_sent(STAFF_CHAT, count=2)  # "relayed" confirmation to staff
    assert "Trời nắng, 30 độ." in sent[2].text


async def test_stickers_photos_voice_get_polite_answers(api: FakeBotAPI, tmp_path: Path) -> None:
    contents: dict[str, dict[str, Any]] = {
        "sticker": {"sticker": {"file_id": "S1", "file_unique_id": "s1", "type": "regular", "width": 512,
                                "height": 512, "is_animated": False, "is_video": False}},
        "photo": {"photo": [{"file_id": "P1", "file_unique_id": "p1", "width": 90, "height": 90}]},
        "voice": {"voice": {"file_id": "V1", "file_unique_id": "v1", "duration": 3}},
        "location": {"location": {"latitude": 10.77, "longitude": 106.7}},
    }
    async with running(api, make_dialog(tmp_path)):
        for chat, content in enumerate(contents.values(), start=1):
            api.send_content(chat, content)
        for chat, kind in enumerate(contents, start=1):
            sent = await api.wait_sent(chat)
            assert sent[0].text == CATALOG.t("vi", f"common.unsupported_{kind}")


async def test_duplicate_update_is_handled_once(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running(api, make_dialog(tmp_path)):
        update = api.message_update(1, {"text": "bảo hiểm y tế?"})
        api.push_update({**update, "update_id": 4242})
        api.push_update({**update, "update_id": 4242})  # Telegram re-delivered it
        await api.wait_sent(1)
        api.send_text(1, "/menu")
        sent = await api.wait_sent(1, count=2)
    assert len([c for c in sent if "bảo hiểm y tế" in c.text]) == 1
    assert "menu:ask" in datas(sent[1])


async def test_replies_keep_per_chat_order_across_concurrent_chats(api: FakeBotAPI, tmp_path: Path) -> None:
    words = ["alpha", "bravo", "charlie", "delta", "echo"]
    facts = {w: (f"d{i}", f"Doc {w}", f"Fact {w}.") for i, w in enumerate(words)}
    async with running(api, make_dialog(tmp_path, facts)):
        for word in words:
            for chat in (1, 2, 3):
                api.send_text(chat, f"{word}?")
        for chat in (1, 2, 3):
            sent = await api.wait_sent(chat, count=len(words))
            assert [c.text.split("\n")[0] for c in sent] == [f"Fact {w}." for w in words]

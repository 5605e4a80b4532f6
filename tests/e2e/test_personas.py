"""Issue 12: scripted walks through the personas, against the terminal chat and the fake Bot API,
with the real composition (App on SQLite, every flow) and a fixed clock (25 Nov 2026, Q4).

* a rural Vietnamese household typing on a phone, with and without diacritics;
* a Kazakh family checking targeted social assistance, in Russian;
* staff working from the terminal (ADMIN_IDS=console:local, the staff chat is the terminal itself).
"""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.channels.console import ConsoleChannel
from bot.hub import Hub
from bot.settings import Settings
from tests.e2e.telegram_kit import running
from tests.fakes.bot_api import FakeBotAPI

NOW = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
NBSP = "\u00a0"


def make_app(tmp_path: Path, **settings: Any) -> App:
    options: dict[str, Any] = {"data_dir": tmp_path, "embedder": "hash", "default_lang": "vi",
                               "rate_limit_per_minute": 1000, "redis_url": None, "database_url": None, **settings}
    app = App(Settings(**options))
    app.dialog.clock = lambda: NOW
    return app


def terminal(app: App, lines: list[str], lang: str | None = None, stdin: Any = None) -> str:
    """Run the terminal chat over scripted lines; everything it printed."""
    hub = Hub(app.dialog)
    out = io.StringIO()
    typed = stdin or io.StringIO("".join(f"{line}\n" for line in lines) + "/quit\n")
    console = ConsoleChannel(hub, lang=lang, stdin=typed, stdout=out)
    try:
        asyncio.run(console.run())
    finally:
        hub.close()
    return out.getvalue()


def turns(output: str) -> list[str]:
    """The output split at each prompt: turns[0] is the greeting, turns[i] the reply to line i."""
    return output.split("\n> ")


HOUSEHOLD = {
    True: ["ở nông thôn", "bốn người", "4 triệu mỗi tháng"],
    False: ["o nong thon", "bon nguoi", "4 trieu moi thang"],
}
INDICATORS_YES = {"water", "latrine", "internet"}  # of the 12 indicators of the 2022–2025 standard
INDICATOR_ORDER = ["employment", "dependants", "nutrition", "health_insurance", "adult_education", "child_schooling",
                   "housing_quality", "housing_area", "water", "latrine", "internet", "info_devices"]


@pytest.mark.parametrize("diacritics", [True, False])
def test_household_vi_in_the_terminal(tmp_path: Path, diacritics: bool) -> None:
    yes, no = ("có", "không") if diacritics else ("co", "khong")
    answers = [yes if ind in INDICATORS_YES else no for ind in INDICATOR_ORDER]
    out = turns(terminal(make_app(tmp_path), ["/check", "1", *HOUSEHOLD[diacritics], *answers], lang="vi"))
    assert "Xin chào" in out[0]
    assert "1. Chuẩn nghèo đa chiều giai đoạn 2022–2025" in out[1]
    assert "Câu 1/15" in out[2] and "1. Nông thôn" in out[2]
    assert "Câu 2/15" in out[3]  # the area understood despite the filler word
    assert "Câu 3/15" in out[4]  # "bốn người" / "bon nguoi" = 4
    assert "Đã hiểu: 4.000.000 đồng mỗi tháng." in out[5] and "Câu 4/15" in out[5]
    result = out[5 + len(answers)]
    assert "Kết quả: Hộ nghèo" in result and "1.000.000 đồng/người/tháng" in result
    assert "nước sinh hoạt, nhà vệ sinh, sử dụng internet" in result and "Mẫu số 01" in result
    assert "Traceback" not in "".join(out)


async def until(api: FakeBotAPI, chat: int, needle: str) -> list[str]:
    """Wait until a message containing `needle` was sent to `chat`; every text sent there so far."""
    await api.wait_for(lambda: any(needle in c.text for c in api.sent(chat)), timeout=20)
    return [c.text for c in api.sent(chat)]


async def test_household_vi_on_telegram(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with FakeBotAPI() as api, running(api, app.dialog):
        api.send_text(5, "/check")
        await until(api, 5, "")
        menu = api.sent(5)[-1]
        assert [b["callback_data"] for b in menu.buttons()][:2] == ["elig:p:vn-poverty", "elig:p:kz-asp"]
        api.press(5, "elig:p:vn-poverty")
        await until(api, 5, "Câu 1/15")
        api.send_text(5, "o thanh pho")
        await until(api, 5, "Câu 2/15")
        api.send_text(5, "hai nguoi")
        await until(api, 5, "Câu 3/15")
        api.send_text(5, "5 trieu/thang")
        replies = await until(api, 5, "Kết quả")
        await api.wait_for(lambda: "Mẫu số 01" in api.sent(5)[-1].text, timeout=20)
        replies = [c.text for c in api.sent(5)]
    assert "Đã hiểu: 5.000.000 đồng mỗi tháng." in replies
    result = "\n".join(replies[replies.index("Đã hiểu: 5.000.000 đồng mỗi tháng."):])
    assert "Kết quả: Hộ có mức sống trung bình" in result and "2.500.000 đồng" in result  # urban: > 2M, ≤ 3M


def test_asp_family_ru_in_the_terminal(tmp_path: Path) -> None:
    lines = ["/check", "1", "Павлодар", "четверо", "40 000", "в месяц", "двое", "1"]
    out = turns(terminal(make_app(tmp_path), lines, lang="ru"))
    assert "Здравствуйте" in out[0] or "Привет" in out[0]
    assert "1. Адресная социальная помощь (АСП), Казахстан" in out[1]
    assert "Вопрос 1 из 5" in out[2] and "1. Павлодарская область" in out[2] and "2. " not in out[2].split("⚠️")[0]
    assert "Актюбинская область" in out[2]  # the regions without a line are named up front
    assert "Вопрос 2 из 5" in out[3] and "Вопрос 3 из 5" in out[4]
    assert f"40{NBSP}000 ₸ — это в месяц или за весь квартал" in out[5] and "1. В месяц" in out[5]
    assert f"Понял: 40{NBSP}000 ₸ в месяц = 120{NBSP}000 ₸ за квартал." in out[6] and "Вопрос 4 из 5" in out[6]
    assert "Вопрос 5 из 5" in out[7]
    result = out[8]
    assert "ПРИМЕР, НЕ ОФИЦИАЛЬНОЕ ЗНАЧЕНИЕ" in result and "Семья может получить АСП" in result
    assert f"10{NBSP}000 ₸" in result and f"102{NBSP}384 ₸" in result  # 4 × (35,596 − 10,000)
    assert f"12{NBSP}975 ₸" in result  # 2 children × 1.5 MRP (4,325 ₸)
    assert "обусловленная" in result and "egov.kz" in result


async def test_asp_family_ru_on_telegram(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with FakeBotAPI() as api, running(api, app.dialog):
        api.send_text(7, "/check kz-asp", language_code="ru")
        await until(api, 7, "Вопрос 1 из 5")
        api.send_text(7, "в Павлодаре", language_code="ru")
        await until(api, 7, "Вопрос 2 из 5")
        api.send_text(7, "один", language_code="ru")
        await until(api, 7, "Вопрос 3 из 5")
        api.send_text(7, "40 000 в месяц", language_code="ru")
        await until(api, 7, "Результат")
        await api.wait_for(lambda: "egov.kz" in api.sent(7)[-1].text, timeout=20)
        replies = [c.text for c in api.sent(7)]
    echo = f"Понял: 40{NBSP}000 ₸ в месяц = 120{NBSP}000 ₸ за квартал."
    assert echo in replies
    result = "\n".join(replies[replies.index(echo):])
    assert "Семья не может получить АСП" in result and "ПРИМЕР, НЕ ОФИЦИАЛЬНОЕ ЗНАЧЕНИЕ" in result


def test_staff_in_the_terminal(tmp_path: Path) -> None:
    doc = tmp_path / "quy-x.md"
    doc.write_text("# Quỹ X\n\nQuỹ X hỗ trợ 5 triệu đồng cho mỗi hộ nghèo ở xã.", encoding="utf-8")
    app = make_app(tmp_path / "data", admin_ids="console:local", staff_chat_id="console:local")
    out = turns(terminal(app, ["/staff", "/stats abc", "/stats 7", str(doc), "/docs", "/staff", "2"], lang="vi"))
    assert "gõ đường dẫn của tệp" in out[1] and "1. 📚" in out[1]  # the terminal takes a file's path
    assert "«abc» không phải số ngày" in out[2] and "/stats 30" in out[2]
    assert "abc" not in out[3]
    assert "Quỹ X" in out[4] and "quy-x" in app.kb.get("quy-x").doc_id  # type: ignore[union-attr]
    assert "quy-x" in out[5] or "Quỹ X" in out[5]
    assert "2. ❓" in out[6]
    assert "không có câu hỏi nào chưa được trả lời" in out[7]  # the numbered staff button worked
    assert "Traceback" not in "".join(out)


def test_staff_approve_in_the_terminal_by_number(tmp_path: Path) -> None:
    """A request from Telegram reaches the terminal (the staff chat); typing 1 approves it."""
    from bookings.service import Requester
    from handlers.booking.views import staff_card
    from handlers.i18n import Catalog

    app = make_app(tmp_path, admin_ids="console:local", staff_chat_id="console:local")
    svc = app.bookings
    svc.clock = lambda: NOW
    svc.add_room("hall", 20, hours="09:00-18:00", days="mon-sat", max_hours=4, min_notice_hours=24,
                 name_vi="Phòng họp lớn", name_ru="Большой зал")
    (booking,) = svc.request(room="hall", start="2026-12-15 10:00", end="2026-12-15 12:00", org="Green Steppe",
                             contact="Aigerim", phone="+7 701 123 45 67", attendees=10, purpose="Training",
                             requester=Requester("telegram", "5", "5", "ru"))
    card = staff_card(Catalog.load(), "ru", svc, booking, app.staff_target)
    hub = Hub(app.dialog)
    out = io.StringIO()

    async def main() -> None:
        loop = asyncio.get_running_loop()

        class Script(io.StringIO):
            """Pushes the staff card to the terminal (as the runner would) before staff type "1"."""

            pushed = False

            def readline(self, *args: Any) -> str:
                if not self.pushed:
                    self.pushed = True
                    asyncio.run_coroutine_threadsafe(hub.deliver("console", "local", [card]), loop).result(10)
                return super().readline(*args)

        await ConsoleChannel(hub, lang="ru", stdin=Script("1\n/quit\n"), stdout=out).run()

    asyncio.run(main())
    hub.close()
    text = out.getvalue()
    assert "1. " in text.split("Green Steppe", 1)[1]  # the card's buttons are numbered
    assert svc.get(booking.id).status == "approved"

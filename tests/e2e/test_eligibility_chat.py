"""Whole eligibility conversations through the Dialog (vi, ru, en), state in SQLite, results logged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

import knowledge.eligibility.models  # noqa: F401  (registers the results table before create_schema)
from bot.db import create_schema, make_engine
from handlers.dialog import Dialog
from handlers.eligibility.flow import EligibilityFlow
from handlers.flow import Services
from handlers.i18n import Catalog
from handlers.messages import Incoming, Reply
from handlers.state import MemoryRateLimiter, SqlStateStore
from knowledge.eligibility.log import EligibilityLog
from knowledge.eligibility.models import EligibilityResult
from knowledge.eligibility.registry import RuleRegistry

NOW = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
INDICATORS = ["employment", "dependants", "nutrition", "health_insurance", "adult_education", "child_schooling",
              "housing_quality", "housing_area", "water", "latrine", "internet", "info_devices"]
Send = Callable[..., list[Reply]]


class Chat:
    def __init__(self, tmp_path: Path, default_lang: str = "vi", channel: str = "telegram",
                 lang: str | None = None) -> None:
        self.lang = lang  # the platform's language hint, sent with every message (as Telegram does)
        self.engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
        create_schema(self.engine)
        staff = tmp_path / "rules"
        staff.mkdir(exist_ok=True)
        services = Services(rules=RuleRegistry.load_default(extra_dir=staff))
        setattr(services, "eligibility_log", EligibilityLog(self.engine))  # noqa: B010
        self.dialog = Dialog(Catalog.load(), services, [EligibilityFlow()], SqlStateStore(self.engine),
                             limiter=MemoryRateLimiter(1000), default_lang=default_lang, salt=b"pepper",
                             clock=lambda: NOW)
        self.channel = channel

    def __call__(self, text: str | None = None, *, cb: str | None = None, lang: str | None = None) -> list[Reply]:
        msg = Incoming(self.channel, "chat-7", "user-42", kind="callback" if cb else "text", text=text,
                       callback=cb, language_code=lang or self.lang)
        return self.dialog.handle(msg)

    def results(self) -> list[EligibilityResult]:
        with Session(self.engine) as s:
            return list(s.exec(select(EligibilityResult)).all())


def datas(replies: list[Reply]) -> list[str]:
    return [c.data for r in replies for c in r.all_choices()]


def text(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


def test_vietnamese_household_walk_through(tmp_path: Path) -> None:
    chat = Chat(tmp_path)
    out = chat(cb="menu:elig", lang="vi")
    assert datas(out)[:2] == ["elig:p:vn-poverty", "elig:p:kz-asp"]  # vi users see vn-poverty first
    out = chat(cb="elig:p:vn-poverty")
    assert "Câu 1/15" in out[0].text and "nông thôn" in out[0].text
    assert datas(out) == ["elig:a:area:rural", "elig:a:area:urban", "elig:back", "elig:cancel"]
    out = chat("1")  # a typed digit picks the first button (text-only channels)
    assert "Câu 2/15" in out[0].text and out[0].input == "text"
    out = chat("2")  # a number question: "2" is the answer, not the 2nd button (Cancel)
    assert "Câu 3/15" in out[-1].text
    out = chat(cb="elig:back")  # Back: members asked again
    assert "Câu 2/15" in out[-1].text
    out = chat("4 người")
    out = chat("không biết")
    assert "chưa đọc được số tiền" in out[0].text and "Câu 3/15" in out[1].text  # clear re-ask
    out = chat("1,5")
    assert "quá nhỏ" in out[0].text and "Câu 3/15" in out[1].text
    out = chat("5 triệu")
    assert "Câu 4/15" in out[-1].text and datas(out)[:2] == ["elig:a:employment:1", "elig:a:employment:0"]
    for i, ind in enumerate(INDICATORS):
        out = chat(cb=f"elig:a:{ind}:{1 if ind in ('water', 'latrine', 'internet') else 0}")
        if i < len(INDICATORS) - 1:
            assert f"Câu {i + 5}/15" in out[-1].text
    result = text(out)
    assert "Kết quả: Hộ nghèo" in result
    assert "1.250.000 đồng/người/tháng" in result and "chuẩn nghèo 1.500.000 đồng" in result
    assert "nước sinh hoạt, nhà vệ sinh, sử dụng internet" in result
    assert "bảo hiểm y tế" in result and "40 triệu đồng" in result and "20 triệu đồng" in result
    assert "Mẫu số 01" in result and "UBND xã" in result and "1/9 đến 14/12" in result
    assert "Nghị định 07/2021/NĐ-CP" in result and "(15/03/2021)" in result
    assert "UBND xã/phường quyết định" in result and "chưa đối chiếu" in result
    rows = chat.results()
    assert [(r.program, r.version, r.outcome, r.channel) for r in rows] == [
        ("vn-poverty", "2022-2025", "poor", "telegram")]
    assert rows[0].user_hash not in ("user-42", "") and "user-42" not in rows[0].user_hash
    assert "elig:again" in datas(out)
    assert "Câu" not in text(chat("5"))  # the flow is over: no stale question is answered


def test_russian_family_walk_through(tmp_path: Path) -> None:
    chat = Chat(tmp_path, lang="ru")
    out = chat(cb="menu:elig")
    assert datas(out)[:2] == ["elig:p:kz-asp", "elig:p:vn-poverty"]
    out = chat(cb="elig:p:kz-asp")
    # only regions with a line for the quarter are offered; the others are named up front
    assert "Вопрос 1 из 5" in out[0].text and "Актюбинская область" in out[0].text
    assert [d for d in datas(out) if d.startswith("elig:a:")] == ["elig:a:region:pavlodar"]
    out = chat("Актобе")  # typed anyway: no Aktobe line for Q4 2026 in the shipped table
    assert "нет черты бедности" in out[0].text and "октябрь–декабрь 2026" in out[0].text
    assert "Вопрос 1 из 5" in out[1].text
    out = chat("в Павлодаре")  # a declined form of the region's name
    assert "Вопрос 2 из 5" in out[0].text
    out = chat("трое")
    assert "Вопрос 3 из 5" in out[0].text and "июль–сентябрь 2026" in out[0].text
    out = chat("сто тысяч")
    assert "Не удалось прочитать сумму" in out[0].text
    out = chat("40 000")  # no period in the text: asked explicitly
    assert "40\u00a0000 ₸ — это в месяц или за весь квартал" in out[0].text
    assert datas(out)[:2] == ["elig:u:month", "elig:u:quarter"]
    out = chat("в месяц")
    assert out[0].text == "Понял: 40\u00a0000 ₸ в месяц = 120\u00a0000 ₸ за квартал."
    assert "Вопрос 4 из 5" in out[1].text  # eligible: the benefit needs two more answers
    out = chat("5")
    assert "не может быть больше 3" in out[0].text
    out = chat("1")
    out = chat("0")
    result = text(out)
    assert result.startswith("⚠️ ПРИМЕР, НЕ ОФИЦИАЛЬНОЕ ЗНАЧЕНИЕ: черта бедности 35\u00a0596 ₸")
    assert "Результат: Семья может получить АСП" in result
    assert "13\u00a0333,33 ₸" in result and "35\u00a0596 ₸" in result and "не превышает" in result
    assert "66\u00a0788 ₸" in result and "22\u00a0262,67 ₸" in result  # 3 × (35,596 − 13,333.33)
    assert "безусловная" in result and "6\u00a0487,5 ₸" in result
    assert "egov.kz" in result and "акимат" in result and "⚠️ Часть порогов" in result
    assert [(r.program, r.outcome) for r in chat.results()] == [("kz-asp", "eligible")]


@pytest.mark.parametrize("typed", ["40 000 в месяц", "40 000/мес", "40к ежемесячно", "120 000 за квартал",
                                   "120 000 за 3 месяца"])
def test_asp_income_per_month_is_not_taken_for_the_quarter(tmp_path: Path, typed: str) -> None:
    """Issue 12: "40 000 в месяц" was read as the quarter's total (13 333 ₸/month → eligible)."""
    chat = Chat(tmp_path, lang="ru")
    chat("/check kz-asp")
    chat(cb="elig:a:region:pavlodar")
    chat("1")
    out = chat(typed)
    assert "120\u00a0000 ₸" in out[0].text and out[0].text.startswith("Понял:")
    result = text(out)
    assert "Результат: Семья не может получить АСП" in result and "40\u00a0000 ₸" in result  # 40,000 > 35,596
    assert "ПРИМЕР, НЕ ОФИЦИАЛЬНОЕ ЗНАЧЕНИЕ" in result


def test_asp_period_button_for_the_quarter(tmp_path: Path) -> None:
    chat = Chat(tmp_path, lang="ru")
    chat("/check kz-asp")
    chat("Павлодарская")
    chat("один")
    chat("106 788")
    out = chat(cb="elig:u:quarter")  # exactly at the line (35,596 × 3): eligible, benefit 0
    assert out[0].text == "Понял: 106\u00a0788 ₸ за квартал."
    result = text(chat("1"))  # one child aged 1–6; no work-duty question: there is no benefit to shape
    assert "Семья может получить АСП" in result and "0 ₸: доход на человека ровно равен черте" in result
    assert "Надбавка на детей 1–6 лет" in result


def test_english_quick_result_and_cancel(tmp_path: Path) -> None:
    chat = Chat(tmp_path, default_lang="en", channel="zalo_bot")
    chat(cb="menu:elig")
    out = chat(cb="elig:p:vn-poverty")
    assert "Question 1 of 15" in out[0].text
    chat(cb="elig:a:area:urban")
    chat("2")
    out = chat("10 million")
    result = text(out)
    assert "Result: Not poor or near-poor" in result
    assert "5,000,000 VND" in result and "3,000,000 VND" in result
    out = chat(cb="elig:again")
    assert "elig:p:vn-poverty" in datas(out)
    chat(cb="elig:p:kz-asp")
    out = chat(cb="elig:cancel")
    assert out[0].text == "Cancelled."
    assert [r.outcome for r in chat.results()] == ["not_poor"]


def test_stale_answer_button_is_refused(tmp_path: Path) -> None:
    chat = Chat(tmp_path)
    chat(cb="menu:elig")
    chat(cb="elig:p:vn-poverty")
    chat(cb="elig:a:area:rural")
    out = chat(cb="elig:a:area:urban")  # an old button of an answered question
    assert "đã cũ" in out[0].text


@pytest.mark.parametrize("word", ["hủy", "отмена"])
def test_typed_cancel_word(tmp_path: Path, word: str) -> None:
    chat = Chat(tmp_path)
    chat(cb="menu:elig")
    chat(cb="elig:p:vn-poverty")
    out = chat(word)
    assert "hủy" in out[0].text.lower()


def test_back_walks_out_step_by_step(tmp_path: Path) -> None:
    chat = Chat(tmp_path)
    chat(cb="menu:elig")
    chat(cb="elig:p:vn-poverty")
    out = chat(cb="elig:back")  # from the first question: back to the program choice
    assert "elig:p:vn-poverty" in datas(out)
    out = chat(cb="elig:back")  # from the program choice: the main menu
    assert "menu:elig" in datas(out)


def test_result_messages_fit_every_channel(tmp_path: Path) -> None:
    for lang in ("vi", "ru"):
        (tmp_path / lang).mkdir()
        chat = Chat(tmp_path / lang, lang=lang)
        chat(cb="menu:elig")
        chat(cb="elig:p:vn-poverty")
        chat(cb="elig:a:area:rural")
        chat("9")
        chat("0")
        out: list[Reply] = []
        for ind in INDICATORS:
            out = chat(cb=f"elig:a:{ind}:1")
        assert len(out) == 3 and all(len(r.text) <= 2000 for r in out)  # Zalo's limit
        assert all(len(c.data.encode()) <= 64 for r in out for c in r.all_choices())


def test_command_with_program_goes_straight_to_the_questions(tmp_path: Path) -> None:
    chat = Chat(tmp_path, lang="ru")
    out = chat("/check kz-asp")
    assert "Вопрос 1 из 5" in out[0].text
    out = chat("/check")
    assert datas(out)[0] == "elig:p:kz-asp"


def test_no_line_for_any_region_is_said_up_front(tmp_path: Path) -> None:
    chat = Chat(tmp_path, lang="ru")
    chat.dialog.clock = lambda: datetime(2027, 5, 1, 5, 0, tzinfo=UTC)  # no row for Q2 2027 at all
    out = chat("/check kz-asp")
    assert "ни для одного региона" in out[0].text and "апрель–июнь 2027" in out[0].text
    assert "Вопрос" not in text(out) and datas(out) == ["menu:main"]

"""Small talk and intents through the whole dialog (real SQLite, KB, search, answerer, the real ask,
eligibility, booking and staff flows): what is not a question is neither searched nor logged, a
stray digit shows the buttons again, requests start their flows; staff dismiss unanswered groups."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from handlers.ask.flow import AskFlow
from handlers.booking.flow import BookingFlow
from handlers.dialog import Dialog
from handlers.eligibility.flow import EligibilityFlow
from handlers.i18n import Catalog
from handlers.models import QueryLog
from handlers.roles import UserRef
from handlers.staff.flow import StaffFlow
from handlers.staff.models import AuditEntry
from handlers.state import MemoryRateLimiter, SqlStateStore
from knowledge.eligibility.registry import RuleRegistry
from tests.fakes.booking_support import FakeClock, make_service
from tests.unit.staff.helpers import STAFF, STAFF_CHAT, StaffEnv, datas, make_env, texts

NOW = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
CATALOG = Catalog.load()
NOTICE = (
    "Hỗ trợ tiền điện cho hộ nghèo\n\nMỗi hộ nghèo được hỗ trợ tiền điện 46.000 đồng mỗi tháng, "
    "chi trả theo quý tại Ủy ban nhân dân xã.\n"
)
NOISE = [("xin chào", "vi", "greeting"), ("chao ad a", "vi", "greeting"), ("cảm ơn nhiều nhé", "vi", "thanks"),
         ("tks ad", "vi", "thanks"), ("oke", "vi", "ok"), ("dạ", "vi", "ok"), ("hihihi", "vi", "laugh"),
         ("👍", "vi", "ok"), ("😊😊", "vi", "emoji"), ("tạm biệt", "vi", "bye"),
         ("Здравствуйте!", "ru", "greeting"), ("спасибо большое", "ru", "thanks"), ("ок", "ru", "ok"),
         ("хахаха", "ru", "laugh"), ("))))", "ru", "laugh"), ("до свидания", "ru", "bye")]


@pytest.fixture()
def env(tmp_path: Path) -> StaffEnv:
    env = make_env(tmp_path)
    env.upload("notice.txt", NOTICE.encode())
    services = env.dialog.services
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    services.rules = RuleRegistry.load_default(extra_dir=rules_dir)
    services.bookings = make_service(env.engine, FakeClock())
    flows = [AskFlow(), EligibilityFlow(), BookingFlow(), StaffFlow()]
    env.dialog = Dialog(CATALOG, services, flows, SqlStateStore(env.engine), limiter=MemoryRateLimiter(1000),
                        clock=lambda: NOW)
    return env


def logged(env: StaffEnv) -> list[str]:
    with Session(env.engine) as s:
        return [q.question for q in s.exec(select(QueryLog)).all()]


def test_small_talk_is_answered_in_its_language_and_never_searched(env: StaffEnv) -> None:
    for i, (text, lang, category) in enumerate(NOISE):
        out = env.send(text, user=str(100 + i), language_code=lang)
        assert out[0].text == CATALOG.t(lang, f"smalltalk.{category}"), text
        assert not [d for d in datas(out) if d.startswith("ask:fwd:")]
    assert logged(env) == []
    assert env.staff.unanswered() == []
    assert texts(env.send("/unanswered", user=STAFF)) == CATALOG.t("vi", "staff.unanswered.empty")


def test_greeting_shows_the_menu_but_a_question_after_a_greeting_is_answered(env: StaffEnv) -> None:
    out = env.send("chào bạn")
    assert "menu:ask" in datas(out) and "menu:elig" in datas(out)
    question = "chào anh, hộ nghèo được hỗ trợ tiền điện bao nhiêu?"
    out = env.send(question)
    assert "46.000 đồng" in texts(out)
    thanks = "спасибо, а какая черта бедности в Павлодаре?"
    env.send(thanks, user="2")
    assert logged(env) == [question, thanks]  # both went to the answerer


def test_a_digit_that_matches_no_button_shows_the_buttons_again(env: StaffEnv) -> None:
    menu = env.send("/menu")
    buttons = datas(menu)
    out = env.send("9")
    assert out[0].text == CATALOG.t("vi", "smalltalk.digit", n=len(buttons)) and datas(out) == buttons
    out = env.send("2")  # a digit that matches still presses its button (the eligibility check)
    assert datas(out)[0] == "elig:p:vn-poverty"
    env.send("/cancel")
    answer = env.send("hộ nghèo được hỗ trợ tiền điện bao nhiêu")
    out = env.send("17")  # after an answer: its buttons (👍 👎 more, source) again, not a search
    assert datas(out) == datas(answer) and len(logged(env)) == 1


def test_digits_typed_inside_a_flow_stay_the_flows(env: StaffEnv) -> None:
    env.press("menu:elig")
    env.press("elig:p:vn-poverty")
    out = env.send("7")  # no 7th answer button: the eligibility flow asks again, no menu
    assert "Câu 1/15" in texts(out) and CATALOG.t("vi", "smalltalk.digit", n=4) not in texts(out)
    assert logged(env) == []


@pytest.mark.parametrize("text", ["cho em gặp cán bộ", "cho em gap can bo", "mình muốn nói chuyện với người thật",
                                  "мне нужен сотрудник", "позовите оператора"])
def test_asking_for_a_person_starts_the_handoff(env: StaffEnv, text: str) -> None:
    out = env.send(text)
    lang = "ru" if text[0] in "мп" else "vi"
    assert out[0].text == CATALOG.t(lang, "ask.contact_prompt") and out[0].input == "text"
    out = env.send("Nhà tôi bị ngập, cần hỗ trợ khẩn cấp")
    to_staff = [r for r in out if r.target == STAFF_CHAT]
    assert len(to_staff) == 1 and "bị ngập" in to_staff[0].text
    assert logged(env) == []


@pytest.mark.parametrize(("text", "program", "lang"), [
    ("nhà em có phải hộ nghèo không", "vn-poverty", "vi"),
    ("kiem tra xem nha e co phai ho ngheo ko", "vn-poverty", "vi"),
    ("gia đình tôi có thuộc diện hộ cận nghèo không ạ", "vn-poverty", "vi"),
    ("мне положена адресная помощь?", "kz-asp", "ru"),
    ("могу ли я получать АСП", "kz-asp", "ru"),
])
def test_eligibility_requests_start_the_check(env: StaffEnv, text: str, program: str, lang: str) -> None:
    out = env.send(text, language_code=lang)
    assert out[0].text == CATALOG.t(lang, "smalltalk.start_eligibility")
    assert any(d.startswith("elig:a:") for d in datas(out)), texts(out)  # the first question of the program
    assert ("Câu 1/" if program == "vn-poverty" else "Вопрос 1 из") in texts(out)
    assert logged(env) == []


@pytest.mark.parametrize("text", ["em muốn đặt phòng họp", "dat phong hop ngay mai", "хочу забронировать зал"])
def test_booking_requests_start_the_booking(env: StaffEnv, text: str) -> None:
    out = env.send(text)
    assert any(d.startswith("bk:room:") for d in datas(out)), texts(out)
    assert logged(env) == []


def test_booking_request_without_rooms_says_so_and_shows_the_menu(env: StaffEnv) -> None:
    env.dialog.services.bookings = None
    out = env.send("đặt phòng họp")
    assert out[0].text == CATALOG.t("vi", "smalltalk.no_booking") and "menu:ask" in datas(out)


def _abstain(env: StaffEnv, question: str, user: str) -> int:
    out = env.send(question, user=user)
    fwd = [d for d in datas(out) if d.startswith("ask:fwd:")]
    assert fwd, texts(out)
    return int(fwd[0].rsplit(":", 1)[1])


def test_staff_dismiss_a_group_in_the_chat(env: StaffEnv) -> None:
    q1 = _abstain(env, "Nhà các tổ chức phi chính phủ mở cửa lúc mấy giờ?", "1")
    _abstain(env, "nha cac to chuc phi chinh phu mo cua may gio", "2")
    q3 = _abstain(env, "Как оформить пособие на ребёнка в Павлодаре?", "3")
    listing = env.send("/unanswered", user=STAFF)
    assert f"staff:dis:{q1}" in datas(listing) and f"staff:dis:{q3}" in datas(listing)

    refused = env.press(f"staff:dis:{q1}", user="1")  # a user is refused, and it is audited
    assert "chỉ dành cho cán bộ" in texts(refused) and len(env.staff.unanswered()) == 2

    out = env.press(f"staff:dis:{q1}", user=STAFF)
    assert out[0].text.startswith("🗑") and "×2" not in texts(out) and f"staff:dis:{q3}" in datas(out)
    assert [g.id for g in env.staff.unanswered()] == [q3]
    with Session(env.engine) as s:
        audit = s.exec(select(AuditEntry).where(AuditEntry.action.in_(["dismiss", "button:dis"]))).all()  # type: ignore[attr-defined]
    assert [(a.action, a.outcome) for a in audit] == [("button:dis", "refused"), ("dismiss", "ok")]
    assert audit[1].actor == STAFF and audit[1].target == f"G{q1}"
    assert texts(env.press(f"staff:dis:{q1}", user=STAFF)) == CATALOG.t("vi", "staff.unanswered.dismiss_gone")

    env.roles.remove(UserRef("telegram", STAFF))
    assert "chỉ dành cho cán bộ" in texts(env.press(f"staff:dis:{q3}", user=STAFF))  # checked on every press
    assert [g.id for g in env.staff.unanswered()] == [q3]

    q4 = _abstain(env, "nhà các tổ chức phi chính phủ mở cửa mấy giờ vậy", "4")  # asked again: it comes back
    groups = {g.id: g.query_ids for g in env.staff.unanswered()}
    assert groups == {q3: [q3], q4: [q4]}
    assert env.staff.stats(7)["questions"]["unanswered_open"] == 2


def test_small_talk_at_the_question_prompt_then_the_question(env: StaffEnv) -> None:
    prompt = env.press("menu:ask")
    assert prompt[0].input == "text"
    assert env.send("cảm ơn ạ")[0].text == CATALOG.t("vi", "smalltalk.thanks")
    assert env.send("5")[0].text == CATALOG.t("vi", "smalltalk.digit_menu")  # no number is a question
    assert "46.000 đồng" in texts(env.send("hộ nghèo được hỗ trợ tiền điện bao nhiêu"))
    assert logged(env) == ["hộ nghèo được hỗ trợ tiền điện bao nhiêu"]

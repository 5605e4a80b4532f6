"""Unanswered questions in the console, in a real chromium against `civicbot run` with the fake
Telegram Bot API: a user asks what the bot cannot answer and asks to be told; staff answer the
group in the console and the answer arrives in the user's Telegram chat; another group is dismissed."""

from __future__ import annotations

import json
import time

from playwright.sync_api import expect

from tests.browser.harness import Civicbot
from tests.browser.kb_shots import docs_shot
from tests.browser.pages import ConsolePage

ASKER, OTHER = 515151, 525252
QUESTION = "Hồ bơi Thủ Đức mở cửa mấy giờ vào chủ nhật?"
NOISE = "Con mèo của tôi thích ăn cá ngừ hay cá hồi hơn?"
ANSWER = "Hồ bơi Thủ Đức mở cửa từ 6 giờ đến 20 giờ vào chủ nhật."


def ask_unanswered(civicbot: Civicbot, user: int, question: str, *, notify: bool) -> None:
    """`user` asks `question` in Telegram, the bot is not sure; with `notify` they press "tell me"."""
    tg = civicbot.telegram
    since = len(tg.texts(user))
    tg.send(user, question)
    deadline = time.monotonic() + 20
    button = None
    while time.monotonic() < deadline and button is None:
        calls = tg._call(lambda: tg.api.sent(user))
        button = next((b["callback_data"] for c in calls[since:] for b in c.buttons()
                       if str(b.get("callback_data", "")).startswith("staff:n:")), None)
        time.sleep(0.1)
    assert button is not None, tg.texts(user)[since:]
    if notify:
        before = len(tg.texts(user))
        tg._call(tg.api.press, user, button)
        tg.wait_text(user, "🔔", since=before)


def open_groups(civicbot: Civicbot) -> list[dict[str, object]]:
    return json.loads(civicbot.cli("unanswered", "--json").stdout)  # type: ignore[no-any-return]


def test_answering_a_group_relays_the_answer_to_the_user(staff: ConsolePage, civicbot: Civicbot) -> None:
    ask_unanswered(civicbot, ASKER, QUESTION, notify=True)
    group = next(g for g in open_groups(civicbot) if g["question"] == QUESTION)
    staff.goto("/unanswered?lang=en")
    assert staff.h1() == "Unanswered questions"
    card = staff.page.locator(f"article#g{group['id']}")
    expect(card.locator("h2")).to_have_text(QUESTION)
    expect(card).to_contain_text("Waiting to be told: 1.")
    staff.shot("unanswered")
    docs_shot(staff, "unanswered")
    since = len(civicbot.telegram.texts(ASKER))
    card.get_by_label("Your answer").fill(ANSWER)
    card.get_by_role("button", name="Save the answer").click()
    expect(staff.page.locator("p.notice")).to_contain_text("Answer saved")
    expect(staff.page.locator(f"article#g{group['id']}")).to_have_count(0)
    relayed = civicbot.telegram.wait_text(ASKER, ANSWER, since=since, timeout=20)
    assert QUESTION in relayed  # "Staff answered your question «…»" in the asker's language
    assert all(g["id"] != group["id"] for g in open_groups(civicbot))
    entry = next(e for e in json.loads(civicbot.cli("audit", "--json").stdout) if e["action"] == "answer")
    assert (entry["actor"], entry["channel"], entry["target"]) == (
        f"telegram:{civicbot.admin}", "web", f"G{group['id']}")
    staff.shot("answered")


def test_dismissing_a_group_is_civicbot_unanswered_dismiss(staff: ConsolePage, civicbot: Civicbot) -> None:
    ask_unanswered(civicbot, OTHER, NOISE, notify=False)
    group = next(g for g in open_groups(civicbot) if g["question"] == NOISE)
    staff.goto("/unanswered?lang=ru")
    card = staff.page.locator(f"article#g{group['id']}")
    card.get_by_role("button", name="Отклонить").click()
    expect(staff.page.locator("p.notice")).to_be_visible()
    expect(staff.page.locator(f"article#g{group['id']}")).to_have_count(0)
    assert all(g["id"] != group["id"] for g in open_groups(civicbot))
    entry = next(e for e in json.loads(civicbot.cli("audit", "--json").stdout) if e["action"] == "dismiss")
    assert (entry["actor"], entry["channel"], entry["outcome"]) == (f"telegram:{civicbot.admin}", "web", "ok")

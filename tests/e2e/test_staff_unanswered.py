"""Unanswered questions: users abstained on, staff answer once in the chat, the people who asked are
told, and the bot answers the same question from then on (real KB, search and answerer)."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.flow import PENDING_REPLIES
from handlers.i18n import Catalog
from handlers.messages import Target
from handlers.roles import UserRef
from handlers.staff.flow import pending_relay_replies
from tests.unit.staff.helpers import STAFF, STAFF_CHAT, StaffEnv, datas, make_env, texts

NOTICE = (
    "Hỗ trợ tiền điện cho hộ nghèo\n\nMỗi hộ nghèo được hỗ trợ tiền điện 46.000 đồng mỗi tháng, "
    "chi trả theo quý tại Ủy ban nhân dân xã.\n"
)
HOURS_Q = "Nhà các tổ chức phi chính phủ mở cửa lúc mấy giờ?"
HOURS_Q2 = "nha cac to chuc phi chinh phu mo cua may gio"
HOURS_A = "Nhà các tổ chức phi chính phủ mở cửa từ 8 giờ đến 17 giờ, từ thứ Hai đến thứ Sáu."
OTHER_Q = "Как оформить пособие на ребёнка в Павлодаре?"


@pytest.fixture()
def env(tmp_path: Path) -> StaffEnv:
    env = make_env(tmp_path)
    env.upload("notice.txt", NOTICE.encode())
    return env


def ask_and_abstain(env: StaffEnv, question: str, user: str) -> int:
    out = env.send(question, user=user)
    fwd = [d for d in datas(out) if d.startswith("ask:fwd:")]
    assert fwd, f"expected an abstention for {question!r}: {texts(out)}"
    return int(fwd[0].rsplit(":", 1)[1])


def test_staff_answer_is_relayed_and_then_answered_by_the_bot(env: StaffEnv) -> None:
    q1 = ask_and_abstain(env, HOURS_Q, "1")
    env.press(f"ask:fwd:{q1}", user="1")  # a handoff is an opt-in
    q2 = ask_and_abstain(env, HOURS_Q2, "2")
    assert "🔔" in texts(env.press(f"staff:n:{q2}", user="2"))  # an explicit opt-in
    ask_and_abstain(env, OTHER_Q, "3")  # another topic, nobody opted in

    listing = env.send("/unanswered", user=STAFF)
    assert "×2" in texts(listing) and "×1" in texts(listing)
    assert datas(listing)[0] == f"staff:ans:{q1}"  # the most frequent group first, id = its first question

    prompt = env.press(f"staff:ans:{q1}", user=STAFF)
    assert HOURS_Q in texts(prompt) and prompt[0].input == "text"
    out = env.send(HOURS_A, user=STAFF)
    relays = [r for r in out if r.target is not None and r.target != STAFF_CHAT]
    assert {r.target for r in relays} == {Target("telegram", "1"), Target("telegram", "2")}
    alert = [r for r in out if r.target == STAFF_CHAT]
    assert len(alert) == 1 and HOURS_Q in alert[0].text and STAFF in alert[0].text  # the staff chat is told
    assert all(HOURS_A in r.text for r in relays)
    assert "2 câu hỏi" in out[0].text and "cho 2 người" in out[0].text

    answered = env.send("nhà các tổ chức phi chính phủ mở cửa mấy giờ", user="4")
    assert "8 giờ đến 17 giờ" in answered[0].text
    assert not [d for d in datas(answered) if d.startswith("ask:fwd:")]

    left = env.send("/unanswered", user=STAFF)
    assert "×1" in texts(left) and HOURS_Q not in texts(left)
    assert not env.staff.pending_relays()  # delivered once, not again


def test_downvoted_answer_is_listed_and_curated_answer_wins(env: StaffEnv) -> None:
    out = env.send("hộ nghèo được hỗ trợ tiền điện bao nhiêu", user="5")
    up_down = [d for d in datas(out) if d.startswith("ask:fb:down:")]
    env.press(up_down[0], user="5")
    groups = env.staff.unanswered()
    assert len(groups) == 1 and groups[0].members[0].reason == "downvoted"


def test_answer_from_the_console_waits_for_delivery(env: StaffEnv) -> None:
    q1 = ask_and_abstain(env, HOURS_Q, "1")
    env.press(f"staff:n:{q1}", user="1")
    result = env.staff.answer(f"G{q1}", HOURS_A, actor="cli:root", channel="cli")
    assert result.resolved == 1 and len(result.relays) == 1
    sent = pending_relay_replies(Catalog.load(), env.staff)
    assert [r.target for r in sent] == [Target("telegram", "1")] and HOURS_A in sent[0].text
    assert pending_relay_replies(Catalog.load(), env.staff) == []
    assert "8 giờ" in env.send(HOURS_Q2, user="6")[0].text  # the search picked the entry up by itself


def test_opt_in_only_for_your_own_question(env: StaffEnv) -> None:
    q1 = ask_and_abstain(env, HOURS_Q, "1")
    assert "cũ" in texts(env.press(f"staff:n:{q1}", user="2"))
    assert "cũ" in texts(env.press("staff:n:99999", user="1"))


def test_typing_the_answer_after_losing_the_role_is_refused(env: StaffEnv) -> None:
    q1 = ask_and_abstain(env, HOURS_Q, "1")
    env.press(f"staff:ans:{q1}", user=STAFF)
    env.roles.remove(UserRef("telegram", STAFF))
    out = env.send(HOURS_A, user=STAFF)
    assert "chỉ dành cho cán bộ" in texts(out)
    assert len(env.staff.unanswered()) == 1  # nothing stored


def test_empty_answer_keeps_asking(env: StaffEnv) -> None:
    q1 = ask_and_abstain(env, HOURS_Q, "1")
    env.press(f"staff:ans:{q1}", user=STAFF)
    out = env.send(" … ", user=STAFF)
    assert "trống" in texts(out) and out[0].input == "text"
    assert len(env.staff.unanswered()) == 1
    out = env.send("Có.", user=STAFF)  # a short answer is still an answer
    assert env.staff.unanswered() == []


def test_console_answers_reach_the_runner_through_the_flow_contract(env: StaffEnv) -> None:
    """The runner finds waiting console answers by capability (PENDING_REPLIES), not by naming a flow."""
    provider = env.dialog.registry.capability(PENDING_REPLIES)
    assert provider is not None
    assert provider.pending_replies(env.dialog.services, env.dialog.catalog) == []
    q1 = ask_and_abstain(env, HOURS_Q, "1")
    env.press(f"staff:n:{q1}", user="1")
    env.staff.answer(f"G{q1}", HOURS_A, actor="cli:root", channel="cli")
    sent = provider.pending_replies(env.dialog.services, env.dialog.catalog)
    assert [r.target for r in sent] == [Target("telegram", "1")] and HOURS_A in sent[0].text
    assert provider.pending_replies(env.dialog.services, env.dialog.catalog) == []

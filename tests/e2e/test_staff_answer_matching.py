"""A staff answer answers the questions it was written for and their paraphrases, not every
question on the same topic (real KB, search and answerer; issue 10 item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.staff.helpers import STAFF, StaffEnv, datas, make_env, texts

NOTICE = (
    "Hỗ trợ tiền điện cho hộ nghèo\n\nMỗi hộ nghèo được hỗ trợ tiền điện 46.000 đồng mỗi tháng, "
    "chi trả theo quý tại Ủy ban nhân dân xã.\n"
)
LOAN_Q = "Hộ nghèo vay vốn ưu đãi ở đâu, lãi suất bao nhiêu?"
LOAN_A = "Hộ nghèo vay vốn ưu đãi tại Ngân hàng Chính sách xã hội, lãi suất 6,6% một năm."


@pytest.fixture()
def env(tmp_path: Path) -> StaffEnv:
    env = make_env(tmp_path)
    env.upload("notice.txt", NOTICE.encode())
    out = env.send(LOAN_Q, user="1")
    qid = next(int(d.rsplit(":", 1)[1]) for d in datas(out) if d.startswith("ask:fwd:"))
    env.staff.answer(f"G{qid}", LOAN_A, actor="cli:root", channel="cli")
    return env


def test_paraphrases_get_the_staff_answer_marked_as_such(env: StaffEnv) -> None:
    for q in ("ho ngheo vay von uu dai o dau lai suat bao nhieu", "hộ nghèo vay vốn ưu đãi lãi suất bao nhiêu ở đâu"):
        out = env.send(q, user="2")
        assert LOAN_A in out[0].text, q
        assert "câu trả lời của cán bộ" in out[0].text, "the citation names it a staff answer"


def test_same_topic_questions_it_does_not_answer_do_not_get_it(env: StaffEnv) -> None:
    for q in ("kiem tra xem nha e co phai ho ngheo ko", "hộ nghèo được hỗ trợ tiền điện bao nhiêu",
              "hộ nghèo có được vay vốn mua xe máy không"):
        out = env.send(q, user="3")
        assert LOAN_A not in texts(out), q
    assert "46.000" in env.send("hộ nghèo được hỗ trợ tiền điện bao nhiêu", user="3")[0].text
    assert STAFF

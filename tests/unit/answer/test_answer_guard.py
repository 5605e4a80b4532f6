"""The answerer never states another place's, year's or country's fact as the answer, and a staff
answer is used only for the questions it was written for (retrieval/vetting.py via Answerer)."""

from __future__ import annotations

import json

from retrieval.answer import Answerer
from retrieval.confidence import ConfidenceModel

from .conftest import SONLA_VI, FakeSearch, make_hit

COVERAGE_MODEL = ConfidenceModel({"cov_passage": 10.0}, -5.0)
TUYEN_QUANG = ("UBND tỉnh Tuyên Quang vừa ban hành Kế hoạch số 79/KH-UBND thực hiện Tiểu dự án 3, Chương trình 135 "
               "thuộc Chương trình mục tiêu quốc gia Giảm nghèo bền vững giai đoạn 2017-2020 trên địa bàn tỉnh.")
ASP_RU = ("Черта бедности в Казахстане разная в каждом регионе. "
          "Например, черта бедности в Актюбинской области в I квартале 2026 года — 37 060 тенге.")
ASP_APPLY_VI = ("Muốn xét trợ cấp ASP, nộp đơn trực tuyến trên cổng egov.kz hoặc tại trung tâm dịch vụ công. "
                "Đơn xét trợ cấp cho hộ nghèo ở Kazakhstan được xem xét trong 7 ngày.")
REVIEW_VI = ("Hộ gia đình muốn được xét hộ nghèo nộp đơn đề nghị tại Ủy ban nhân dân cấp xã. "
             "Đơn xét hộ nghèo được xem xét trong đợt rà soát hằng năm.")


def _answer(hits: list, question: str, **kw: object):  # type: ignore[no-untyped-def]
    return Answerer(FakeSearch(hits), threshold=0.5, model=COVERAGE_MODEL).answer(question, **kw)  # type: ignore[arg-type]


def test_another_years_figure_is_a_labelled_mismatch_not_an_answer() -> None:
    hits = [make_hit("sonla", SONLA_VI, title="Sơn La và viện trợ phi chính phủ")]
    right = _answer(hits, "Năm 2016 tỉnh Sơn La tiếp nhận bao nhiêu khoản viện trợ?")
    assert not right.abstained and "13 khoản" in right.text and right.mismatch is None
    wrong = _answer(hits, "Năm 2018 tỉnh Sơn La tiếp nhận bao nhiêu khoản viện trợ?")
    assert wrong.abstained and wrong.mismatch is not None
    assert wrong.to_json()["mismatch"] == {"kind": "year", "asked": "2018", "found": "2016"}
    assert "13 khoản" in wrong.text and wrong.citations[0].doc_id == "sonla", "the nearest fact, cited"


def test_another_provinces_plan_is_a_mismatch_in_any_spelling() -> None:
    hits = [make_hit("tq", TUYEN_QUANG, title="Nâng cao năng lực quản lý Chương trình 135")]
    for q in ("Kế hoạch thực hiện Chương trình 135 của tỉnh Hà Giang có số hiệu là gì?",
              "ke hoach thuc hien chuong trinh 135 cua tinh ha giang co so hieu la gi"):
        ans = _answer(hits, q)
        assert ans.abstained and ans.mismatch is not None, q
        assert (ans.mismatch.asked, ans.mismatch.found) == ("Hà Giang", "Tuyên Quang")
    ok = _answer(hits, "ke hoach thuc hien chuong trinh 135 cua tinh tuyen quang co so hieu la gi")
    assert not ok.abstained and "79/KH-UBND" in ok.text


def test_russian_case_forms_of_another_region() -> None:
    hits = [make_hit("asp", ASP_RU, title="Черта бедности", lang="ru")]
    ans = _answer(hits, "какая черта бедности в алматы в 2026 году")
    assert ans.abstained and ans.mismatch is not None and ans.mismatch.kind == "place"
    ok = _answer(hits, "какая черта бедности в актюбинской области в 2026 году")
    assert not ok.abstained and "37 060" in ok.text


def test_a_vietnamese_question_is_not_answered_from_kazakhstan() -> None:
    kz = make_hit("kz-asp-vi", ASP_APPLY_VI, title="Trợ cấp ASP ở Kazakhstan", chunk_id=1)
    kz.region = "KZ"
    vn = make_hit("vn-review", REVIEW_VI, title="Rà soát hộ nghèo", chunk_id=2)
    vn.region = "VN"
    ans = _answer([kz, vn], "nộp đơn ở đâu để được xét hộ nghèo trợ cấp")
    assert not ans.abstained and ans.citations[0].doc_id == "vn-review"
    named = _answer([kz, vn], "ở Kazakhstan nộp đơn xét trợ cấp ASP ở đâu")
    assert not named.abstained and named.citations[0].doc_id == "kz-asp-vi"
    only_kz = _answer([kz], "nộp đơn xét trợ cấp ở đâu", channel="zalo_bot")
    assert only_kz.abstained and only_kz.mismatch is not None
    assert (only_kz.mismatch.kind, only_kz.mismatch.found) == ("country", "Kazakhstan")
    assert _answer([kz], "nộp đơn xét trợ cấp ở đâu", country="KZ").mismatch is None


def _staff(question: str, answer: str) -> object:
    hit = make_hit("qa-9", f"{question}\n{answer}", title=question, kind="qa", chunk_id=9)
    return hit


LOAN_Q = "Hộ nghèo vay vốn ưu đãi lãi suất bao nhiêu?"
LOAN_A = "Hộ nghèo vay vốn tại Ngân hàng Chính sách xã hội với lãi suất ưu đãi 6,6%/năm."


def test_staff_answer_only_for_paraphrases_of_its_question() -> None:
    qa = _staff(LOAN_Q, LOAN_A)
    doc = make_hit("poverty", "Hộ nghèo là hộ có thu nhập thấp. Chuẩn nghèo do Chính phủ quy định.", chunk_id=1)
    for q in ("ho ngheo vay von uu dai lai suat bao nhieu", "lãi suất vay vốn ưu đãi cho hộ nghèo là bao nhiêu vậy"):
        ans = _answer([qa, doc], q)
        assert not ans.abstained and ans.text == LOAN_A, q
        cite = ans.citations[0].to_json()
        assert cite["doc_id"] == "qa-9" and cite["staff_answer"] is True
    for q in ("kiem tra xem nha e co phai ho ngheo ko", "hộ nghèo là gì", "hộ nghèo được vay vốn mua nhà không"):
        ans = _answer([qa, doc], q)
        assert ans.text != LOAN_A, q
        assert all(c.doc_id != "qa-9" for c in ans.citations), q


def test_a_document_that_answers_better_wins_over_a_staff_answer() -> None:
    qa = _staff("Sơn La có bao nhiêu tổ chức phi chính phủ nước ngoài?", "Khoảng 25 tổ chức.")
    doc = make_hit("sonla", SONLA_VI, title="Sơn La và viện trợ phi chính phủ", chunk_id=1)
    question = "Hiện nay Sơn La có bao nhiêu tổ chức phi chính phủ nước ngoài?"
    assert _answer([qa], question).text == "Khoảng 25 tổ chức.", "a paraphrase of the staff answer's question"
    ans = _answer([qa, doc], question)
    assert not ans.abstained and ans.citations[0].doc_id == "sonla" and "30 tổ chức" in ans.text


def test_json_of_a_decline_lists_closest_sources() -> None:
    hits = [make_hit("sonla", SONLA_VI, title="Sơn La")]
    data = _answer(hits, "Năm 2018 tỉnh Sơn La tiếp nhận bao nhiêu khoản viện trợ?").to_json()
    assert data["abstained"] is True and data["closest"] == [
        {"doc_id": "sonla", "title": "Sơn La", "url": "https://example.org/sonla"}]
    json.dumps(data)



def test_stretches_of_an_answer_about_another_period_are_dropped() -> None:
    from retrieval.vetting import Plan

    text = ("Theo chuẩn nghèo 2022–2025, chuẩn thu nhập ở thành thị là 2.000.000 đồng.\n"
            "Theo chuẩn nghèo 2027–2030, chuẩn thu nhập ở thành thị là 2.800.000 đồng.")
    hit = make_hit("std", text, title="Chuẩn nghèo")
    hit.region = "VN"
    plan = Plan.make(FakeSearch([hit]), "Chuẩn nghèo thành thị giai đoạn 2027-2030 là bao nhiêu?", "vi", [hit])
    trimmed = plan.trim((text, hit, {}, 0.9))
    assert trimmed[0] == "Theo chuẩn nghèo 2027–2030, chuẩn thu nhập ở thành thị là 2.800.000 đồng."
    other = Plan.make(FakeSearch([hit]), "Chuẩn nghèo thành thị là bao nhiêu?", "vi", [hit])
    assert other.trim((text, hit, {}, 0.9))[0] == text
    mixed = ("МРП в Казахстане: 3 692 тенге в 2024 году, 4 325 тенге в 2026 году.\n"
             "На каждого ребёнка в семье-получателе АСП выплачивается 1,5 МРП.")
    kz = make_hit("asp", mixed, title="АСП", lang="ru")
    plan = Plan.make(FakeSearch([kz]), "Сколько составляет МРП в 2022 году?", "ru", [kz])
    assert plan.trim((mixed, kz, {}, 0.9))[0] == mixed, "no stretch about 2022: kept whole, to be declined"

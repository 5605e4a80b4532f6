from __future__ import annotations

import random

from retrieval.extract import MAX_CHARS, extract
from retrieval.sentences import passage_sentences as split_sentences

from .conftest import FOOTBALL_VI, PAVLODAR_RU, POVERTY_VI, SONLA_VI, make_hit


def test_how_much_question_picks_the_sentence_with_the_number() -> None:
    hits = [make_hit("poverty", POVERTY_VI, 0.9), make_hit("sonla", SONLA_VI, 0.3)]
    ext = extract("Thu nhập chuẩn nghèo ở thành thị là bao nhiêu?", hits)
    assert "2.000.000" in ext.text
    assert ext.hit.doc_id == "poverty"


def test_typed_without_diacritics_and_with_a_typo() -> None:
    hits = [make_hit("sonla", SONLA_VI, 0.6), make_hit("poverty", POVERTY_VI, 0.5)]
    ext = extract("nam 2016 son la tiep nhan bao nhieu khoan vien tro", hits)
    assert "13 khoản viện trợ" in ext.text
    ext = extract("co bao nhieu to chuc phi chinh phu nuoc ngaoi o son la", hits)
    assert "30 tổ chức" in ext.text


def test_russian_sum_question() -> None:
    hits = [make_hit("pavlodar", PAVLODAR_RU, 0.7, lang="ru")]
    ext = extract("на какую сумму помог клуб добряков", hits)
    assert "143 млн тенге" in ext.text


def test_a_stub_sentence_brings_its_follower() -> None:
    text = "Hộ nghèo\nĐược hỗ trợ 40 triệu đồng để làm nhà. Câu khác không liên quan gì cả đến nội dung."
    ext = extract("hộ nghèo được hỗ trợ bao nhiêu để làm nhà", [make_hit("d", text)])
    assert "40 triệu đồng" in ext.text


def test_two_equally_good_sentences_are_both_given() -> None:
    text = ("Mức hỗ trợ xây nhà là 40 triệu đồng mỗi hộ. Đây là câu đệm không liên quan. "
            "Mức hỗ trợ sửa nhà là 20 triệu đồng mỗi hộ.")
    ext = extract("mức hỗ trợ nhà là bao nhiêu", [make_hit("d", text)])
    assert ext.text.split("\n") == ["Mức hỗ trợ xây nhà là 40 triệu đồng mỗi hộ.",
                                    "Mức hỗ trợ sửa nhà là 20 triệu đồng mỗi hộ."]


def test_no_hits_no_text() -> None:
    assert extract("bất kỳ", []).text == ""


def test_answers_are_only_source_text() -> None:
    """Property: for many random questions, every line of the answer is a stretch of one source passage."""
    passages = [POVERTY_VI, SONLA_VI, PAVLODAR_RU, FOOTBALL_VI, "Một dòng\n\nHai dòng; ba dòng: bốn.  Năm!"]
    vocab = [w for p in passages for w in p.split()] + ["ko", "dc", "j", "bn", "сколько", "когда", "xyz"]
    rng = random.Random(7)
    for _ in range(300):
        question = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 9)))
        hits = [make_hit(f"d{i}", p, rng.random(), chunk_id=i) for i, p in enumerate(rng.sample(passages, 3))]
        ext = extract(question, hits)
        assert ext.text, question
        assert len(ext.text) <= MAX_CHARS
        assert ext.hit.text in passages
        for line in ext.text.split("\n"):
            assert any(line in p for p in passages), line
        assert {s.hit.doc_id for s in ext.sentences} == {ext.hit.doc_id}, "one document is cited"
        sources = {s.text for h in hits for s in split_sentences(h.text)}
        assert all(s.text in sources for s in ext.sentences)


def test_real_syllables_one_letter_apart_do_not_match_but_typos_do() -> None:
    text = ("Bộ chỉ số bỏ phương tiện tiếp cận thông tin và thêm chỉ số mới ở nhiều nơi trên cả nước. "
            "Chuẩn thu nhập ở khu vực nông thôn là 1.500.000 đồng/người/tháng.")
    ext = extract("chuẩn nông thôn bao nhiêu tiền một tháng", [make_hit("d", text)])
    assert ext.text == "Chuẩn thu nhập ở khu vực nông thôn là 1.500.000 đồng/người/tháng."
    ext = extract("chuan thu nhpa nong thno", [make_hit("d", text)])  # two typos
    assert "1.500.000" in ext.text


def test_the_title_line_is_not_an_answer() -> None:
    text = "Hỗ trợ nhà ở cho hộ nghèo năm 2023\n\nMỗi hộ nghèo được hỗ trợ 40 triệu đồng để xây nhà."
    hit = make_hit("d", text, title="Hỗ trợ nhà ở cho hộ nghèo năm 2023")
    assert extract("hỗ trợ nhà ở hộ nghèo năm 2023 bao nhiêu", [hit]).text.startswith("Mỗi hộ nghèo")


def test_a_question_with_diacritics_does_not_match_a_word_spelled_differently() -> None:
    text = ("Hôm qua đoàn công tác đã tuyên truyền chính sách cho người dân. "
            "Đội tuyển bóng đá của tỉnh đá trận giao hữu vào Chủ nhật.")
    ext = extract("Đội tuyển đá với ai?", [make_hit("news", text, 0.5)])
    assert ext.text.startswith("Đội tuyển bóng đá")


def test_a_document_number_is_not_the_amount_a_how_long_question_wants() -> None:
    text = ("Theo Nghị định 80/2020/NĐ-CP, khoản viện trợ phải được cơ quan có thẩm quyền phê duyệt. "
            "Thời hạn thẩm định khoản viện trợ là 20 ngày.")
    ext = extract("thẩm định khoản viện trợ mất bao lâu", [make_hit("aid", text, 0.5)])
    assert "20 ngày" in ext.text
    plan = "Ngày 23/12/2016, tỉnh ban hành Kế hoạch số 167/KH-UBND về vận động viện trợ. Tỉnh có 30 tổ chức."
    ext = extract("kế hoạch vận động viện trợ là kế hoạch số mấy", [make_hit("plan", plan, 0.5)])
    assert "167/KH-UBND" in ext.text


def test_a_typo_weighs_like_the_word_it_stands_for() -> None:
    from retrieval.extract import Query

    q = Query.of("chuogn trinh cap bao nhieu von")
    q.know(["chương", "trình", "chương", "vốn", "cấp"])
    assert q.alias == {"chuogn": "chuong"} and q.key("chuogn") == "chuong"
    assert q.matched(["chương"]) == {"chuogn"}
    r = Query.of("кто сможет пользоваться услугаси дома")
    r.know(["услуг", "дом", "смогут"])
    assert "услугас" in r.matched(["услуг"])


def test_a_section_heading_is_not_part_of_the_answer() -> None:
    text = ("Кто может получить адресную социальную помощь\n\nЕё получают граждане, кандасы и беженцы, "
            "постоянно проживающие в стране.\n\nКак подать заявление\n\nЗаявление подают через egov.kz.")
    ext = extract("кто может получить адресную социальную помощь", [make_hit("asp", text, 0.9, lang="ru")])
    assert ext.text.startswith("Её получают граждане")
    assert "Кто может получить" not in ext.text and "\n\n" not in ext.text

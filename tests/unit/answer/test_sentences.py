from __future__ import annotations

from knowledge.text import reply_language as detect_lang
from knowledge.text import split_sentences
from retrieval.sentences import content_terms, is_numeric_question


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_vietnamese_numbers_and_abbreviations_do_not_split() -> None:
    text = ("Thu nhập 1.500.000 đồng/người/tháng ở nông thôn. TP. Hồ Chí Minh áp dụng mức 2.000.000 đồng. "
            "Còn lại hơn 3,5 tỷ đồng! Ông Nguyễn V. An cho biết thêm?")
    assert texts(text) == [
        "Thu nhập 1.500.000 đồng/người/tháng ở nông thôn.",
        "TP. Hồ Chí Minh áp dụng mức 2.000.000 đồng.",
        "Còn lại hơn 3,5 tỷ đồng!",
        "Ông Nguyễn V. An cho biết thêm?",
    ]


def test_russian_abbreviations_initials_and_lowercase_continuation() -> None:
    text = ("Дом откроется в 2018 г. до конца года. Т.е. всё хорошо, т.е. нормально. "
            "А. С. Пушкин писал. Клуб помог на 143 млн тенге.")
    assert texts(text) == [
        "Дом откроется в 2018 г. до конца года.",
        "Т.е. всё хорошо, т.е. нормально.",
        "А. С. Пушкин писал.",
        "Клуб помог на 143 млн тенге.",
    ]


def test_lines_are_boundaries_and_spans_are_exact_substrings() -> None:
    text = "Tiêu đề không có dấu chấm\n\n  Câu thứ nhất.  Câu thứ hai...\n• Mục ba;\n"
    spans = split_sentences(text)
    assert [s.text for s in spans] == ["Tiêu đề không có dấu chấm", "Câu thứ nhất.", "Câu thứ hai...", "• Mục ba;"]
    for s in spans:
        assert text[s.start : s.end] == s.text


def test_overlong_sentence_is_cut_at_semicolons() -> None:
    parts = ["mục tiêu số " + str(i) + " " + "rất dài " * 12 for i in range(6)]
    text = "; ".join(parts) + "."
    spans = split_sentences(text, max_chars=200)
    assert len(spans) == 6
    assert all(len(s.text) <= 200 for s in spans)
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_detect_lang() -> None:
    assert detect_lang("Когда откроется Дом НПО?") == "ru"
    assert detect_lang("ho ngheo duoc ho tro gi") == "vi"
    assert detect_lang("12345", default="ru") == "ru"
    assert detect_lang("???") == "vi"


def test_terms_fold_diacritics_chat_abbreviations_and_numbers() -> None:
    full = content_terms("Hộ nghèo không được hỗ trợ bao nhiêu? 1.500.000 đồng")
    typed = content_terms("ho ngheo ko dc ho tro bn 1,500,000 dong")
    assert full == typed
    assert "1500000" in full


def test_russian_terms_are_stemmed() -> None:
    assert content_terms("неправительственных организаций") == content_terms("неправительственная организация")
    assert content_terms("НПО") == content_terms("неправительственные организации")


def test_numeric_questions() -> None:
    assert is_numeric_question("Hộ nghèo được hỗ trợ bao nhiêu tiền?")
    assert is_numeric_question("ho ngheo dc bn tien")
    assert is_numeric_question("Когда откроется дом НПО?")
    assert is_numeric_question("сколько денег")
    assert not is_numeric_question("Ai là chủ tịch tỉnh?")


def test_diacritics_typed_by_the_user_must_agree() -> None:
    from retrieval.sentences import same_word

    assert same_word("hộ", "hộ") and same_word("ho", "hộ") and same_word("hộ", "ho")
    assert not same_word("đá", "đã") and not same_word("tuyển", "tuyên")
    # With marks, `thị` and `đá` are words; `thì` and `đã` stay stop words. Without, all four fold away.
    assert content_terms("khu vực thành thị thì đã đá bóng", marks=True) == ["khu", "vực", "thành", "thị", "đá", "bóng"]
    assert content_terms("khu vực thành thị thì đã đá bóng") == ["khu", "vuc", "thanh", "bong"]


def test_question_words_with_a_typo_still_make_a_how_much_question() -> None:
    for typed in ("bao nhiu tien", "bao nieu von", "bao nhiue", "сколко стоит", "кгда откроется"):
        assert is_numeric_question(typed), typed
    assert content_terms("bao nhiu von") == content_terms("bao nhiêu vốn") == ["von"]
    assert not is_numeric_question("столько всего")


def test_russian_short_i_survives_folding_so_adjectives_stem_alike() -> None:
    assert content_terms("Павлодарской области") == content_terms("павлодарская область")
    assert content_terms("какой") == []  # a stop word again once `й` is kept

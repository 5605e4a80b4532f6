"""knowledge.text.sentences: the one sentence splitter (chunking, answering, long messages)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.text import sentence_spans, sentence_texts, split_sentences

PIECES = st.lists(st.sampled_from([
    "Hộ nghèo", "được hỗ trợ", "1.500.000 đồng", "TP.", "г.", "т.е.", "А.", "Điều 3.", "1.", "v.v.", "Дом НПО",
    "откроется", "в 2026 г..", "Nghị định 07/2021/NĐ-CP", ".", "!", "?", "…", "...", ";", ":", "—", "«", "»", "\n",
    "\n\n", "  ", "ok", "Ёлка", "đ", "x",
]), max_size=40).map(" ".join)


def test_numbers_abbreviations_initials_and_numbering_do_not_split() -> None:
    text = ("Chuẩn nghèo là 1.500.000 đồng theo Nghị định 07/2021/NĐ-CP. TP. Hồ Chí Minh áp dụng chuẩn riêng. "
            "Điều 3. Hộ nghèo được hỗ trợ. В г. Павлодар работает А. С. Иванов, т.е. сотрудник. 1. Первый пункт.")
    assert sentence_texts(text) == [
        "Chuẩn nghèo là 1.500.000 đồng theo Nghị định 07/2021/NĐ-CP.",
        "TP. Hồ Chí Minh áp dụng chuẩn riêng.",
        "Điều 3. Hộ nghèo được hỗ trợ.",
        "В г. Павлодар работает А. С. Иванов, т.е. сотрудник.",
        "1. Первый пункт.",
    ]


def test_a_lowercase_continuation_is_the_same_sentence() -> None:
    text = "Он сказал: «Я здесь, чтобы… с радостью помочь». Потом ушёл. Ngày 5. tháng sau thì sao? Vâng."
    assert sentence_texts(text) == [
        "Он сказал: «Я здесь, чтобы… с радостью помочь».",
        "Потом ушёл.",
        "Ngày 5. tháng sau thì sao?",
        "Vâng.",
    ]


def test_a_doubled_dot_after_an_abbreviation_ends_the_sentence() -> None:
    assert sentence_texts("Город объединился в 1968 г.. Объединение дало площадь.") == [
        "Город объединился в 1968 г..", "Объединение дало площадь."]


def test_a_plural_noun_is_not_taken_for_an_abbreviation() -> None:
    # `тел.` is also "телефон", but `небесных тел.` ends a sentence: the word is not in the list
    assert sentence_texts("Он объяснил орбиты небесных тел. Майкл Фарадей показал другое.") == [
        "Он объяснил орбиты небесных тел.", "Майкл Фарадей показал другое."]


def test_line_breaks_end_sentences_and_pieces_without_content_are_dropped() -> None:
    text = "Tiêu đề\n***\n  Câu một.  Câu hai...\n— \n• Mục ba;"
    spans = split_sentences(text)
    assert [s.text for s in spans] == ["Tiêu đề", "Câu một.", "Câu hai...", "• Mục ba;"]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_long_sentences_are_cut_at_semicolons_then_colons_only_when_asked() -> None:
    parts = ["mục tiêu số " + str(i) + " " + "rất dài " * 12 for i in range(6)]
    text = "; ".join(parts) + "."
    assert len(split_sentences(text)) == 1
    cut = split_sentences(text, max_chars=200)
    assert len(cut) == 6 and all(len(s.text) <= 200 for s in cut)
    colon = "Các đối tượng: " + "người cao tuổi, " * 20 + "trẻ em."
    assert [s.text[:15] for s in split_sentences(colon, max_chars=100)] == ["Các đối tượng:", "người cao tuổi,"]


def test_spans_of_a_slice_are_absolute_offsets() -> None:
    text = "Mở đầu. Câu một. Câu hai. Kết."
    start = text.index("Câu một")
    end = text.index(" Kết")
    assert [text[s:e] for s, e in sentence_spans(text, start, end)] == ["Câu một.", "Câu hai."]


@settings(max_examples=300, deadline=None)
@given(PIECES)
def test_spans_are_ordered_trimmed_substrings_that_cover_every_letter_and_digit(text: str) -> None:
    spans = split_sentences(text)
    assert sentence_texts(text) == [s.text for s in spans]
    last = 0
    for s in spans:
        assert last <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and "\n" not in s.text
        assert any(ch.isalnum() for ch in s.text)
        last = s.end
    covered = {i for s in spans for i in range(s.start, s.end)}
    assert all(i in covered for i, ch in enumerate(text) if ch.isalnum())


@settings(max_examples=200, deadline=None)
@given(PIECES, st.integers(min_value=20, max_value=200))
def test_cutting_long_sentences_only_refines_the_split(text: str, max_chars: int) -> None:
    whole = split_sentences(text)
    for piece in split_sentences(text, max_chars=max_chars):
        assert any(w.start <= piece.start and piece.end <= w.end for w in whole)

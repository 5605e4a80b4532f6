"""knowledge.text.tokens and knowledge.text.stem: the word patterns, scripts, the Russian stemmer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.text import (
    has_diacritics,
    has_latin,
    is_cyrillic,
    letter_words,
    replace_words,
    russian_stem,
    terms,
    word_offsets,
    words,
)

RUSSIAN = st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюя", min_size=1, max_size=14)


def test_word_patterns() -> None:
    text = "Hộ nghèo (2021_2025): 1.500.000 đồng, COVID-19"
    assert words(text) == ["Hộ", "nghèo", "2021_2025", "1", "500", "000", "đồng", "COVID", "19"]
    assert letter_words(text) == ["Hộ", "nghèo", "đồng", "COVID"]
    assert terms(text) == ["Hộ", "nghèo", "2021", "2025", "1.500.000", "đồng", "COVID", "19"]
    assert terms("2,4 lần; 1\u00a0500\u00a0000 тг; 1 500") == ["2,4", "lần", "1\u00a0500\u00a0000", "тг", "1", "500"]
    assert word_offsets("Hà Nội, 2025") == [("Hà", 0), ("Nội", 3), ("2025", 8)]


def test_replace_words_matches_whole_words_case_insensitively() -> None:
    assert replace_words("Ko dc j, kora", {"ko": "không", "dc": "được", "j": "gì"}) == "không được gì, kora"


def test_scripts() -> None:
    assert is_cyrillic("Павлодар") and is_cyrillic("NGO-центр") and not is_cyrillic("Pavlodar")
    assert has_latin("Дом NGO") and not has_latin("Дом НПО 2026")
    assert has_diacritics("hộ nghèo") and not has_diacritics("ho ngheo") and not has_diacritics("ёлка")


def test_russian_stems() -> None:
    assert russian_stem("карагандинской") == russian_stem("карагандинская")
    assert russian_stem("ёлки") == russian_stem("елки")
    assert russian_stem("аким") == "ак" and russian_stem("аким", min_len=3) == "аким"
    assert russian_stem("всё", min_len=4) == "все"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_offsets_point_at_their_words(text: str) -> None:
    for word, at in word_offsets(text):
        assert text[at : at + len(word)] == word
    assert all(w in text for w in terms(text))


@settings(max_examples=300, deadline=None)
@given(RUSSIAN, st.integers(min_value=0, max_value=5))
def test_a_stem_is_a_beginning_of_the_word(word: str, min_len: int) -> None:
    plain = word.replace("ё", "е")
    stem = russian_stem(word, min_len)
    assert plain.startswith(stem)
    assert len(stem) >= min_len or stem == plain

"""knowledge.text.normalize: typed input and documents in NFC, without controls or invisible characters."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.text import INVISIBLE, clean_input, nfc, normalize_text

NOISY = st.text(alphabet=st.one_of(
    st.sampled_from(list("ab đ ёй\t\n\r\u00a0\u2028\u2029") + ["\u0301", "\u0306", "\u200b", "\u200d", "\ufeff",
                                                           "\u00ad", "\x00", "\x85", "\u202e", "\u3000"]),
    st.characters(),
))


def test_composed_and_decomposed_input_are_the_same_text() -> None:
    assert nfc("Ho\u0302\u0323 nghe\u0300o") == "Hộ nghèo"
    assert clean_input("Ho\u0302\u0323 nghe\u0300o") == "Hộ nghèo"


def test_clean_input_drops_controls_and_invisible_characters_only() -> None:
    assert clean_input("bả\u200bo\x00 hi\u200cểm\u2063\ufeff") == "bảo hiểm"
    assert clean_input("\u202eabc\u200e") == "abc"
    assert clean_input("dòng 1\r\ndòng 2\t❤️ 👨\u200d👩") == "dòng 1\r\ndòng 2\t❤️ 👨👩"
    assert clean_input("\u200b\u200b") == ""
    assert clean_input("") == ""


def test_normalize_text_tidies_lines_and_spaces() -> None:
    raw = "\ufeff  Tiêu\u00a0đề \r\n\r\n\r\n  dòng\u200b một  \u2028dòng hai\u2029\n\n"
    assert normalize_text(raw) == "Tiêu đề\n\ndòng một\ndòng hai"
    assert normalize_text("\n\n \t\n") == ""


@settings(max_examples=300, deadline=None)
@given(NOISY)
def test_clean_input_is_nfc_idempotent_and_free_of_invisibles(text: str) -> None:
    once = clean_input(text)
    assert clean_input(once) == once
    assert INVISIBLE.search(once) is None
    assert unicodedata.is_normalized("NFC", once)


@settings(max_examples=300, deadline=None)
@given(NOISY)
def test_normalize_text_is_idempotent_and_tidy(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert "\r" not in once and "\n\n\n" not in once and "  " not in once
    assert once == once.strip("\n")
    assert all(line == line.strip() for line in once.split("\n"))
    assert INVISIBLE.search(once) is None


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126)))
def test_printable_ascii_is_untouched_by_clean_input(text: str) -> None:
    assert clean_input(text) == text

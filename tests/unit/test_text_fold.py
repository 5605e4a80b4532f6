"""knowledge.text.fold: the one folding rule (й kept, ё → е, đ → d, every other mark dropped)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.text import fold, fold_lower, has_marks, kazakh_as_russian, match_form

VI_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ"
TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]  # huyền sắc ngã hỏi nặng
MIXED = st.text(alphabet=st.sampled_from(list("aeiouyđĐйЙёЁиИеЕ abcxyzабвгдйклмнопрстуфхцчшщъыьэюя")
                                         + ["\u0300", "\u0301", "\u0303", "\u0306", "\u0308", "\u0309", "\u0323"]))


def test_vietnamese_marks_and_d_bar_fold_to_plain_letters() -> None:
    assert fold("Đà Nẵng đường Hồ Chí Minh") == "Da Nang duong Ho Chi Minh"
    assert fold("Được HỖ TRỢ gì?") == "Duoc HO TRO gi?"
    assert fold_lower("Được HỖ TRỢ gì?") == "duoc ho tro gi?"


def test_every_vietnamese_vowel_with_every_tone_folds_to_its_base_letter() -> None:
    for base, plain in zip("aăâeêioôơuưy", "aaaeeiooouuy", strict=True):
        for tone in TONES:
            letter = unicodedata.normalize("NFC", base + tone)
            assert fold(letter) == plain, (letter, fold(letter))
            assert fold(letter.upper()) == plain.upper()


def test_short_i_is_kept_and_yo_becomes_ye() -> None:
    assert fold("Йошкар-Ола, район, бойкий") == "Йошкар-Ола, район, бойкий"
    assert fold("Ёлка, всё, ещё") == "Елка, все, еще"
    # decomposed input folds the same: и + breve is й, е + diaeresis is е
    assert fold("и\u0306") == "й" and fold("И\u0306") == "Й"
    assert fold("е\u0308") == "е"
    # the breve is kept only on и: other letters lose it (ў → у, ă → a)
    assert fold("ў ă") == "у a"


def test_the_rule_keeps_russian_stems_intact() -> None:
    from knowledge.text import russian_stem

    # the reason for keeping й: folded to и, the stem of a declined place name changes
    assert russian_stem(fold("павлодарской")) == russian_stem("павлодарская") == "павлодарск"
    assert russian_stem("павлодарскои") != "павлодарск"


def test_match_form_is_lowercase_folded_single_spaced() -> None:
    assert match_form("  Quay   LẠI \n") == "quay lai"
    assert match_form("Отмена") == "отмена"
    assert match_form("Следующий  ВТОРНИК") == "следующий вторник"


def test_has_marks() -> None:
    assert has_marks("được") and has_marks("ёлка") and has_marks("Đà")
    assert not has_marks("duoc") and not has_marks("район") and not has_marks("12")


def test_kazakh_letters_as_russian() -> None:
    typed = kazakh_as_russian("Қарағанды, Өскемен, Ақтөбе, Шығыс, Үржар, Іле")
    assert typed == "Караганды, Оскемен, Актобе, Шыгыс, Уржар, Иле"


@settings(max_examples=300, deadline=None)
@given(MIXED)
def test_fold_is_idempotent_and_leaves_no_marks_but_the_short_i(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert unicodedata.is_normalized("NFC", once)
    decomposed = unicodedata.normalize("NFD", once)
    for i, ch in enumerate(decomposed):
        if unicodedata.combining(ch):
            assert ch == "\u0306" and decomposed[i - 1] in "иИ"
    assert "đ" not in once and "Đ" not in once and "ё" not in once and "Ё" not in once


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fold_ignores_how_the_text_was_composed(text: str) -> None:
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_is_unchanged(text: str) -> None:
    assert fold(text) == text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(VI_LETTERS), min_size=1, max_size=8), st.lists(st.sampled_from(TONES), max_size=8))
def test_folded_vietnamese_is_plain_ascii(letters: list[str], tones: list[str]) -> None:
    word = unicodedata.normalize("NFC", "".join(c + t for c, t in zip(letters, tones + [""] * 8, strict=False)))
    assert fold(word).isascii()
    assert fold(word).lower() == fold(word.lower())


@settings(max_examples=200, deadline=None)
@given(MIXED)
def test_match_form_is_idempotent(text: str) -> None:
    once = match_form(text)
    assert match_form(once) == once
    assert once == once.lower().strip() and "  " not in once

from __future__ import annotations

import unicodedata

from knowledge.text import fold, has_diacritics
from knowledge.text import fold_lower as strip_diacritics
from retrieval.analyzers import analyze, expand_abbreviations


def test_vietnamese_keeps_one_letter_syllables() -> None:
    tokens = analyze("Ở xã A, y tế miễn phí à?")
    for word in ("ở", "a", "y", "à"):
        assert word in tokens


def test_passages_get_exact_and_folded_forms() -> None:
    tokens = analyze("Hộ nghèo được hỗ trợ")
    assert tokens == ["hộ", "~ho", "nghèo", "~ngheo", "được", "~duoc", "hỗ", "~ho", "trợ", "~tro"]


def test_folding_maps_d_bar_and_all_tone_marks() -> None:
    assert fold("Đà Nẵng đường") == "Da Nang duong"
    assert strip_diacritics("Được HỖ TRỢ gì?") == "duoc ho tro gi?"


def test_decomposed_and_composed_text_analyze_the_same() -> None:
    composed = "Hỗ trợ người nghèo"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert analyze(decomposed) == analyze(composed)


def test_diacritic_free_query_matches_folded_forms_only() -> None:
    query = analyze("ho ngheo duoc ho tro gi", query=True)
    assert query == ["~ho", "~ngheo", "~duoc", "~ho", "~tro", "~gi"]
    passage = set(analyze("hộ nghèo được hỗ trợ gì"))
    assert set(query) <= passage


def test_query_with_diacritics_keeps_exact_forms() -> None:
    assert analyze("hộ nghèo", query=True) == ["hộ", "~ho", "nghèo", "~ngheo"]
    assert has_diacritics("hộ nghèo") and not has_diacritics("ho ngheo")
    assert not has_diacritics("пособие")  # Cyrillic is not a Vietnamese diacritic


def test_chat_abbreviations_expanded_in_queries() -> None:
    assert expand_abbreviations("ko dc j, ns vs ng ta") == "không được gì, nói với người ta"
    assert expand_abbreviations("K ai đc hỗ trợ") == "không ai được hỗ trợ"
    assert "~khong" in analyze("hok biet", query=True)


def test_abbreviations_are_whole_words_and_not_applied_to_passages() -> None:
    assert expand_abbreviations("kong kodc") == "kong kodc"
    assert "ko" in analyze("ko")  # a passage keeps what it says


def test_russian_stems_yo_and_stop_words() -> None:
    assert analyze("Ёлка") == analyze("елка")
    assert analyze("документов") == analyze("документы") == ["документ"]
    assert analyze("и в на для") == []
    assert analyze("пособия", query=True) == analyze("пособие")


def test_mixed_script_text_uses_rules_per_token() -> None:
    tokens = analyze("Пособие COVID-19 tại Hà Nội")
    assert "пособ" in tokens and "covid" in tokens and "~covid" in tokens and "~ha" in tokens

"""knowledge.text.lang: the one language detector and its three readings."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.text import Detected, detect, detect_language, marked_language, reply_language


def test_documents_and_messages_need_clear_evidence() -> None:
    assert detect_language("Hộ nghèo được hỗ trợ bảo hiểm y tế miễn phí.") == "vi"
    assert detect_language("ho ngheo duoc ho tro bao hiem y te mien phi o dau") == "vi"
    assert detect_language("Дом неправительственных организаций откроется в Павлодаре.") == "ru"
    assert detect_language("Қазақстан Республикасының әлеуметтік көмек туралы заңы") == "other"  # Kazakh
    assert detect_language("The poverty line is set by the government of the country.") == "other"
    assert detect_language("Аким?") == "other"  # too few letters to be sure
    assert detect_language("12345 !!!") == "other"


def test_detect_tells_the_script_and_whether_it_is_sure() -> None:
    assert detect("Аким?") == Detected("ru", False)
    assert detect("ok") == Detected("vi", False)
    assert detect("???") == Detected(None, False)
    assert detect("Когда откроется Дом НПО?") == Detected("ru", True)


def test_a_question_always_gets_an_answer_language() -> None:
    assert reply_language("Аким?") == "ru"
    assert reply_language("ok", default="ru") == "vi"
    assert reply_language("12345", default="ru") == "ru"
    assert reply_language("???", default="en") == "vi"


def test_marked_language_reads_the_cues_of_a_few_words() -> None:
    assert marked_language("спасибо") == "ru"
    assert marked_language("cảm ơn") == "vi"
    assert marked_language("cam on") is None
    assert marked_language("ok 👍") is None


def test_only_the_beginning_of_a_long_text_is_read() -> None:
    text = "Hộ nghèo được hỗ trợ. " * 10 + "Дом НПО откроется скоро. " * 2000
    assert detect_language(text, sample=200) == "vi"
    assert detect_language(text) == "ru"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_the_readings_agree(text: str) -> None:
    found = detect(text)
    assert found.lang in (None, "vi", "ru")
    assert detect_language(text) == (found.lang if found.sure else "other")
    assert reply_language(text, default="ru") == (found.lang or "ru")
    assert not found.sure or found.lang is not None

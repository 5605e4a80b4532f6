"""The text toolkit: every module that reads Vietnamese or Russian text does it with these.

- :mod:`~knowledge.text.normalize`: NFC, control and invisible characters (`clean_input` for what
  people type, `normalize_text` for documents);
- :mod:`~knowledge.text.fold`: diacritic folding, one rule (`й` kept, `ё` → `е`, `đ` → `d`; the
  module doc says why), and `match_form` for comparing typed words;
- :mod:`~knowledge.text.tokens`: the word patterns (`words`, `letter_words`, `word_offsets`,
  `terms`) and scripts (`is_cyrillic`, `has_latin`, `has_diacritics`);
- :mod:`~knowledge.text.stem`: the Russian Snowball stemmer;
- :mod:`~knowledge.text.sentences`: the sentence splitter (chunking, answering, long messages);
- :mod:`~knowledge.text.lang`: the language detector (`vi`, `ru`).

Pure functions of their arguments (caches aside); nothing here imports another project module.
"""

from knowledge.text.fold import fold, fold_lower, has_marks, kazakh_as_russian, match_form
from knowledge.text.lang import LANGS, Detected, detect, detect_language, marked_language, reply_language
from knowledge.text.normalize import INVISIBLE, clean_input, nfc, normalize_text
from knowledge.text.sentences import ABBREVIATIONS, Span, sentence_spans, sentence_texts, split_sentences, trim_spans
from knowledge.text.stem import russian_stem
from knowledge.text.tokens import (
    has_diacritics,
    has_latin,
    is_cyrillic,
    letter_words,
    letters,
    replace_words,
    terms,
    word_offsets,
    words,
)

__all__ = [
    "ABBREVIATIONS",
    "INVISIBLE",
    "LANGS",
    "Detected",
    "Span",
    "clean_input",
    "detect",
    "detect_language",
    "fold",
    "fold_lower",
    "has_diacritics",
    "has_latin",
    "has_marks",
    "is_cyrillic",
    "kazakh_as_russian",
    "letter_words",
    "letters",
    "marked_language",
    "match_form",
    "nfc",
    "normalize_text",
    "replace_words",
    "reply_language",
    "russian_stem",
    "sentence_spans",
    "sentence_texts",
    "split_sentences",
    "terms",
    "trim_spans",
    "word_offsets",
    "words",
]

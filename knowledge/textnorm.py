"""Normalization of text people type: what the dialog, the answerer and the CLI accept as input.

NUL and the other control characters (except tab and line ends) are removed: PostgreSQL refuses a
NUL byte in text, and none of them means anything in a question. Invisible format characters are
removed too, so a word typed or pasted with them inside matches the clean word: zero-width space,
zero-width non-joiner and joiner, word joiner and the invisible operators, the byte-order mark,
the soft hyphen, the combining grapheme joiner, the Mongolian vowel separator, and the
bidirectional marks and embeddings. The result is NFC. A message of only such characters is empty.
"""

from __future__ import annotations

import re
import unicodedata

INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 controls but \t \n \r; DEL; C1 controls
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"  # soft hyphen, CGJ, ALM, fillers, FVS/MVS
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"  # ZW space/joiners, LRM/RLM, bidi, WJ, invisible ops
    "\u3164\ufeff\uffa0\ufff9-\ufffb]"  # Hangul fillers, BOM, interlinear annotation marks
)


def clean_input(text: str) -> str:
    """`text` without control and invisible characters, in NFC (not stripped of spaces)."""
    if not text:
        return text
    if not text.isascii() or INVISIBLE.search(text):
        text = unicodedata.normalize("NFC", INVISIBLE.sub("", text))
    return text

"""Unicode normalization and clean-up: what every text is turned into before it is compared or stored.

`clean_input` (what people type: messages, questions, CLI arguments): NUL and the other control
characters (except tab and line ends) are removed — PostgreSQL refuses a NUL byte in text, and none
of them means anything in a question. Invisible format characters are removed too, so a word typed
or pasted with them inside matches the clean word: zero-width space, zero-width non-joiner and
joiner, word joiner and the invisible operators, the byte-order mark, the soft hyphen, the
combining grapheme joiner, the Mongolian vowel separator, and the bidirectional marks and
embeddings. The result is NFC; a message of only such characters is empty.

`normalize_text` (documents, titles): the same, plus unified line ends, single spaces (every
Unicode space), stripped lines, at most one blank line between paragraphs and none at either end.
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
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")


def nfc(text: str) -> str:
    """`text` in Unicode NFC (precomposed: `ế` is one character however it was typed)."""
    return unicodedata.normalize("NFC", text)


def clean_input(text: str) -> str:
    """`text` without control and invisible characters, in NFC (not stripped of spaces)."""
    if not text:
        return text
    if not text.isascii() or INVISIBLE.search(text):
        text = nfc(INVISIBLE.sub("", text))
    return text


def normalize_text(text: str) -> str:
    """`clean_input`, unified line ends, single spaces, stripped lines, at most one blank line
    between paragraphs, no blank lines at either end."""
    text = clean_input(text)
    if "\r" in text or "\u2028" in text or "\u2029" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _SPACES.sub(" ", text)
    out: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


"""Rendering helpers shared by channel adapters: splitting long text, numbered choices, HTML escaping."""

from __future__ import annotations

import html
from itertools import pairwise

from handlers.messages import Reply, numbered_choices
from knowledge.text import sentence_spans


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into parts of at most `limit` characters, on paragraph, then sentence, then word
    boundaries (a single over-long word is cut hard). Nothing is dropped."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        candidate = f"{current}{piece}" if current else piece.lstrip()
        if len(candidate.rstrip()) <= limit:
            current = candidate
            continue
        if current.strip():
            parts.append(current.rstrip())
        current = piece.lstrip()
    if current.strip():
        parts.append(current.rstrip())
    return parts


def _pieces(text: str, limit: int) -> list[str]:
    """Sentences (knowledge.text) with their trailing whitespace; pieces longer than `limit` are cut on words."""
    bounds = [0, *(s for s, _ in sentence_spans(text)[1:]), len(text)]
    out = [text[a:b] for a, b in pairwise(bounds) if b > a]
    result: list[str] = []
    for piece in out:
        while len(piece) > limit:
            cut = piece.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            result.append(piece[:cut])
            piece = piece[cut:]
        result.append(piece)
    return result


def numbered(reply: Reply) -> str:
    """The reply's text with its choices as a numbered list (for channels without buttons). Every
    answer is numbered; in a typed-input step Back / Cancel are offered as words instead."""
    choices = reply.all_choices()
    if not choices:
        return reply.text
    lines = [reply.text, ""]
    counted = numbered_choices(choices, reply.input)
    lines.extend(f"{i}. {c.label}" for i, c in enumerate(counted, start=1))
    words = [c for c in choices if not c.url and c not in counted]
    if words:
        lines.append("  ".join(f"[{c.label}]" for c in words))
    lines.extend(f"• {c.label}: {c.url}" for c in choices if c.url)
    return "\n".join(lines)


def to_html(reply: Reply) -> str:
    """Telegram HTML parse mode: escape unless the dialog marked the text as safe HTML."""
    return reply.text if reply.html else html.escape(reply.text, quote=False)

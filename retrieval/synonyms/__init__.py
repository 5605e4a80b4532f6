"""Synonyms and abbreviations as data, per language (`vi.tsv`, `ru.tsv` in this package).

Each line: `aliases<TAB>expansion[<TAB>query expansion]`. `content_map()` is what the sentence
scorer uses on questions and documents alike (alias → expansion); `query_map()` is what search sees
in a query (alias → query expansion, defaulting to the expansion). Aliases are whole words,
case-insensitive; a later line overrides an earlier one.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from knowledge.text import nfc

DIR = Path(__file__).parent
LANGS = ("vi", "ru")


@cache
def _load(lang: str) -> tuple[tuple[str, str, str], ...]:
    path = DIR / f"{lang}.tsv"
    out: list[tuple[str, str, str]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = nfc(raw.rstrip("\n"))
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2:
            raise ValueError(f"{path}: a line needs aliases<TAB>expansion: {raw!r}")
        expansion = cols[1].strip()
        query = cols[2].strip() if len(cols) > 2 and cols[2].strip() else expansion
        for alias in cols[0].split(","):
            if alias.strip():
                out.append((alias.strip().lower(), expansion, query))
    return tuple(out)


def content_map(lang: str | None = None) -> dict[str, str]:
    """alias → what it stands for (for matching questions with document sentences)."""
    return {a: e for code in ((lang,) if lang else LANGS) for a, e, _ in _load(code)}


def query_map(lang: str | None = None) -> dict[str, str]:
    """alias → what search should see in a query."""
    return {a: q for code in ((lang,) if lang else LANGS) for a, _, q in _load(code)}

"""The question as the answer extractor reads it, and how much of it a text covers.

`Query` holds the question's content words (folded, stemmed; a question typed without diacritics
has its content words chosen on the restored text), their adjacent pairs and character trigrams.
`Query.matched` finds its words among a text's: exactly, or with one typo on long words, but a word
typed WITH diacritics must agree with the text's (`đá` ≠ `đã`). The coverage functions are shared by
the sentence scorer (retrieval/candidates.py) and the answer's confidence features (retrieval/answer.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from knowledge.text import has_diacritics, has_latin
from retrieval.sentences import (
    content_terms,
    is_numeric_question,
    is_why_question,
    plain,
    same_word,
    trigrams,
    typo_apart,
)


@dataclass
class Query:
    text: str
    terms: list[str]
    term_set: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    grams: frozenset[str]
    numeric: bool
    why: bool = False
    _hits: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _typos: frozenset[str] | None = field(default=None, repr=False)
    _unknown: frozenset[str] = field(default=frozenset(), repr=False)
    _plain: dict[str, str] = field(default_factory=dict, repr=False)
    alias: dict[str, str] = field(default_factory=dict, repr=False)
    """A typo (Vietnamese) → the most frequent vocabulary word it stands for (weighs like it)."""

    def know(self, vocabulary: Iterable[str]) -> None:
        """Vietnamese syllables absent from `vocabulary` are taken for typos: only they match
        fuzzily (two real syllables one letter apart, like `thon`/`thong`, are different words).
        Russian stems always may (they also absorb what the stemmer leaves: `работ`/`работа`).
        A word absent from `vocabulary` weighs like the most frequent word it is a typo of (`alias`)."""
        counts: dict[str, int] = {}
        for v in vocabulary:
            counts[plain(v)] = counts.get(plain(v), 0) + 1
        self._typos = frozenset(t for t in self.term_set if plain(t) not in counts or not plain(t).isascii())
        self._hits.clear()
        self.alias = {}
        self._unknown = frozenset(t for t in self.term_set if plain(t) not in counts)
        for t in self._unknown:
            near = [w for w in counts if _fuzzy(plain(t), w, True)]
            if near:
                self.alias[t] = max(near, key=lambda w: (counts[w], w))

    def key(self, term: str) -> str:
        """The word a question term is weighed as: folded, a typo as the word it stands for."""
        return plain(self.alias.get(term, term))

    def matched(self, terms: Iterable[str]) -> set[str]:
        """The question's terms found among `terms`, exactly or with one typo (long words)."""
        found: set[str] = set()
        fuzzy = self.term_set if self._typos is None else self._typos
        if not self._plain:
            self._plain.update({t: plain(t) for t in self.term_set})
        folded = self._plain
        for w in set(terms):
            hit = self._hits.get(w)
            if hit is None:
                pw = plain(w)
                hit = frozenset(t for t, pt in folded.items() if t == w or (pt == pw and same_word(t, w)) or (
                    t in fuzzy and _fuzzy(pt, pw, t in self._unknown)))
                self._hits[w] = hit
            found |= hit
        return found

    @classmethod
    def of(cls, text: str, restored: str | None = None) -> Query:
        """`restored`: the question with its diacritics put back (when typed without them): it only
        decides which words are content words (`ho can ngheo`: `can` is `cận`, not the stop word
        `cần`; `nha` is `nhà`), the words themselves stay folded so they match any diacritics."""
        terms = content_terms(text, marks=True)
        if restored and has_latin(text) and not has_diacritics(text):
            terms = [plain(t) for t in content_terms(restored, marks=True)] or terms
        return cls(text, terms, frozenset(terms), frozenset(pairwise(terms)),
                   frozenset(trigrams(text)), is_numeric_question(text), is_why_question(text))


def _fuzzy(t: str, w: str, unknown: bool = False) -> bool:
    """`t` is `w` with one typo; or, for a word the passages never use (`unknown`), `w` is its stem
    and the typo is in the ending, which the stemmer then could not strip (`услугаси` → `услуг`)."""
    if unknown and len(w) >= 5 and t.startswith(w) and len(t) - len(w) <= 3 and not w.isascii():
        return True
    return (t[:1] == w[:1] or t[-1:] == w[-1:]) and typo_apart(t, w)


def term_coverage(q: Query, terms: Iterable[str]) -> float:
    """Share of the question's distinct content words present (one typo allowed on long words)."""
    if not q.term_set:
        return 0.0
    return len(q.matched(terms)) / len(q.term_set)


def bigram_coverage(q: Query, terms: Sequence[str]) -> float:
    if not q.bigrams:
        return 0.0
    return len(pairs_found(q, terms)) / len(q.bigrams)


def pairs_found(q: Query, terms: Sequence[str]) -> set[tuple[str, str]]:
    """The question's adjacent word pairs standing together in `terms` (diacritics as `same_word`)."""
    index: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for x, y in pairwise(terms):
        index.setdefault((plain(x), plain(y)), []).append((x, y))
    return {(a, b) for a, b in q.bigrams
            if any(same_word(a, x) and same_word(b, y) for x, y in index.get((plain(a), plain(b)), ()))}


def trigram_coverage(q: Query, text: str) -> float:
    if not q.grams:
        return 0.0
    return len(q.grams & trigrams(text)) / len(q.grams)


"""Is a message small talk (greeting, thanks, ok, laughter, emoji, a stray number) or a request to
start a flow (book a room, check eligibility, talk to a person) rather than a question?

The method is a lexicon match, the lexicon kept as data per language (handlers/smalltalk/lexicon.yaml),
on text normalized the way search normalizes queries (chat abbreviations expanded, lowercased,
diacritics folded). It is built for precision: a message is small talk only when *every* word in it
is a small-talk word or a filler, so a question with a greeting in front stays a question; an intent
needs its concepts (an action and its object, e.g. "gặp" + "cán bộ", "положена" + "мне" + "помощь"),
no interrogative word outside them and at most a couple of other content words.
Pure functions, no I/O after the lexicon is loaded; used by handlers/smalltalk/route.py and the benchmark.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from handlers.jsondata import JsonObject
from knowledge.text import fold, nfc
from knowledge.text import words as word_tokens
from retrieval.analyzers import expand_abbreviations

LEXICON = Path(__file__).with_name("lexicon.yaml")
INTENTS = ("handoff", "booking", "eligibility")
_REPEAT = re.compile(r"(\w)\1{2,}", re.UNICODE)
_INVISIBLE = {"\ufe0f", "\ufe0e", "\u200d", "\u200b", "\u200c", "\u2060", "\ufeff"}

# token labels, in the order a tie between phrases of the same length is broken (first wins)
CONCEPT, EXTRA, QUESTION, TALK, FILLER = "concept", "extra", "question", "talk", "filler"


@dataclass(frozen=True)
class Verdict:
    kind: str
    """`smalltalk`, `digits` or `intent`."""
    category: str
    """smalltalk: greeting, thanks, bye, ok, laugh, emoji; digits: digits; intent: handoff, booking, eligibility."""
    detail: str = ""
    """For an intent, the concept that matched it (`status`, `benefit` ...); empty otherwise."""


@dataclass
class _Phrases:
    """Phrases (tuples of folded words, `*` = prefix) with a label each, looked up by first word."""

    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    prefixed: list[tuple[tuple[str, ...], str]] = field(default_factory=list)

    def add(self, phrase: str, label: str) -> None:
        words = tuple(w[:-1] + "*" if w.endswith("*") and len(w) > 1 else w
                      for w in (" ".join(norm_words(part, expand=False)) + ("*" if part.endswith("*") else "")
                                for part in phrase.split()) if w)
        if not words:
            return
        if words[0].endswith("*"):
            self.prefixed.append((words, label))
        else:
            self.by_first.setdefault(words[0], []).append((words, label))

    def matches(self, tokens: list[str], i: int) -> list[tuple[int, str]]:
        """(length, label) of every phrase that matches at position i."""
        out = []
        for words, label in [*self.by_first.get(tokens[i], ()), *self.prefixed]:
            if i + len(words) <= len(tokens) and all(_word_ok(w, t) for w, t in zip(words, tokens[i:], strict=False)):
                out.append((len(words), label))
        return out


def _word_ok(pattern: str, token: str) -> bool:
    return token.startswith(pattern[:-1]) if pattern.endswith("*") else token == pattern


def norm_words(text: str, *, expand: bool = True) -> list[str]:
    """Words as the lexicon sees them: abbreviations expanded, lowercased, folded (knowledge/text/fold.py:
    ё → е, đ → d, й kept)."""
    text = expand_abbreviations(text) if expand else nfc(text)
    return [fold(w) for w in word_tokens(text.lower())] if text else []


def _symbols(text: str) -> tuple[list[str], str]:
    """The emoji of a message, and its other non-word, non-space characters (emoticons)."""
    emoji, other = [], []
    for ch in text:
        if ch in _INVISIBLE or ch.isspace() or ch.isalnum() or ch == "_":
            continue
        code = ord(ch)
        if 0x1F3FB <= code <= 0x1F3FF:  # skin tones
            continue
        if unicodedata.category(ch) == "So" or 0x1F000 <= code <= 0x1FAFF:
            emoji.append(ch)
        else:
            other.append(ch)
    return emoji, "".join(other)


class Classifier:
    def __init__(self, data: JsonObject) -> None:
        self.max_left = int(data.get("max_left", 2))
        self.order: list[str] = list(data["categories_order"])
        self.emoji = {e: cat for cat, items in (data.get("emoji") or {}).items() for e in items}
        self.emoticons = [(re.compile(p), cat) for cat, pats in (data.get("emoticons") or {}).items() for p in pats]
        self.talk = _Phrases()
        self.patterns: list[tuple[re.Pattern[str], str]] = []
        self.intents: dict[str, tuple[_Phrases, list[list[str]]]] = {}
        langs = [v for k, v in data.items() if isinstance(v, dict) and "smalltalk" in v]
        for lang in langs:
            for cat, phrases in lang["smalltalk"].items():
                for p in phrases:
                    self.talk.add(str(p), f"{TALK}:{cat}")
            for cat, pats in (lang.get("patterns") or {}).items():
                self.patterns += [(re.compile(fold(p)), cat) for p in pats]
            for p in lang.get("fillers") or []:
                self.talk.add(str(p), FILLER)
        for name in INTENTS:
            phrases, needs = _Phrases(), []
            for lang in langs:
                spec = (lang.get("intents") or {}).get(name)
                if not spec:
                    continue
                for concept, items in spec["concepts"].items():
                    for p in items:
                        phrases.add(str(p), f"{CONCEPT}:{concept}")
                for p in spec.get("extra") or []:
                    phrases.add(str(p), EXTRA)
                for p in lang.get("interrogatives") or []:
                    phrases.add(str(p), QUESTION)
                needs += [list(n) for n in spec["need"] if list(n) not in needs]
            self.intents[name] = (phrases, needs)

    # ---- the verdict ---------------------------------------------------------------------
    def classify(self, text: str) -> Verdict | None:
        """None: a question (or anything else) for the answerer."""
        text = "".join(ch for ch in nfc(text) if ch not in _INVISIBLE).strip()
        if not text:
            return None
        bare = re.sub(r"[\s.,;:!?#№)(-]+", "", text)
        if bare.isdigit():
            return Verdict("digits", "digits")
        words = norm_words(text)
        emoji, other = _symbols(text)
        if not words:
            return self._symbols_only(emoji, other)
        talk = self._talk(words, emoji)
        if talk is not None:
            return talk
        return self._intent(words)

    def _symbols_only(self, emoji: list[str], other: str) -> Verdict | None:
        cats = [self.emoji.get(e, "emoji") for e in emoji]
        if other and not emoji:
            cats += [next((cat for rx, cat in self.emoticons if rx.match(other)), "emoji")]
        if not cats:
            return None
        return Verdict("smalltalk", min(cats, key=self.order.index))

    def _token_category(self, token: str) -> str | None:
        return next((cat for rx, cat in self.patterns if rx.match(token)), None)

    def _talk(self, words: list[str], emoji: list[str]) -> Verdict | None:
        cats: list[str] = [self.emoji.get(e, "emoji") for e in emoji]
        i = 0
        while i < len(words):
            found = self.talk.matches(words, i)
            cat = None if found else self._token_category(words[i])
            if cat is not None:
                cats.append(cat)
                i += 1
                continue
            found = found or self.talk.matches(_collapsed(words, i), i)
            if not found:
                return None
            length, label = max(found, key=lambda m: (m[0], m[1] != FILLER))
            if label != FILLER:
                cats.append(label.split(":", 1)[1])
            i += length
        # only fillers ("anh ơi", "бот"): a call for attention, answered like an "ok"
        return Verdict("smalltalk", min(cats, key=self.order.index) if cats else "ok")

    def _intent(self, words: list[str]) -> Verdict | None:
        best: tuple[int, str, str] | None = None
        for name in INTENTS:
            phrases, needs = self.intents[name]
            labels = self._labels(words, phrases)
            if any(QUESTION in lab for lab in labels):
                continue
            concepts = {x.split(":", 1)[1] for lab in labels for x in lab if x.startswith(CONCEPT)}
            need = next((n for n in needs if set(n) <= concepts), None)
            if need is None:
                continue
            left = sum(1 for w, lab in zip(words, labels, strict=True) if not lab and not w.isdigit())
            if left <= self.max_left and (best is None or left < best[0]):
                best = (left, name, need[-1])
        return Verdict("intent", best[1], best[2]) if best else None

    def _labels(self, words: list[str], phrases: _Phrases) -> list[set[str]]:
        """The labels of each word: the intent's longest phrase (its concepts, else extra, else
        question), else small talk or filler; an empty set for the other (content) words."""
        labels: list[set[str]] = []
        i = 0
        while i < len(words):
            found = phrases.matches(words, i)
            if found:
                length = max(n for n, _ in found)
                top = {lab for n, lab in found if n == length}
                kind = next(k for k in (CONCEPT, EXTRA, QUESTION) if any(x.startswith(k) for x in top))
                label = {x for x in top if x.startswith(kind)}
            elif self._token_category(words[i]) is not None or self.talk.matches(words, i):
                talk = self.talk.matches(words, i)
                length, label = (max(talk)[0] if talk else 1), {TALK}
            else:
                length, label = 1, set()
            labels.extend([label] * length)
            i += length
        return labels


def _collapsed(words: list[str], i: int) -> list[str]:
    """The words with letters repeated 3+ times squeezed ("chàooo" → "chào", "приветтт" → "привет")."""
    out = list(words)
    out[i] = _REPEAT.sub(r"\1", words[i])
    return out


@lru_cache(maxsize=1)
def default_classifier() -> Classifier:
    return Classifier(yaml.safe_load(LEXICON.read_text(encoding="utf-8")))


def classify(text: str) -> Verdict | None:
    return default_classifier().classify(text)

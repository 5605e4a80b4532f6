"""Put Vietnamese diacritics back into a query typed without them, from the corpus's own words.

`ho ngheo duoc ho tro gi` is out of distribution for the embedder (dense recall@1 on xquad-vi
falls from 0.89 to 0.21), so before embedding such a query each folded syllable is replaced by
the accented form the indexed texts use most often in the same context (syllable bigrams, then
single syllables; unknown syllables stay as typed). BM25 does not need this: it matches folded forms.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import pairwise

from retrieval.analyzers import FOLD_PREFIX, fold, is_cyrillic, nfc

_WORD = re.compile(r"\w+", re.UNICODE)


class DiacriticRestorer:
    def __init__(self, token_lists: Iterable[list[str]]) -> None:
        bigrams: Counter[tuple[str, str]] = Counter()
        unigrams: Counter[str] = Counter()
        for tokens in token_lists:
            words = [t for t in tokens if not t.startswith(FOLD_PREFIX) and not is_cyrillic(t)]
            unigrams.update(words)
            bigrams.update(pairwise(words))
        self._uni: dict[str, str] = {}
        best: dict[str, int] = {}
        for word, n in unigrams.items():
            key = fold(word)
            if n > best.get(key, 0):
                best[key], self._uni[key] = n, word
        self._bi: dict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
        for (a, b), n in bigrams.items():
            self._bi[(fold(a), fold(b))][(a, b)] = n

    def restore(self, query: str) -> str:
        """The query, lowercased, with diacritics restored on its unaccented words where the
        corpus knows them (words typed with diacritics are kept)."""
        words = [w if is_cyrillic(w) else fold(w) for w in _WORD.findall(nfc(query).lower())]
        typed = _WORD.findall(nfc(query).lower())
        out: list[str] = []
        for i, word in enumerate(words):
            if typed[i] != word:
                out.append(typed[i])
                continue
            votes: Counter[str] = Counter()
            if i + 1 < len(words):
                for (a, _b), n in self._bi.get((word, words[i + 1]), Counter()).items():
                    votes[a] += n
            if out:
                for (a, b), n in self._bi.get((words[i - 1], word), Counter()).items():
                    if a == out[-1]:
                        votes[b] += 2 * n
            out.append(votes.most_common(1)[0][0] if votes else self._uni.get(word, word))
        return " ".join(out) if out else query

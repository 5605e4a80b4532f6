"""Put Vietnamese diacritics back into a query typed without them, from the corpus's own words.

`ho ngheo duoc ho tro gi` is out of distribution for the embedder (dense recall@1 on xquad-vi
falls from 0.89 to 0.21), so before embedding such a query each unaccented syllable is replaced by
the accented form the indexed texts use most often in the same context: votes from the syllable
bigrams with the next and the previous word, else the most frequent form of the syllable alone;
unknown syllables stay as typed. BM25 does not need this: it matches the folded forms.

Built from the BM25 token ids (no second pass over the texts): the exact Latin tokens of each
chunk, in order, give the unigram and bigram counts, vectorized with numpy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from knowledge.text import fold, is_cyrillic, nfc
from knowledge.text import words as word_tokens
from retrieval.analyzers import FOLD_PREFIX
from retrieval.bm25 import Vocabulary


class DiacriticRestorer:
    def __init__(self, token_ids: Sequence[np.ndarray], vocab: Vocabulary) -> None:
        words = vocab.words
        n = len(words)
        self._vocab = vocab
        exact = np.array([not w.startswith(FOLD_PREFIX) and not is_cyrillic(w) for w in words], dtype=bool)
        folded = np.array([vocab.index.get(FOLD_PREFIX + fold(w), -1) if e else -1 for w, e in zip(words, exact,
                                                                                                   strict=True)],
                          dtype=np.int64)  # fmt: skip
        seqs = [t[exact[t]].astype(np.int64) for t in token_ids if len(t)] if n else []
        uni = np.bincount(np.concatenate(seqs), minlength=n) if seqs else np.zeros(n, dtype=np.int64)
        self._best = self._best_forms(folded, uni)
        left = np.concatenate([s[:-1] for s in seqs]) if seqs else np.zeros(0, dtype=np.int64)
        right = np.concatenate([s[1:] for s in seqs]) if seqs else np.zeros(0, dtype=np.int64)
        pairs, counts = np.unique(left * n + right, return_counts=True)
        a, b = pairs // max(n, 1), pairs % max(n, 1)
        key = folded[a] * n + folded[b]
        order = np.argsort(key, kind="stable")
        self._key, self._a, self._b, self._count = key[order], a[order], b[order], counts[order]

    @staticmethod
    def _best_forms(folded: np.ndarray, uni: np.ndarray) -> dict[int, int]:
        """folded token id → id of its most frequent exact form."""
        best: dict[int, int] = {}
        for exact_id in np.nonzero(uni)[0]:
            f, current = int(folded[exact_id]), best.get(int(folded[exact_id]))
            if f >= 0 and (current is None or uni[exact_id] > uni[current]):
                best[f] = int(exact_id)
        return best

    def _pairs(self, fa: int, fb: int) -> list[tuple[int, int, int]]:
        if fa < 0 or fb < 0:
            return []
        key = fa * len(self._vocab) + fb
        lo, hi = np.searchsorted(self._key, [key, key + 1])
        return [(int(self._a[i]), int(self._b[i]), int(self._count[i])) for i in range(lo, hi)]

    def restore(self, query: str) -> str:
        """The query, lowercased, with diacritics restored on its unaccented words where the
        corpus knows them (words typed with diacritics, and Cyrillic words, are kept)."""
        typed = word_tokens(nfc(query).lower())
        fid = [self._vocab.index.get(FOLD_PREFIX + fold(w), -1) for w in typed]
        out: list[str] = []
        for i, word in enumerate(typed):
            if fold(word) != word or is_cyrillic(word):
                out.append(word)
                continue
            votes: Counter[int] = Counter()
            if i + 1 < len(typed):
                for a, _b, n in self._pairs(fid[i], fid[i + 1]):
                    votes[a] += n
            if i:
                prev = self._vocab.index.get(out[-1], -1)
                for a, b, n in self._pairs(fid[i - 1], fid[i]):
                    if a == prev:
                        votes[b] += 2 * n
            best = votes.most_common(1)[0][0] if votes else self._best.get(fid[i])
            out.append(self._vocab.words[best] if best is not None else word)
        return " ".join(out) if out else query

"""One immutable snapshot of the indexes (BM25 + FAISS + chunk records) and hybrid search over it.

A snapshot is never modified after it is built: an update makes a new one (`updated`) from the
old one's token lists and vectors, and the service swaps the reference. Searches in other threads
keep using the snapshot they started with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from knowledge.text import has_diacritics, has_latin
from retrieval.analyzers import analyze, expand_abbreviations
from retrieval.bm25 import BM25Index, Vocabulary
from retrieval.dense import DenseIndex
from retrieval.diacritics import DiacriticRestorer
from retrieval.fusion import Fuser, fuse, ranks, top_indices
from retrieval.types import ChunkRecord, SearchHit

CANDIDATES = 100


@dataclass(frozen=True)
class SearchQuery:
    """A search query prepared once: its BM25 tokens and the text to embed (abbreviations expanded,
    diacritics restored when it was typed without them). Not the answerer's `retrieval.query.Query`,
    which holds a question's comparable words and the state of matching them against sentences."""

    text: str
    tokens: list[str]
    dense_text: str


@dataclass(eq=False)
class HybridIndex:
    version: int
    records: list[ChunkRecord]
    tokens: list[np.ndarray]
    """BM25 token ids of each record (see `vocab`)."""
    vocab: Vocabulary
    dense: DenseIndex
    lexical: BM25Index | None = None
    """Reused as is when given (same chunks); else built from `tokens`."""
    ids: np.ndarray = field(init=False)
    pos: dict[int, int] = field(init=False)
    _masks: dict[tuple[str | None, ...], np.ndarray] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.bm25 = self.lexical or BM25Index(token_ids=self.tokens, vocab=self.vocab)
        self.ids = np.array([r.chunk_id for r in self.records], dtype=np.int64)
        self.pos = {int(cid): i for i, cid in enumerate(self.ids)}
        if self.dense.size != len(self.records):
            raise ValueError(f"dense index has {self.dense.size} vectors for {len(self.records)} chunks")

    @classmethod
    def build(cls, version: int, records: list[ChunkRecord], vectors: np.ndarray, dim: int) -> HybridIndex:
        dense = DenseIndex(dim)
        dense.add(np.array([r.chunk_id for r in records], dtype=np.int64), vectors)
        vocab = Vocabulary()
        return cls(version, records, [vocab.encode(analyze(r.text)) for r in records], vocab, dense)

    def updated(self, version: int, records: list[ChunkRecord], new_vectors: dict[int, np.ndarray]) -> HybridIndex:
        """A new snapshot for `records` (all active chunks); `new_vectors` holds the vectors of
        those not in this one. Token lists and vectors of kept chunks are reused."""
        keep = {r.chunk_id for r in records}
        if keep == set(self.pos):  # metadata changes only: share the indexes
            return HybridIndex(version, records, self.tokens, self.vocab, self.dense, self.bm25)
        dense = self.dense.copy()
        dense.remove(cid for cid in self.pos if cid not in keep)
        added = [r.chunk_id for r in records if r.chunk_id not in self.pos]
        if added:
            dense.add(np.array(added, dtype=np.int64), np.stack([new_vectors[c] for c in added]))
        vocab = self.vocab.copy() if added else self.vocab
        tokens = [
            self.tokens[self.pos[r.chunk_id]] if r.chunk_id in self.pos else vocab.encode(analyze(r.text))
            for r in records
        ]
        return HybridIndex(version, records, tokens, vocab, dense)

    @cached_property
    def restorer(self) -> DiacriticRestorer:
        return DiacriticRestorer(self.tokens, self.vocab)

    def prepare(self, text: str) -> SearchQuery:
        expanded = expand_abbreviations(text)
        typed_without = has_latin(text) and not has_diacritics(text)
        dense_text = self.restorer.restore(expanded) if typed_without else expanded
        return SearchQuery(text, analyze(text, query=True), dense_text)

    def mask(self, lang: str | None, region: str | None, program: str | None) -> np.ndarray | None:
        """Which positions pass the filters (None: no filter); computed once per snapshot."""
        if not (lang or region or program):
            return None
        key = (lang, region, program)
        if key not in self._masks:
            self._masks[key] = self._mask(lang, region, program)
        return self._masks[key]

    def _mask(self, lang: str | None, region: str | None, program: str | None) -> np.ndarray:
        return np.array(
            [
                (not lang or r.lang == lang) and (not region or r.region == region)
                and (not program or r.program == program)
                for r in self.records
            ],
            dtype=bool,
        )  # fmt: skip

    def search(
        self, query: SearchQuery, qvec: np.ndarray | None, k: int, mask: np.ndarray | None, mode: str,
        fuser: Fuser = fuse,
    ) -> list[SearchHit]:  # fmt: skip
        if not self.records or k <= 0 or (mask is not None and not mask.any()):
            return []
        lex = self.bm25.scores(query.tokens) if mode != "dense" else np.zeros(len(self.records))
        if mask is not None:
            lex = np.where(mask, lex, -np.inf)
        top = top_indices(lex, CANDIDATES) if mode != "dense" else np.zeros(0, dtype=np.int64)
        lex_ref = lex[top][np.isfinite(lex[top])]  # the score distribution, zeros included
        lex_top = top[lex[top] > 0]  # candidates: chunks sharing at least one term
        if mode == "bm25":
            return self._hits(lex_top, lex[lex_top], {"bm25": lex[lex_top]}, k)
        assert qvec is not None
        allowed = self.ids[mask] if mask is not None else None
        d_ids, d_scores = self.dense.search(qvec, CANDIDATES, allowed)
        d_pos = np.array([self.pos[int(i)] for i in d_ids], dtype=np.int64)
        if mode == "dense":
            return self._hits(d_pos, d_scores, {"dense": d_scores}, k)
        cand = np.unique(np.concatenate([lex_top, d_pos]))
        dense_c = self.dense.vectors(self.ids[cand]) @ np.asarray(qvec, dtype=np.float32).reshape(-1)
        lex_c = lex[cand]
        weight = self.bm25.coverage(query.tokens) if len(lex_top) else 0.0
        fused = fuser(lex_c, lex_ref, dense_c, d_scores, weight)
        order = np.argsort(-fused, kind="stable")
        return self._hits(
            cand[order], fused[order], {"bm25": lex_c[order], "dense": dense_c[order]}, k
        )

    def _hits(
        self, positions: np.ndarray, scores: np.ndarray, per: dict[str, np.ndarray], k: int
    ) -> list[SearchHit]:
        """Hits in score order, one per document first (its best chunk), then further chunks of
        the same documents if fewer than k documents matched."""
        rank_of = {name: ranks(vals) for name, vals in per.items()}
        firsts: list[int] = []
        rest: list[int] = []
        seen: set[str] = set()
        for i, p in enumerate(positions):
            rec = self.records[int(p)]
            (rest if rec.doc_id in seen else firsts).append(i)
            seen.add(rec.doc_id)
            if len(firsts) >= k:
                break
        chosen = (firsts + rest)[:k]
        return [self._hit(int(positions[i]), float(scores[i]), per, rank_of, i) for i in chosen]

    def _hit(
        self, p: int, score: float, per: dict[str, np.ndarray], rank_of: dict[str, np.ndarray], i: int
    ) -> SearchHit:
        r = self.records[p]
        return SearchHit(
            doc_id=r.doc_id, chunk_id=r.chunk_id, title=r.title, score=score, lang=r.lang, text=r.text,
            url=r.url, published=r.published, region=r.region, program=r.program, kind=r.kind,
            position=r.position, scores={n: float(v[i]) for n, v in per.items()},
            ranks={n: int(v[i]) for n, v in rank_of.items()},
        )  # fmt: skip


def chunk_ids(records: Sequence[ChunkRecord]) -> set[int]:
    return {r.chunk_id for r in records}

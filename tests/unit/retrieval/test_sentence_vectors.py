"""Sentence vectors for the answer extractor: cached in SQL beside chunk vectors, reused, never recomputed."""

from __future__ import annotations

import numpy as np
from sqlalchemy.engine import Engine

from retrieval.embedders import HashEmbedder
from retrieval.sentvec import SentenceVectors, embed_chunk_sentences, sentence_hash, sentence_similarity
from retrieval.service import SearchService


def test_sentence_vectors_are_stored_once_and_read_back(engine: Engine) -> None:
    first = HashEmbedder(64)
    texts = ["Hộ nghèo được hỗ trợ. Hộ cận nghèo cũng vậy.", "Пособие выплачивается ежемесячно."]
    assert embed_chunk_sentences(engine, first, texts, force=True) == 3
    assert embed_chunk_sentences(engine, first, texts, force=True) == 0  # all cached
    second = HashEmbedder(64)  # a new process: the vectors come from SQL, nothing is embedded
    store = SentenceVectors(engine, second)
    vecs = store.get(["Hộ cận nghèo cũng vậy.", "Hộ nghèo được hỗ trợ."])
    assert second.embedded == 0 and vecs.shape == (2, 64)
    assert np.allclose(vecs[1], first.embed_passages(["Hộ nghèo được hỗ trợ."])[0])
    store.get(["Một câu mới."])  # unknown: embedded once, stored, then served from SQL
    assert second.embedded == 1 and SentenceVectors(engine, HashEmbedder(64)).get(["Một câu mới."]).shape == (1, 64)
    assert sentence_hash("x") != sentence_hash("y")


def test_search_keeps_the_query_vector_and_the_restored_text(service: SearchService) -> None:
    service.search("ho ngheo duoc ho tro gi", k=2)
    assert service.query_vector("ho ngheo duoc ho tro gi") is not None
    restored = service.restored_text("ho ngheo duoc ho tro gi")
    assert restored is not None and restored.startswith("hộ nghèo được hỗ trợ")  # from the corpus's words
    assert service.query_vector("never asked") is None
    # the hash embedder has no fitted dense sentence scorer: the lexical scorer runs, no vectors needed
    assert sentence_similarity(service, "ho ngheo duoc ho tro gi") is None
    sims = sentence_similarity(service, "ho ngheo duoc ho tro gi", force=True)
    assert sims is not None and len(sims(["Hộ nghèo được hỗ trợ tiền điện mỗi tháng ở Đà Nẵng."])) == 1

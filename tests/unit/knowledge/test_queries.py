"""The knowledge base as other packages read it (knowledge/queries.py), on a real SQLite store."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from knowledge.queries import active_chunk_texts, corpus_version, sibling_chunks
from knowledge.store import KnowledgeBase
from knowledge.types import DocMeta
from retrieval.context import UNKNOWN, PassageContext

FILLER = "Một câu văn dài để lấp đầy đoạn này mà không nói điều gì đáng kể cả. "


def test_one_corpus_version_for_everyone(engine: Engine, kb: KnowledgeBase) -> None:
    assert corpus_version(engine) == kb.corpus_version() == 0
    kb.add_text("Hộ nghèo được hỗ trợ tiền điện.", DocMeta(title="A", lang="vi"), doc_id="a")
    kb.add_text("Hộ cận nghèo được hỗ trợ bảo hiểm.", DocMeta(title="B", lang="vi"), doc_id="b")
    assert corpus_version(engine) == kb.corpus_version() == 2
    kb.remove("a")
    assert corpus_version(engine) == 3


def test_siblings_and_texts_come_from_active_documents_only(engine: Engine, kb: KnowledgeBase) -> None:
    kb.add_text("Mở đầu.\n\n" + FILLER * 40 + "\n\nKết luận.", DocMeta(title="Dài", lang="vi"), doc_id="long")
    kb.add_text("Văn bản sẽ bị xoá.", DocMeta(title="Xoá", lang="vi"), doc_id="gone")
    kb.remove("gone")
    found = sibling_chunks(engine, ["long", "gone", "missing"])
    assert list(found) == ["long"]
    assert [c.position for c in found["long"]] == sorted(c.position for c in found["long"])
    assert [c.chunk_id for c in found["long"]] == [c.chunk_id for c in kb.chunks("long")]
    assert sibling_chunks(engine, []) == {}
    texts = list(active_chunk_texts(engine))
    assert len(texts) == len(kb.chunks("long")) and not any("xoá" in t for t in texts)


def test_word_weights_follow_the_corpus_version(engine: Engine, kb: KnowledgeBase) -> None:
    context = PassageContext(engine)
    assert context.term_idf() is None  # an empty knowledge base weighs every word alike
    kb.add_text("Hộ nghèo được hỗ trợ tiền điện ở Đà Nẵng.", DocMeta(title="A", lang="vi"), doc_id="a")
    first = context.term_idf()
    assert first is not None and context.term_idf() is first  # cached for this corpus version
    kb.add_text("Hộ nghèo ở Sơn La được hỗ trợ gạo.", DocMeta(title="B", lang="vi"), doc_id="b")
    second = context.term_idf()
    assert second is not None and second is not first
    assert second[UNKNOWN] > first[UNKNOWN]  # more documents: a word the KB never uses weighs more

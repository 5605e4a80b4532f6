"""Sibling chunks come from the real SQL knowledge base (SQLite in tmp_path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.db import create_schema, make_engine
from knowledge.store import KnowledgeBase
from knowledge.types import DocMeta
from retrieval.answer import Answerer
from retrieval.confidence import ConfidenceModel
from retrieval.context import PassageContext

from .conftest import make_hit

FILLER = "Đây là một câu văn dài để lấp đầy đoạn văn này và không chứa thông tin gì đáng kể cả. "


class OneChunkSearch:
    """Returns only the FIRST chunk of the document (as hybrid search returns one chunk per document)."""

    def __init__(self, engine: Any, kb: KnowledgeBase, doc_id: str) -> None:
        self.engine = engine
        first = kb.chunks(doc_id)[0]
        self.hit = make_hit(doc_id, first.text, 3.0, title="Báo cáo", chunk_id=first.chunk_id,
                            bm25=8.0, dense=0.9)

    def search(self, query: str, k: int = 5, lang: str | None = None, region: str | None = None,
               program: str | None = None, mode: str = "hybrid") -> list[Any]:
        return [self.hit]


def _kb(tmp_path: Path) -> tuple[Any, KnowledgeBase]:
    engine = make_engine(f"sqlite:///{(tmp_path / 'kb.db').as_posix()}")
    create_schema(engine)
    return engine, KnowledgeBase(engine)


def test_the_answer_can_come_from_another_chunk_of_the_document(tmp_path: Path) -> None:
    engine, kb = _kb(tmp_path)
    text = "Báo cáo\n\n" + FILLER * 30 + "\n\nTổng kinh phí hỗ trợ năm 2024 là 7,5 tỷ đồng.\n\n" + FILLER * 30
    kb.add_text(text, DocMeta(title="Báo cáo", lang="vi"), doc_id="report")
    assert len(kb.chunks("report")) >= 3
    search = OneChunkSearch(engine, kb, "report")
    assert "7,5 tỷ" not in search.hit.text
    expanded = PassageContext(engine).with_siblings(search.search("x"))
    assert [h.doc_id for h in expanded] == ["report"] * len(kb.chunks("report"))
    assert expanded[0] is search.hit and all(h.score == 3.0 for h in expanded)
    ans = Answerer(search, threshold=0.0, model=ConfidenceModel({}, 0.0)).answer("tổng kinh phí hỗ trợ năm 2024")
    assert "7,5 tỷ đồng" in ans.text and ans.citations[0].doc_id == "report"


def test_removed_documents_and_documents_not_in_the_knowledge_base_add_nothing(tmp_path: Path) -> None:
    engine, kb = _kb(tmp_path)
    kb.add_text("Dòng một.\n\n" + FILLER * 40, DocMeta(title="Gone", lang="vi"), doc_id="gone")
    search = OneChunkSearch(engine, kb, "gone")
    kb.remove("gone")
    context = PassageContext(engine)
    assert context.with_siblings([search.hit]) == [search.hit]
    hit = make_hit("d", "Một câu.")
    assert context.with_siblings([hit]) == [hit]

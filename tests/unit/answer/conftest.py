"""Hand-made search hits and a tiny lexical fake search for the answering tests."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine

from retrieval.extract import Query, term_coverage
from retrieval.sentences import content_terms
from retrieval.types import SearchHit
from tests.fakes.schema import empty_knowledge_base

POVERTY_VI = (
    "Chuẩn nghèo đa chiều giai đoạn 2022-2025 được quy định tại Nghị định 07/2021/NĐ-CP. "
    "Ở khu vực nông thôn, hộ nghèo là hộ có thu nhập bình quân đầu người hằng tháng từ 1.500.000 đồng trở xuống "
    "và thiếu hụt từ 3 chỉ số đo lường trở lên. "
    "Ở khu vực thành thị, chuẩn thu nhập là 2.000.000 đồng/người/tháng. "
    "Hộ cận nghèo có thu nhập dưới chuẩn nhưng thiếu hụt dưới 3 chỉ số."
)
SONLA_VI = (
    "Hiện nay tại Sơn La đang có 30 tổ chức phi chính phủ nước ngoài đang hoạt động. "
    "Trong năm 2016, tỉnh Sơn La tiếp nhận 13 khoản viện trợ với tổng giá trị cam kết trên 2 triệu USD. "
    "Ông Cầm Ngọc Minh đề nghị Liên hiệp tiếp tục quan tâm giúp đỡ tỉnh."
)
PAVLODAR_RU = (
    "Для более эффективной работы с НПО в регионе до конца года откроется Дом неправительственных "
    "организаций области. Его услугами смогут пользоваться как сами объединения, так и инициативные граждане. "
    "Так «Клуб добряков Павлодара» с начала года оказал помощь на сумму 143 млн тенге."
)
FOOTBALL_VI = (
    "Đội thủ của Panthers chỉ thua 308 điểm, đứng thứ sáu trong giải đấu. "
    "Kawann Short dẫn đầu đội về số lần vật ngã với 11 lần."
)


def make_hit(doc_id: str, text: str, score: float = 0.5, *, title: str = "", lang: str = "vi",
             kind: str = "document", chunk_id: int = 1, **scores: float) -> SearchHit:
    return SearchHit(doc_id=doc_id, chunk_id=chunk_id, title=title or doc_id, score=score, lang=lang,
                     text=text, url=f"https://example.org/{doc_id}", kind=kind, scores=dict(scores))


class FakeSearch:
    """Ranks its passages by the share of the query's content words they contain (a real, if tiny, ranker)."""

    def __init__(self, hits: list[SearchHit], engine: Engine | None = None) -> None:
        self.hits = hits
        self.engine = engine or empty_knowledge_base()
        """The knowledge base the answer reads sibling chunks and word weights from (empty by default:
        the hits are all there is)."""
        self.calls: list[dict[str, Any]] = []

    def search(self, query: str, k: int = 5, lang: str | None = None, region: str | None = None,
               program: str | None = None, mode: str = "hybrid") -> list[SearchHit]:
        self.calls.append({"query": query, "k": k})
        q = Query.of(query)
        scored = []
        for h in self.hits:
            cov = term_coverage(q, content_terms(f"{h.title} {h.text}"))
            scored.append(SearchHit(**{**{s: getattr(h, s) for s in SearchHit.__slots__}, "score": cov,
                                       "scores": {"bm25": 10 * cov, "dense": 0.7 + 0.2 * cov}}))
        scored.sort(key=lambda h: -h.score)
        return scored[:k]


@pytest.fixture
def corpus_hits() -> list[SearchHit]:
    return [
        make_hit("poverty-vi", POVERTY_VI, title="Chuẩn nghèo 2022-2025", chunk_id=1),
        make_hit("sonla", SONLA_VI, title="Sơn La và viện trợ phi chính phủ", chunk_id=2),
        make_hit("pavlodar", PAVLODAR_RU, title="Дом НПО в Павлодаре", lang="ru", chunk_id=3),
        make_hit("xquad-football", FOOTBALL_VI, title="Panthers", chunk_id=4),
    ]

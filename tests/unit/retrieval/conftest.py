from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.db import create_schema, make_engine
from retrieval.embedders import HashEmbedder
from retrieval.service import SearchService
from tests.fakes.retrieval_corpus import add_doc


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = make_engine(f"sqlite:///{tmp_path / 'kb.db'}")
    create_schema(eng)
    return eng


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder(128)


@pytest.fixture
def corpus(engine: Engine) -> Engine:
    """A small bilingual knowledge base."""
    add_doc(engine, "ho-ngheo", ["Hộ nghèo được hỗ trợ tiền điện mỗi tháng ở Đà Nẵng.",
                                 "Hồ sơ gồm giấy xác nhận hộ nghèo của xã."], region="danang", program="poverty")
    add_doc(engine, "hoc-bong", ["Học bổng cho học sinh nghèo vượt khó ở Huế."], region="hue", program="education")
    add_doc(engine, "posobie", ["Пособие на ребёнка выплачивается ежемесячно.",
                                "Документы для пособия подаются в ЦОН по месту жительства."],
            lang="ru", region="almaty", program="family")
    return engine


@pytest.fixture
def service(corpus: Engine, tmp_path: Path, embedder: HashEmbedder) -> SearchService:
    return SearchService(corpus, tmp_path / "index", embedder)

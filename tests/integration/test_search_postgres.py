"""SearchService on the real PostgreSQL (its own schema): corpus version, embedding cache, sync."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.db import create_schema
from retrieval.embedders import HashEmbedder
from retrieval.service import SearchService
from tests.fakes.pg import temp_schema
from tests.fakes.retrieval_corpus import add_doc, remove_doc

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine() -> Iterator[Engine]:
    with temp_schema("t") as eng:
        create_schema(eng)
        yield eng


def test_two_replicas_share_the_embedding_cache_and_follow_the_version(engine: Engine, tmp_path: Path) -> None:
    add_doc(engine, "ho-ngheo", ["Hộ nghèo được hỗ trợ tiền điện.", "Hồ sơ xin hỗ trợ."])
    first, second = HashEmbedder(64), HashEmbedder(64)
    a = SearchService(engine, tmp_path / "a", first)
    b = SearchService(engine, tmp_path / "b", second)
    assert a.search("ho ngheo")[0].doc_id == "ho-ngheo"
    assert b.search("hộ nghèo")[0].doc_id == "ho-ngheo"
    assert first.embedded == 2 and second.embedded == 0  # b took a's vectors from kb_embedding
    add_doc(engine, "posobie", ["Пособие на ребёнка выплачивается ежемесячно."], lang="ru")
    assert b.search("пособие")[0].doc_id == "posobie"
    remove_doc(engine, "posobie")
    assert "posobie" not in [h.doc_id for h in a.search("пособие")]
    assert b.refresh() is True and b.refresh() is False
    assert a.corpus_version == b.corpus_version == 3

"""The answer's guard reads whole documents from the real SQL knowledge base (SQLite in tmp_path)
through `jurisdiction.DocumentCatalog`: cached per corpus version, a database error falls back to
what the hits say, nothing else is swallowed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.db import create_schema, make_engine
from knowledge.store import KnowledgeBase
from knowledge.types import DocMeta
from retrieval.jurisdiction import DocumentCatalog
from retrieval.vetting import Plan

from .conftest import FakeSearch, make_hit

PAVLODAR = "Дом НПО в Павлодаре принимает заявки на гранты. Адрес: улица Толстого, 89."


def _kb(tmp_path: Path) -> tuple[Engine, KnowledgeBase]:
    engine = make_engine(f"sqlite:///{(tmp_path / 'kb.db').as_posix()}")
    create_schema(engine)
    return engine, KnowledgeBase(engine)


def test_region_metadata_of_the_stored_document_sets_its_country(tmp_path: Path) -> None:
    engine, kb = _kb(tmp_path)
    text = "Trợ cấp được chi trả hằng tháng cho người đủ điều kiện."  # names no place
    kb.add_text(text, DocMeta(title="Trợ cấp", lang="vi", region="KZ"), doc_id="aid")
    hit = make_hit("aid", text, title="Trợ cấp")
    assert hit.region is None
    catalog = DocumentCatalog(engine)
    assert catalog.documents([hit])["aid"].facts.country == "KZ"
    unknown = make_hit("elsewhere", PAVLODAR, title="Павлодар", lang="ru")  # not in the knowledge base
    assert catalog.documents([unknown])["elsewhere"].facts.country == "KZ"  # from the hit's own text
    plan = Plan.make(FakeSearch([hit], engine), "Trợ cấp hằng tháng là bao nhiêu?", "vi", [hit], catalog=catalog)
    assert plan.foreign == [hit] and plan.allowed == []


def test_cache_follows_the_corpus_version(tmp_path: Path) -> None:
    engine, kb = _kb(tmp_path)
    text = "Trợ cấp được chi trả hằng tháng."
    kb.add_text(text, DocMeta(title="Trợ cấp", lang="vi", region="KZ"), doc_id="aid")
    catalog = DocumentCatalog(engine)
    hit = make_hit("aid", text, title="Trợ cấp")
    assert catalog.documents([hit])["aid"].facts.country == "KZ"
    kb.add_text(text, DocMeta(title="Trợ cấp", lang="vi", region="VN"), doc_id="aid")  # replaced: new version
    assert catalog.documents([hit])["aid"].facts.country == "VN"


def test_staff_answer_keeps_the_questions_it_was_written_for(tmp_path: Path) -> None:
    engine, kb = _kb(tmp_path)
    asked = ["Nộp hồ sơ hộ nghèo ở đâu?", "Hồ sơ hộ nghèo nộp chỗ nào?"]
    kb.add_text("Hồ sơ nộp tại UBND xã.", DocMeta(title=asked[0], lang="vi", extra={"questions": asked}),
                doc_id="qa-1", kind="qa")
    info = DocumentCatalog(engine).documents([make_hit("qa-1", "Hồ sơ nộp tại UBND xã.", kind="qa")])["qa-1"]
    assert info.kind == "qa" and info.questions == asked


def test_a_database_error_falls_back_to_the_hits(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    engine = make_engine(f"sqlite:///{(tmp_path / 'no-tables.db').as_posix()}")  # no schema: every read fails
    hit = make_hit("pavlodar", PAVLODAR, title="Павлодар", lang="ru")
    with caplog.at_level(logging.WARNING, logger="retrieval.jurisdiction"):
        info = DocumentCatalog(engine).documents([hit])["pavlodar"]
    assert info.facts.country == "KZ" and info.kind == "document"
    assert "document metadata unavailable: OperationalError" in caplog.text

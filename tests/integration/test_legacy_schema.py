"""A database made before the migrations existed is brought up to the models' schema by them alone."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from bot.db import create_schema, make_engine
from knowledge.store import KnowledgeBase
from knowledge.types import DocMeta


def test_a_pre_migration_kb_document_gets_its_text_column(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:  # kb_document as it was before the full text was kept
        conn.execute(text(
            "CREATE TABLE kb_document (id INTEGER PRIMARY KEY, doc_id VARCHAR(200) NOT NULL, "
            "title VARCHAR(500) NOT NULL, lang VARCHAR(8) NOT NULL, source VARCHAR(1000) NOT NULL DEFAULT '', "
            "url VARCHAR(1000), region VARCHAR(100), program VARCHAR(100), published DATE, effective DATE, "
            "kind VARCHAR(20) NOT NULL DEFAULT 'document', status VARCHAR(20) NOT NULL DEFAULT 'active', "
            "version INTEGER NOT NULL DEFAULT 1, content_hash VARCHAR(64) NOT NULL DEFAULT '', "
            "added_by VARCHAR(200), meta_json VARCHAR NOT NULL DEFAULT '{}', created_at DATETIME NOT NULL, "
            "updated_at DATETIME NOT NULL)"))
        conn.execute(text(
            "INSERT INTO kb_document (doc_id, title, lang, created_at, updated_at) "
            "VALUES ('old', 'Old', 'vi', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    assert "text" not in {c["name"] for c in inspect(engine).get_columns("kb_document")}

    create_schema(engine)

    assert "text" in {c["name"] for c in inspect(engine).get_columns("kb_document")}
    assert {"alembic_version", "kb_chunk", "bk_booking"} <= set(inspect(engine).get_table_names())
    kb = KnowledgeBase(engine)
    assert kb.text("old") == ""  # the old row is kept, with an empty text
    kb.add_text("Một văn bản mới.", DocMeta(title="Mới", lang="vi"), doc_id="new")
    assert kb.text("new") == "Một văn bản mới."
    create_schema(engine)  # idempotent

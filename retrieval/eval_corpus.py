"""Loading an evaluation corpus (JSONL) into a data directory's database, through the real
ingestion (`knowledge.store.KnowledgeBase.import_jsonl`), unless it is already there."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from knowledge.models import Document
from retrieval.types import Progress


def corpus_ids(path: Path) -> set[str]:
    ids: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                ids.add(str(json.loads(line)["id"]))
    return ids


def active_doc_ids(engine: Engine) -> set[str]:
    with Session(engine) as session:
        rows = session.execute(select(col(Document.doc_id)).where(col(Document.status) == "active"))
        return {r[0] for r in rows}


def import_corpus(engine: Engine, path: Path, progress: Progress | None = None) -> bool:
    """Store the corpus unless every one of its documents is already active. True if imported."""
    try:
        if corpus_ids(path) <= active_doc_ids(engine):
            return False
    except (KeyError, ValueError, TypeError):
        pass  # let the importer report the bad line
    from knowledge.store import KnowledgeBase

    KnowledgeBase(engine).import_jsonl(path, progress=progress)
    return True

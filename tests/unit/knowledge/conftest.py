"""Fixtures for the knowledge-base tests: a real SQLite store in tmp_path, fixture files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.db import create_schema, make_engine
from knowledge.store import KnowledgeBase

SEEDS = Path(os.environ.get("CIVICBOT_SHARED_DIR", Path(__file__).resolve().parents[4] / "shared")) / "seeds"


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = make_engine(f"sqlite:///{tmp_path / 'kb.db'}")
    create_schema(eng)
    return eng


@pytest.fixture
def kb(engine: Engine) -> KnowledgeBase:
    return KnowledgeBase(engine)


@pytest.fixture
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("shared seeds not available")
    return SEEDS

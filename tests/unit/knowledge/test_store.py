from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from bot.db import create_schema, import_models
from knowledge.errors import IngestError
from knowledge.models import Chunk, Document
from knowledge.store import KnowledgeBase
from knowledge.types import DocMeta
from tests.fakes.pg import temp_schema

VI = "Hộ nghèo được hỗ trợ bảo hiểm y tế. Chuẩn nghèo nông thôn là 1.500.000 đồng/người/tháng."
RU = "Адресная социальная помощь назначается на квартал и выплачивается ежемесячно."


def _rows(engine: Engine) -> tuple[int, int]:
    with Session(engine) as s:
        docs = s.execute(select(func.count()).select_from(Document)).scalar()
        chunks = s.execute(select(func.count()).select_from(Chunk)).scalar()
    return int(docs or 0), int(chunks or 0)


def test_add_file_then_same_file_again(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    path.write_text(f"Thông báo\n\n{VI}", encoding="utf-8")
    first = kb.add_file(path, added_by="telegram:1")
    assert (first.action, first.version, first.lang, first.title) == ("added", 1, "vi", "Thông báo")
    assert kb.add_file(path).action == "unchanged"
    assert kb.corpus_version() == 1

    path.write_text(f"Thông báo\n\n{VI} Hộ cận nghèo cũng được hỗ trợ.", encoding="utf-8")
    second = kb.add_file(path)
    assert (second.doc_id, second.action, second.version) == (first.doc_id, "replaced", 2)
    assert kb.corpus_version() == 2
    assert [d.doc_id for d in kb.list_documents()] == [first.doc_id]
    history = kb.history(first.doc_id)
    assert [(h.version, h.status) for h in history] == [(2, "active"), (1, "replaced")]
    assert history[1].chunks == 0 and kb.text(first.doc_id, version=1) == f"Thông báo\n\n{VI}"
    assert kb.count_chunks() == second.chunks == len(kb.chunks(first.doc_id))
    assert history[1].added_by == "telegram:1"


def test_metadata_change_makes_a_new_version(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(VI, encoding="utf-8")
    kb.add_file(path)
    again = kb.add_file(path, DocMeta(region="VN-HN"))
    assert again.action == "replaced" and kb.get(again.doc_id).region == "VN-HN"  # type: ignore[union-attr]


def test_same_url_replaces(kb: KnowledgeBase, tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(VI, encoding="utf-8")
    b.write_text(VI + " Bản cập nhật.", encoding="utf-8")
    first = kb.add_file(a, DocMeta(url="https://example.gov.vn/x"))
    second = kb.add_file(b, DocMeta(url="https://example.gov.vn/x"))
    assert second.doc_id == first.doc_id and second.action == "replaced"
    assert kb.count_documents() == 1


def test_remove(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(VI, encoding="utf-8")
    doc_id = kb.add_file(path).doc_id
    assert kb.remove(doc_id) is True
    assert kb.get(doc_id) is None and kb.count_chunks() == 0 and kb.corpus_version() == 2
    assert kb.remove(doc_id) is False and kb.corpus_version() == 2
    assert [h.status for h in kb.history(doc_id)] == ["removed"]
    readded = kb.add_file(path)
    assert (readded.doc_id, readded.version, readded.action) == (doc_id, 2, "added")


def test_add_text_qa_and_title_match(kb: KnowledgeBase) -> None:
    qa = kb.add_text("Hộ nghèo có được bảo hiểm y tế không?\nCó, Nhà nước đóng.", DocMeta(lang="vi"),
                     doc_id="qa-1", kind="qa", added_by="staff:7", source="staff:7:2026-11-25")  # fmt: skip
    assert (qa.doc_id, qa.kind, qa.action) == ("qa-1", "qa", "added")
    first = kb.add_text(VI, DocMeta(title="Hướng dẫn"))
    second = kb.add_text(VI + " Mới.", DocMeta(title="Hướng dẫn"))
    assert second.doc_id == first.doc_id and second.version == 2
    assert {d.kind for d in kb.list_documents()} == {"qa", "document"}


def test_add_paths_is_all_or_nothing(kb: KnowledgeBase, engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(VI, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("   ", encoding="utf-8")
    with pytest.raises(IngestError) as exc:
        kb.add_paths([tmp_path])
    assert exc.value.code == "ingest.empty"
    assert _rows(engine) == (0, 0) and kb.corpus_version() == 0
    seen: list[tuple[int, int]] = []
    (tmp_path / "empty.txt").unlink()
    results = kb.add_paths([tmp_path], progress=lambda d, t: seen.append((d, t)))
    assert len(results) == 1 and seen == [(1, 1)] and kb.corpus_version() == 1


def _jsonl(path: Path, lines: list[object]) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines),
                    encoding="utf-8")  # fmt: skip
    return path


def test_import_jsonl_keeps_ids_and_replaces_by_id(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "c.jsonl", [
        {"id": "vi-1", "text": VI, "lang": "vi", "title": "Chuẩn nghèo", "url": "https://x.vn/1"},
        {"id": "ru-1", "text": RU, "lang": "ru"},
    ])  # fmt: skip
    results = kb.import_jsonl(path)
    assert [(r.doc_id, r.action) for r in results] == [("vi-1", "added"), ("ru-1", "added")]
    assert kb.get("ru-1").title == RU  # type: ignore[union-attr]
    _jsonl(path, [{"id": "vi-1", "text": VI + " Thêm.", "lang": "vi"}, {"id": "ru-1", "text": RU, "lang": "ru"}])
    assert [r.action for r in kb.import_jsonl(path)] == ["replaced", "unchanged"]
    assert kb.count_documents() == 2


@pytest.mark.parametrize(
    ("bad_line", "code"),
    [
        ('{"id": "x", "text": "Hộ nghèo", "lang": "vi"', "ingest.bad_json"),
        ('["not", "an", "object"]', "ingest.bad_record"),
        ('{"text": "Hộ nghèo được hỗ trợ", "lang": "vi"}', "ingest.bad_record"),
        ('{"id": "x", "text": "   ", "lang": "vi"}', "ingest.empty"),
        ('{"id": "x", "text": "Hộ nghèo được hỗ trợ", "lang": "en"}', "ingest.bad_language"),
        ('{"id": "vi-1", "text": "Hộ nghèo được hỗ trợ", "lang": "vi"}', "ingest.duplicate_id"),
    ],
)
def test_malformed_jsonl_line_names_line_and_writes_nothing(
    kb: KnowledgeBase, engine: Engine, tmp_path: Path, bad_line: str, code: str
) -> None:
    path = _jsonl(tmp_path / "c.jsonl", [{"id": "vi-1", "text": VI, "lang": "vi"}, "", bad_line,
                                         {"id": "ru-1", "text": RU, "lang": "ru"}])  # fmt: skip
    with pytest.raises(IngestError) as exc:
        kb.import_jsonl(path)
    assert exc.value.code == code and exc.value.params["line"] == 3
    assert str(exc.value).startswith(f"{path}, line 3: ")
    assert _rows(engine) == (0, 0) and kb.corpus_version() == 0


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    with temp_schema("kb_test") as engine:
        import_models()
        SQLModel.metadata.create_all(engine)
        yield engine


@pytest.mark.postgres
def test_store_on_postgres(pg_engine: Engine, tmp_path: Path) -> None:
    kb = KnowledgeBase(pg_engine)
    path = tmp_path / "a.txt"
    path.write_text(VI, encoding="utf-8")
    first = kb.add_file(path)
    assert kb.add_file(path).action == "unchanged"
    path.write_text(VI + " Hộ cận nghèo cũng được hỗ trợ.", encoding="utf-8")
    assert kb.add_file(path).version == 2
    assert [h.status for h in kb.history(first.doc_id)] == ["active", "replaced"]
    bad = _jsonl(tmp_path / "c.jsonl", [{"id": "r", "text": RU, "lang": "ru"}, "{broken"])
    with pytest.raises(IngestError):
        kb.import_jsonl(bad)
    assert kb.count_documents() == 1 and kb.corpus_version() == 2
    assert kb.remove(first.doc_id) and kb.count_chunks() == 0


def test_identical_content_elsewhere_is_not_a_duplicate(kb: KnowledgeBase, tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    for name in ("a.txt", "d/copy.txt", "d/b.txt"):
        (tmp_path / name).write_text(VI if name != "d/b.txt" else RU, encoding="utf-8")
    first = kb.add_file(tmp_path / "a.txt")
    results = kb.add_paths([tmp_path / "d", tmp_path / "a.txt"])
    by_name = {Path(r.source).name: r for r in results}
    assert by_name["a.txt"].action == "unchanged"
    assert [r.action for r in results].count("added") == 1  # only b.txt
    assert all(r.doc_id == first.doc_id for r in results if r.lang == "vi")
    assert kb.count_documents() == 2


def test_database_without_text_column_is_upgraded(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:  # a database from before the column, at the revision before its migration
        conn.execute(text("ALTER TABLE kb_document DROP COLUMN text"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0009'"))
    create_schema(engine)  # the migrations own the schema (0010 adds the column)
    kb = KnowledgeBase(engine)
    path = tmp_path / "a.txt"
    path.write_text(VI, encoding="utf-8")
    doc_id = kb.add_file(path).doc_id
    assert kb.text(doc_id) == VI


def test_chunks_map_back_into_the_stored_text(kb: KnowledgeBase) -> None:
    line = "hộ nghèo ở xã được hỗ trợ vay vốn, học nghề và bảo hiểm y tế theo quy định."
    sentences = [f"Câu {i}: {line}" for i in range(80)]
    body = "\n\n".join(" ".join(sentences[i : i + 8]) for i in range(0, 80, 8))
    result = kb.add_text(f"Hướng dẫn hỗ trợ hộ nghèo\n\n{body}", DocMeta(lang="vi"), source="test:long")
    stored = kb.text(result.doc_id)
    chunks = kb.chunks(result.doc_id)
    assert stored is not None and len(chunks) == result.chunks > 3
    for c in chunks:
        assert stored[c.char_start : c.char_end] == c.text and len(c.text) <= 1200
    assert [c.position for c in chunks] == list(range(len(chunks)))


def test_add_text_document_is_cleaned(kb: KnowledgeBase) -> None:
    raw = f"Tin tức mới về hộ nghèo\nThứ Hai, 02/06/2025 09:15 GMT+7\n\n{VI}\n\nChia sẻ\nLượt xem: 1234"
    result = kb.add_text(raw, source="telegram:notice.txt")
    info = kb.get(result.doc_id)
    assert info is not None and info.published is not None and info.published.isoformat() == "2025-06-02"
    assert kb.text(result.doc_id) == f"Tin tức mới về hộ nghèo\n\n{VI}"


def test_same_file_name_elsewhere_replaces_and_keeps_history(kb: KnowledgeBase, tmp_path: Path) -> None:
    """Issue 12: `kb add a/quy-x.md` then an updated `b/quy-x.md` left two active documents."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "quy-x.md").write_text("# Quỹ X\n\nQuỹ X hỗ trợ 5 triệu đồng cho mỗi hộ nghèo.", encoding="utf-8")
    (tmp_path / "b" / "Quy X.md").write_text("# Quỹ X\n\nQuỹ X hỗ trợ 7 triệu đồng cho mỗi hộ nghèo.", encoding="utf-8")
    first = kb.add_file(tmp_path / "a" / "quy-x.md")
    second = kb.add_file(tmp_path / "b" / "Quy X.md")
    assert (first.doc_id, second.doc_id) == ("quy-x", "quy-x")
    assert (second.action, second.previous_version, second.version) == ("replaced", 1, 2)
    assert [d.doc_id for d in kb.list_documents()] == ["quy-x"] and "7 triệu" in (kb.text("quy-x") or "")
    assert [(h.version, h.status) for h in kb.history("quy-x")] == [(2, "active"), (1, "replaced")]


def test_front_matter_id_is_the_identity(kb: KnowledgeBase, tmp_path: Path) -> None:
    (tmp_path / "one.md").write_text("---\nid: fund-x\n---\n# Quỹ X\n\nQuỹ X hỗ trợ hộ nghèo.", encoding="utf-8")
    (tmp_path / "two.md").write_text("---\nid: fund-x\n---\n# Quỹ X\n\nQuỹ X hỗ trợ hộ cận nghèo.", encoding="utf-8")
    kb.add_file(tmp_path / "one.md")
    again = kb.add_file(tmp_path / "two.md")
    assert (again.doc_id, again.action, again.previous_version) == ("fund-x", "replaced", 1)
    assert kb.count_documents() == 1

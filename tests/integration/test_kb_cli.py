"""`civicbot kb ...` end to end through the real CLI (typer's CliRunner), SQLite in tmp_path."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app

VI = "Hộ nghèo được hỗ trợ bảo hiểm y tế. Chuẩn nghèo nông thôn là 1.500.000 đồng/người/tháng."
CORPUS = Path(__file__).resolve().parents[2] / "knowledge" / "corpus"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICBOT_EMBEDDER", "hash")
    monkeypatch.delenv("DATABASE_URL", raising=False)


Invoke = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path) -> Invoke:
    runner = CliRunner()
    data = tmp_path / "data"

    def invoke(*args: str) -> Result:
        return runner.invoke(app, ["--data-dir", str(data), *args], catch_exceptions=False)

    return invoke


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_add_list_show_replace_remove(run: Invoke, tmp_path: Path) -> None:
    doc = tmp_path / "thong-bao.md"
    doc.write_text(unicodedata.normalize("NFD", f"# Thông báo hộ nghèo\n\n{VI}"), encoding="utf-8")
    added = _json(run("kb", "add", str(doc), "--region", "VN", "--published", "2025-01-02", "--json"))
    assert [(r["action"], r["lang"], r["title"]) for r in added] == [("added", "vi", "Thông báo hộ nghèo")]
    doc_id = added[0]["doc_id"]

    listed = _json(run("kb", "list", "--json"))
    assert len(listed) == 1
    assert {k: listed[0][k] for k in ("doc_id", "title", "lang", "source", "chunks")} == {
        "doc_id": doc_id, "title": "Thông báo hộ nghèo", "lang": "vi", "source": str(doc.resolve()), "chunks": 1,
    }  # fmt: skip
    assert listed[0]["region"] == "VN" and listed[0]["published"] == "2025-01-02"

    assert _json(run("kb", "add", str(doc), "--region", "VN", "--published", "2025-01-02", "--json"))[0][
        "action"] == "unchanged"  # fmt: skip
    doc.write_text(f"# Thông báo hộ nghèo\n\n{VI} Hộ cận nghèo cũng vậy.", encoding="utf-8")
    replaced = _json(run("kb", "add", str(doc), "--json"))[0]
    assert (replaced["doc_id"], replaced["action"], replaced["version"]) == (doc_id, "replaced", 2)

    shown = _json(run("kb", "show", doc_id, "--chunks", "--json"))
    assert [h["status"] for h in shown["history"]] == ["active", "replaced"]
    assert "Hộ cận nghèo cũng vậy." in shown["chunk_list"][0]["text"]

    result = run("kb", "remove", doc_id)
    assert result.exit_code == 0 and doc_id in result.stdout
    assert _json(run("kb", "list", "--json")) == []
    assert run("kb", "remove", doc_id).exit_code != 0


def test_bad_inputs_fail_clearly(run: Invoke, tmp_path: Path) -> None:
    missing = run("kb", "add", str(tmp_path / "nope.pdf"))
    assert missing.exit_code != 0 and "nope.pdf" in missing.output and "no such file" in missing.output
    locked = tmp_path / "x.pdf"
    locked.write_bytes(b"junk")
    bad_pdf = run("kb", "add", str(locked))
    assert bad_pdf.exit_code != 0 and "x.pdf" in bad_pdf.output and "ingest.pdf_corrupt" in bad_pdf.output
    jl = tmp_path / "c.jsonl"
    jl.write_text(json.dumps({"id": "a", "text": VI, "lang": "vi"}) + "\n{oops\n", encoding="utf-8")
    bad_jsonl = run("kb", "import", str(jl))
    assert bad_jsonl.exit_code != 0 and f"{jl}, line 2" in bad_jsonl.output
    assert _json(run("kb", "list", "--json")) == []
    two = run("kb", "add", str(jl), str(locked), "--title", "T")
    assert two.exit_code != 0 and "single file" in two.output
    bad_date = run("kb", "add", str(locked), "--published", "yesterday")
    assert bad_date.exit_code != 0 and "--published" in bad_date.output


def test_import_jsonl(run: Invoke, tmp_path: Path) -> None:
    jl = tmp_path / "c.jsonl"
    rows = [
        {"id": "d1", "text": VI, "lang": "vi", "title": "Một"},
        {"id": "d2", "text": "Помощь семьям.", "lang": "ru"},
    ]
    jl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assert [r["doc_id"] for r in _json(run("kb", "import", str(jl), "--json"))] == ["d1", "d2"]
    assert sorted(d["doc_id"] for d in _json(run("kb", "list", "--json"))) == ["d1", "d2"]


def test_sample_loads_seeds_and_corpus_once(run: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared"
    (shared / "seeds").mkdir(parents=True)
    seed = f"Tin tức\n\n{VI}\n\nChia sẻ\n\nTổng số lượt truy cập: 12"
    (shared / "seeds" / "s.txt").write_text(seed, encoding="utf-8")
    monkeypatch.setenv("CIVICBOT_SHARED_DIR", str(shared))
    loaded = _json(run("kb", "sample", "--json"))
    corpus_files = sorted(CORPUS.glob("*.md"))
    assert len(loaded) == len(corpus_files) + 1 >= 11
    assert {r["lang"] for r in loaded} == {"vi", "ru"}
    assert _json(run("kb", "sample", "--if-empty", "--json")) == []
    ids = {d["doc_id"] for d in _json(run("kb", "list", "--json"))}
    assert {"vn-poverty-standard-vi", "vn-poverty-standard-ru", "kz-asp-ru"} <= ids
    seed = next(r for r in loaded if r["title"] == "Tin tức")
    shown = _json(run("kb", "show", seed["doc_id"], "--chunks", "--json"))
    assert "truy cập" not in shown["chunk_list"][0]["text"]


def test_sample_skips_missing_shared_dir(run: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICBOT_SHARED_DIR", str(tmp_path / "absent"))
    loaded = _json(run("kb", "sample", "--json"))
    assert len(loaded) == len(list(CORPUS.glob("*.md")))


def test_rebuild_and_search_follow_changes(run: Invoke, tmp_path: Path) -> None:
    pytest.importorskip("retrieval.service")
    doc = tmp_path / "nha-o.txt"
    doc.write_text("Hỗ trợ nhà ở\n\nHộ nghèo được hỗ trợ 40 triệu đồng để xây mới nhà ở.", encoding="utf-8")
    doc_id = _json(run("kb", "add", str(doc), "--json"))[0]["doc_id"]
    info = _json(run("kb", "rebuild", "--rechunk", "--json"))
    assert info["documents"] == 1 and info["chunks"] == 1
    found = _json(run("search", "hỗ trợ xây nhà ở 40 triệu", "--json"))
    assert found["results"] and found["results"][0]["doc_id"] == doc_id
    run("kb", "remove", doc_id)
    after = _json(run("search", "hỗ trợ xây nhà ở 40 triệu", "--json"))
    assert all(r["doc_id"] != doc_id for r in after["results"])

"""`civicbot search` and `civicbot eval retrieval` through the real CLI (typer CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.db import create_schema, make_engine
from tests.fakes.retrieval_corpus import add_doc

runner = CliRunner()

CORPUS = [
    {"id": "d1", "text": "Hộ nghèo được hỗ trợ tiền điện hằng tháng theo quyết định của tỉnh.", "lang": "vi",
     "title": "Tiền điện"},
    {"id": "d2", "text": "Học sinh nghèo được miễn học phí và nhận học bổng vượt khó.", "lang": "vi"},
    {"id": "d3", "text": "Пособие на ребёнка назначается по заявлению в ЦОН.", "lang": "ru"},
]
QUERIES = [
    {"id": "q1", "text": "hộ nghèo được hỗ trợ tiền điện không", "lang": "vi", "relevant": ["d1"],
     "answers": ["tiền điện"]},
    {"id": "q2", "text": "học phí cho học sinh nghèo", "lang": "vi", "relevant": ["d2"], "answers": ["miễn học phí"]},
    {"id": "q3", "text": "как получить пособие на ребенка", "lang": "ru", "relevant": ["d3"], "answers": ["ЦОН"]},
]
KEYS = {"recall@1", "recall@5", "mrr@10", "ndcg@10", "answer_hit@5", "queries", "p50_ms", "p95_ms"}


@pytest.fixture(autouse=True)
def _hash_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICBOT_EMBEDDER", "hash")
    monkeypatch.delenv("DATABASE_URL", raising=False)


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_search_json(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'civicbot.db'}")
    create_schema(engine)
    add_doc(engine, "d1", [CORPUS[0]["text"]], title="Tiền điện")  # type: ignore[list-item]
    add_doc(engine, "d3", [CORPUS[2]["text"]], lang="ru")  # type: ignore[list-item]
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "search", "ho ngheo dc ho tro j", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["query"] == "ho ngheo dc ho tro j"
    top = out["results"][0]
    assert set(top) == {"doc_id", "chunk_id", "title", "score", "lang", "text"}
    assert top["doc_id"] == "d1" and top["title"] == "Tiền điện" and top["lang"] == "vi"
    args = ["--data-dir", str(tmp_path), "search", "пособие", "--lang", "ru", "--k", "1", "--json"]
    result = runner.invoke(app, args)
    assert [r["doc_id"] for r in json.loads(result.stdout)["results"]] == ["d3"]
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "search", "hỗ trợ"])
    assert result.exit_code == 0 and "d1" in result.stdout


def test_search_rejects_a_bad_mode(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "search", "x", "--mode", "magic"])
    assert result.exit_code != 0 and "--mode" in result.output


def test_eval_retrieval_json_every_mode(tmp_path: Path) -> None:
    corpus, queries = _jsonl(tmp_path / "c.jsonl", CORPUS), _jsonl(tmp_path / "q.jsonl", QUERIES)  # type: ignore[arg-type]
    args = ["eval", "retrieval", "--corpus", str(corpus), "--queries", str(queries), "--json"]
    result = runner.invoke(app, [*args, "--mode", "all", "--data-dir", str(tmp_path / "eval")])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"hybrid", "bm25", "dense"}
    for metrics in out.values():
        assert set(metrics) == KEYS and metrics["queries"] == 3
    assert out["hybrid"]["recall@1"] == 1.0 and out["bm25"]["answer_hit@5"] == 1.0
    # the second run reuses what is indexed in --data-dir (no re-import, cached vectors)
    again = runner.invoke(app, [*args, "--data-dir", str(tmp_path / "eval"), "--strip-diacritics"])
    assert again.exit_code == 0, again.output
    assert set(json.loads(again.stdout)) == KEYS


def test_eval_retrieval_in_a_fresh_temporary_dir(tmp_path: Path) -> None:
    corpus, queries = _jsonl(tmp_path / "c.jsonl", CORPUS), _jsonl(tmp_path / "q.jsonl", QUERIES)  # type: ignore[arg-type]
    result = runner.invoke(app, ["eval", "retrieval", "--corpus", str(corpus), "--queries", str(queries),
                                 "--mode", "bm25", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["recall@5"] == 1.0


def test_eval_retrieval_names_the_bad_line(tmp_path: Path) -> None:
    corpus = _jsonl(tmp_path / "c.jsonl", CORPUS)  # type: ignore[arg-type]
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps(QUERIES[0]) + "\n{not json\n", "utf-8")
    result = runner.invoke(app, ["eval", "retrieval", "--corpus", str(corpus), "--queries", str(queries)])
    assert result.exit_code != 0 and "line 2" in result.output
    missing = runner.invoke(app, ["eval", "retrieval", "--corpus", str(tmp_path / "nope.jsonl"),
                                  "--queries", str(queries)])
    assert missing.exit_code != 0 and "nope.jsonl" in missing.output


def test_eval_retrieval_reports_a_bad_corpus_line(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps(CORPUS[0], ensure_ascii=False) + "\n{\"id\": \"x\", \"text\": 5}\n", "utf-8")
    queries = _jsonl(tmp_path / "q.jsonl", QUERIES)  # type: ignore[arg-type]
    result = runner.invoke(app, ["eval", "retrieval", "--corpus", str(corpus), "--queries", str(queries), "--json"])
    assert result.exit_code != 0 and "line 2" in result.output and "c.jsonl" in result.output


def test_search_after_an_interrupted_indexing_says_what_it_embeds(tmp_path: Path) -> None:
    """Chunks in the database without vectors or index (a `kb add` killed mid-way): the search says
    on stderr that it embeds them, with progress, and names `kb rebuild`; stdout stays the JSON."""
    engine = make_engine(f"sqlite:///{tmp_path / 'civicbot.db'}")
    create_schema(engine)
    add_doc(engine, "d1", [CORPUS[0]["text"], CORPUS[1]["text"]], title="Tiền điện")  # type: ignore[list-item]
    add_doc(engine, "d3", [CORPUS[2]["text"]], lang="ru")  # type: ignore[list-item]
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "search", "tiền điện", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"][0]["doc_id"] == "d1"
    assert "3 passage(s) are not embedded yet" in result.stderr and "civicbot kb rebuild" in result.stderr
    assert "embedding: 3/3 (100%)" in result.stderr
    again = runner.invoke(app, ["--data-dir", str(tmp_path), "search", "tiền điện"])
    assert again.exit_code == 0 and again.stderr == ""  # nothing to embed: nothing said

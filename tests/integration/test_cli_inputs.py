"""Issue 12, "The dialog and the CLI": bad CLI inputs get one clear line and exit 2, and a document
added again from another folder replaces the first (reported "replaced v1 → v2")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app

Invoke = Callable[..., Result]


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICBOT_EMBEDDER", "hash")
    monkeypatch.delenv("DATABASE_URL", raising=False)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.mark.parametrize("sub", ["file", "file/sub", "/proc/civicbot-not-writable"])
def test_data_dir_that_is_a_file_or_not_writable(tmp_path: Path, sub: str) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    target = sub if sub.startswith("/") else str(tmp_path / sub)
    res = invoke("--data-dir", target, "kb", "list")
    assert res.exit_code == 2
    assert len(res.stderr.strip().splitlines()) == 1 and res.stderr.startswith(f"error: --data-dir {target}:")
    assert "Traceback" not in res.output


@pytest.mark.parametrize("args", [
    ["eligibility", "check", "kz-asp", "--answers", "ANSWERS", "--lang", "de"],
    ["eligibility", "questions", "kz-asp", "--lang", "de"],
    ["search", "hộ nghèo", "--lang", "de"],
    ["ask", "hộ nghèo là gì?", "--lang", "de"],
])
def test_unknown_language_is_refused(tmp_path: Path, args: list[str]) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text('{"region": "pavlodar"}', encoding="utf-8")
    args = [str(answers) if a == "ANSWERS" else a for a in args]
    res = invoke("--data-dir", str(tmp_path / "data"), *args)
    assert res.exit_code == 2 and "--lang must be one of" in res.stderr and "'de'" in res.stderr


def test_kb_add_same_name_from_another_folder_replaces(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    for folder, amount in (("a", "5"), ("b", "7")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "quy-x.md").write_text(
            f"# Quỹ X\n\nQuỹ X hỗ trợ {amount} triệu đồng cho mỗi hộ nghèo ở nông thôn.", encoding="utf-8")
    res = invoke("--data-dir", data, "kb", "add", str(tmp_path / "a" / "quy-x.md"))
    assert res.exit_code == 0 and res.stdout.startswith("added     quy-x")
    res = invoke("--data-dir", data, "kb", "add", str(tmp_path / "b" / "quy-x.md"))
    assert res.exit_code == 0 and "replaced  quy-x" in res.stdout and "v1 → v2" in res.stdout
    res = invoke("--data-dir", data, "kb", "list")
    assert res.stdout.count("quy-x") == 1 and "1 document(s)." in res.stdout
    (tmp_path / "c.md").write_text("# Quỹ X\n\nQuỹ X hỗ trợ 9 triệu đồng cho mỗi hộ nghèo.", encoding="utf-8")
    res = invoke("--data-dir", data, "kb", "add", str(tmp_path / "c.md"), "--id", "quy-x")
    assert "replaced  quy-x" in res.stdout and "v2 → v3" in res.stdout


@pytest.mark.parametrize("command", ["ask", "search"])
def test_an_overlong_question_is_refused_at_once(tmp_path: Path, command: str) -> None:
    res = invoke("--data-dir", str(tmp_path / "data"), command, "hộ nghèo " * 2500)
    assert res.exit_code == 2 and "22500 characters long; the limit is 1000" in res.stderr

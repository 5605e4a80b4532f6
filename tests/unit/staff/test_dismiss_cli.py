"""`civicbot unanswered dismiss GROUP` through the real CLI (typer runner, real SQLite): the group
leaves the list, the action is audited, and the topic returns only when it is asked again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.staff.test_cli_staff import add_questions, run


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIVICBOT_EMBEDDER", "hash")
    monkeypatch.setenv("ADMIN_IDS", "900")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def test_dismiss_a_group_as_shown_by_unanswered(data_dir: Path) -> None:
    a, _, c = add_questions(data_dir, "xin chào", "xin chao", "пособие на ребенка")
    code, out, _ = run(data_dir, "unanswered")
    assert code == 0 and f"G{a}\tx2" in out

    code, out, _ = run(data_dir, "unanswered", "dismiss", f"G{a}")
    assert code == 0 and f"dismissed G{a}: 2 question(s)" in out
    code, out, _ = run(data_dir, "unanswered", "--json")
    assert [g["id"] for g in json.loads(out)] == [c]
    code, out, _ = run(data_dir, "stats", "--json")
    assert json.loads(out)["questions"]["unanswered_open"] == 1
    code, out, _ = run(data_dir, "audit", "--json")
    entry = json.loads(out)[0]
    assert (entry["action"], entry["target"], entry["outcome"]) == ("dismiss", f"G{a}", "ok")
    assert entry["actor"].startswith("cli") and json.loads(entry["details"])["questions"] == 2

    code, _, err = run(data_dir, "unanswered", "dismiss", f"G{a}")  # gone: a clear error
    assert code != 0 and "no open unanswered question or group" in err
    code, _, err = run(data_dir, "unanswered", "dismiss", "everything")
    assert code != 0 and "not a question or group id" in err

    (d,) = add_questions(data_dir, "xin chào!")  # asked again: the group forms again, with the new question
    code, out, _ = run(data_dir, "unanswered", "--json")
    assert sorted((g["id"], g["query_ids"][0]) for g in json.loads(out)) == sorted([(c, c), (d, d)])
    assert run(data_dir, "unanswered", "dismiss", str(c))[0] == 0  # a question id of the group also works

"""`civicbot staff|stats|unanswered|answer|audit` through the real CLI (typer runner, real SQLite)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from bot.cli import app
from handlers.models import QueryLog

runner = CliRunner()


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIVICBOT_EMBEDDER", "hash")
    monkeypatch.setenv("ADMIN_IDS", "900")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.stdout, result.stderr


def add_questions(data_dir: Path, *questions: str) -> list[int]:
    from bot.app import App
    from bot.settings import load_settings

    engine = App(load_settings(data_dir=data_dir)).engine
    ids = []
    with Session(engine) as s:
        for q in questions:
            row = QueryLog(created_at=datetime.now(UTC), channel="telegram", user_hash="h", lang="vi",
                           question=q, abstained=True)
            s.add(row)
            s.commit()
            ids.append(row.id)
    return ids  # type: ignore[return-value]


def test_staff_add_list_remove(data_dir: Path) -> None:
    assert run(data_dir, "staff", "add", "telegram:123")[0] == 0
    assert run(data_dir, "staff", "add", "zalo_bot:124", "admin")[0] == 0
    code, out, _ = run(data_dir, "staff", "list", "--json")
    roles = {r["user"]: r["role"] for r in json.loads(out)}
    assert code == 0 and roles == {"telegram:123": "staff", "zalo_bot:124": "admin", "telegram:900": "admin"}
    assert run(data_dir, "staff", "remove", "telegram:123")[0] == 0
    code, _, err = run(data_dir, "staff", "remove", "telegram:123")
    assert code != 0 and "telegram:123 has no staff role" in err
    code, _, err = run(data_dir, "staff", "remove", "telegram:900")
    assert code != 0 and "ADMIN_IDS" in err
    code, _, err = run(data_dir, "staff", "add", "telegram:5", "boss")
    assert code != 0 and "unknown role" in err
    code, out, _ = run(data_dir, "audit", "--json")
    assert [(e["action"], e["outcome"], e["target"]) for e in json.loads(out)] == [
        ("role_remove", "failed", "telegram:123"), ("role_remove", "ok", "telegram:123"),
        ("role_add", "ok", "zalo_bot:124"), ("role_add", "ok", "telegram:123")]


def test_stats_json(data_dir: Path) -> None:
    add_questions(data_dir, "giờ mở cửa")
    code, out, _ = run(data_dir, "stats", "--days", "3", "--json")
    data = json.loads(out)
    assert code == 0 and data["days"] == 3 and len(data["per_day"]) == 3
    assert data["questions"]["abstained"] == 1 and data["questions"]["unanswered_open"] == 1
    code, out, _ = run(data_dir, "stats")
    assert code == 0 and "questions: 1" in out
    code, _, err = run(data_dir, "stats", "--days", "0")
    assert code != 0 and "--days" in err


def test_unanswered_and_answer(data_dir: Path) -> None:
    a, b, c = add_questions(data_dir, "Nhà NGO mở cửa mấy giờ?", "nha ngo mo cua may gio", "пособие на ребенка")
    code, out, _ = run(data_dir, "unanswered", "--json")
    groups = json.loads(out)
    assert code == 0 and [(g["id"], g["count"]) for g in groups] == [(a, 2), (c, 1)]
    code, out, _ = run(data_dir, "unanswered")
    assert f"G{a}\tx2" in out
    code, out, _ = run(data_dir, "answer", str(b), "Từ 8 giờ đến 17 giờ.")  # any question id of the group
    assert code == 0 and f"qa-{a}" in out and "2 question(s) resolved" in out
    code, out, _ = run(data_dir, "unanswered", "--json")
    assert [g["id"] for g in json.loads(out)] == [c]
    code, _, err = run(data_dir, "answer", f"G{a}", "again")
    assert code != 0 and "no open unanswered question" in err
    code, _, err = run(data_dir, "answer", "xyz", "text")
    assert code != 0 and "not a question or group id" in err
    code, _, err = run(data_dir, "answer", str(c), "   ")
    assert code != 0 and "empty" in err
    code, out, _ = run(data_dir, "kb", "list", "--json")
    if code == 0:  # the kb commands are another area's; when present they show the entry
        assert any(d["doc_id"] == f"qa-{a}" for d in json.loads(out))

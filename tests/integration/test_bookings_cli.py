"""`civicbot rooms ...` and `civicbot bookings ...` end to end through the real CLI, SQLite in tmp_path.
The CLI uses the real clock, so dates are computed from today (house time, Asia/Almaty)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app

Invoke = Callable[..., Result]


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("HOUSE_TIMEZONE", raising=False)


@pytest.fixture
def run(tmp_path: Path) -> Invoke:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, ["--data-dir", str(tmp_path / "data"), *args], catch_exceptions=False)

    return invoke


def next_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    today = datetime.now(ZoneInfo("Asia/Almaty")).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def request(run: Invoke, day: date, start: str, end: str, *extra: str) -> Result:
    return run("bookings", "request", "--room", "meeting-room", "--start", f"{day}T{start}", "--end", f"{day}T{end}",
               "--org", "Civil Alliance", "--contact", "Dana", "--phone", "+7 701 000 11 22", "--attendees", "6",
               "--purpose", "Board meeting", *extra)


def test_rooms_commands(run: Invoke) -> None:
    assert "4 room(s) added" in run("rooms", "sample").stdout
    assert "0 room(s) added" in run("rooms", "sample").stdout  # idempotent
    added = run("rooms", "add", "studio", "--capacity", "10", "--hours", "10:00-20:00", "--days", "mon,wed,fri",
                "--max-hours", "2", "--min-notice-hours", "6", "--name-ru", "Студия", "--equipment", "camera, light")
    assert added.exit_code == 0, added.stderr
    rooms = json.loads(run("rooms", "list", "--json").stdout)
    studio = next(r for r in rooms if r["name"] == "studio")
    assert studio["hours"] == {"mon": "10:00-20:00", "wed": "10:00-20:00", "fri": "10:00-20:00"}
    assert studio["equipment"] == ["camera", "light"] and studio["name_ru"] == "Студия"
    upd = run("rooms", "update", "studio", "--capacity", "12", "--set-day", "sat=10:00-14:00", "--json")
    assert json.loads(upd.stdout)["hours"]["sat"] == "10:00-14:00" and json.loads(upd.stdout)["capacity"] == 12
    assert run("rooms", "update", str(studio["id"]), "--days", "mon-fri").exit_code == 0
    dup = run("rooms", "add", "Studio", "--capacity", "3")
    assert dup.exit_code != 0 and "already exists" in dup.stderr
    bad = run("rooms", "add", "x", "--capacity", "3", "--hours", "18:00-09:00")
    assert bad.exit_code != 0 and "opening hours" in bad.stderr
    assert run("rooms", "close", "studio", "2030-01-01", "--reason", "New Year").exit_code == 0
    nope = run("rooms", "close", "attic", "2030-01-01")
    assert nope.exit_code != 0 and "no room attic" in nope.stderr


def test_request_approve_export(run: Invoke) -> None:
    run("rooms", "sample")
    thu = next_weekday(3)
    created = request(run, thu, "10:00", "12:00")
    assert created.exit_code == 0 and created.stdout.strip().isdigit()
    booking_id = created.stdout.strip()
    clash = request(run, thu, "11:00", "12:30")
    assert clash.exit_code != 0 and "already booked" in clash.stderr
    as_json = request(run, thu, "09:00", "12:30", "--json")
    assert as_json.exit_code != 0 and json.loads(as_json.stdout)["code"] == "booking.too_long"
    ok_json = request(run, thu, "14:00", "15:00", "--json")
    assert json.loads(ok_json.stdout)["ok"] is True
    sunday = request(run, next_weekday(6), "10:00", "11:00")
    assert sunday.exit_code != 0 and "closed on sun" in sunday.stderr

    assert run("bookings", "approve", booking_id, "--by", "admin").stdout.strip().endswith("approved")
    again = run("bookings", "approve", booking_id)
    assert again.exit_code != 0 and "cannot be approved" in again.stderr
    listed = json.loads(run("bookings", "list", "--status", "approved", "--from", str(thu), "--to", str(thu),
                            "--json").stdout)
    assert [b["id"] for b in listed] == [int(booking_id)] and listed[0]["start"] == f"{thu}T10:00"
    ics = run("bookings", "export", "--format", "ics")
    assert ics.stdout.count("BEGIN:VEVENT") == 1 and "\r\n" in ics.stdout_bytes.decode()
    rows = list(csv.DictReader(io.StringIO(run("bookings", "export", "--format", "csv").stdout)))
    outcomes = [(r["event"], r["outcome"], r["error_code"]) for r in rows]
    assert ("request", "refused", "booking.overlap") in outcomes
    assert ("request", "refused", "booking.closed_weekday") in outcomes
    assert outcomes.count(("request", "created", "")) == 2 and ("approve", "done", "") in outcomes
    reject = run("bookings", "reject", "999", "--reason", "x")
    assert reject.exit_code != 0 and "no booking #999" in reject.stderr
    assert "cancelled" in run("bookings", "cancel", booking_id, "--reason", "moved").stdout
    bad = run("bookings", "export", "--format", "pdf")
    assert bad.exit_code != 0


def test_recurring_from_cli_names_conflicts(run: Invoke) -> None:
    run("rooms", "sample")
    thu = next_weekday(3)
    run("rooms", "close", "meeting-room", str(thu + timedelta(weeks=2)), "--reason", "Audit")
    refused = request(run, thu, "10:00", "11:00", "--repeat-weeks", "4")
    assert refused.exit_code != 0 and (thu + timedelta(weeks=2)).strftime("%d.%m.%Y") in refused.stderr
    made = request(run, thu, "10:00", "11:00", "--repeat-weeks", "2")
    assert made.exit_code == 0 and len(made.stdout.split()) == 2

"""Issue 12, Booking, through the real CLI: `rooms close` with bookings that day, rooms by name,
room ids without punctuation, one weekly-repeat limit (the room's)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from bookings.service import BookingService, Requester
from bot.db import make_engine
from tests.integration.test_bookings_cli import Invoke, _env, next_weekday, request, run  # noqa: F401


def _chat_booking(data_dir: Path, day: str, lang: str, user: str) -> int:
    """A booking made from a chat (the CLI cannot make one with a chat to answer to)."""
    svc = BookingService(make_engine(f"sqlite:///{data_dir / 'civicbot.db'}"))
    made = svc.request(room="meeting-room", start=f"{day}T10:00", end=f"{day}T11:00", org="Эко-Павлодар",
                       contact="Ольга", phone="+77011112233", attendees=5, purpose="Встреча волонтёров",
                       requester=Requester("telegram", user, user, lang))
    svc.approve(made[0].id or 0, "staff")
    return made[0].id or 0


def test_closing_a_day_with_bookings(run: Invoke, tmp_path: Path) -> None:  # noqa: F811
    run("rooms", "sample")
    day = str(next_weekday(2))
    ru = _chat_booking(tmp_path / "data", day, "ru", "41")
    refused = run("rooms", "close", "meeting-room", day, "--reason", "Ремонт")
    assert refused.exit_code != 0 and f"#{ru}" in refused.stderr and "--cancel-bookings" in refused.stderr
    assert "Эко-Павлодар" in refused.stderr  # the bookings it hits are listed
    listed = json.loads(run("bookings", "list", "--json").stdout)
    assert [b["status"] for b in listed] == ["approved"]
    done = run("rooms", "close", "meeting-room", day, "--reason", "Ремонт", "--cancel-bookings")
    assert done.exit_code == 0, done.stderr
    assert "1 booking(s) cancelled" in done.stdout
    assert "1 requester(s) will be notified" in done.stdout
    with make_engine(f"sqlite:///{tmp_path / 'data' / 'civicbot.db'}").connect() as conn:  # queued once, durably
        rows = conn.execute(text("SELECT channel, chat_id, payload, status FROM outbox")).all()
    assert [(r[0], r[1], r[3]) for r in rows] == [("telegram", "41", "pending")]
    payload = json.dumps(json.loads(rows[0][2]), ensure_ascii=False)
    assert "Ремонт" in payload and "отменено" in payload
    assert [b["status"] for b in json.loads(run("bookings", "list", "--json").stdout)] == ["cancelled"]


def test_request_by_room_name_in_any_case_and_spelling(run: Invoke) -> None:  # noqa: F811
    run("rooms", "sample")
    day = next_weekday(3)
    for name in ("Тренинговый зал", "тренинговый зал", "Phòng tập huấn", "phong tap huan"):
        made = run("bookings", "request", "--room", name, "--start", f"{day}T10:00", "--end", f"{day}T11:00",
                   "--org", "Alliance", "--contact", "Dana", "--phone", "+7 701 000 11 22", "--attendees", "6",
                   "--purpose", "Board", "--json")
        assert made.exit_code == 0, made.stderr
        assert json.loads(made.stdout)["bookings"][0]["room"] == "training-room"
        run("bookings", "cancel", str(json.loads(made.stdout)["id"]))


def test_room_ids_are_slugs(run: Invoke) -> None:  # noqa: F811
    added = run("rooms", "add", "Test Room!", "--capacity", "5")
    assert added.exit_code == 0 and "test-room" in added.stdout
    names = [r["name"] for r in json.loads(run("rooms", "list", "--json").stdout)]
    assert names == ["test-room"]
    assert run("rooms", "add", "?!", "--capacity", "5").exit_code != 0


def test_one_repeat_limit_the_rooms(run: Invoke) -> None:  # noqa: F811
    run("rooms", "sample")
    thu = next_weekday(3)
    refused = request(run, thu, "10:00", "11:00", "--repeat-weeks", "13")
    assert refused.exit_code != 0 and "1..12" in refused.stderr
    run("rooms", "update", "meeting-room", "--max-repeat-weeks", "20")
    made = request(run, thu, "10:00", "11:00", "--repeat-weeks", "13")
    assert made.exit_code == 0 and len(made.stdout.split()) == 13

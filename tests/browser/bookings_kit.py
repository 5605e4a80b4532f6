"""Helpers of the console's booking browser tests: requests made by people in Telegram chats (on
the running bot's own database, through the booking service), dates ahead in house time, rows."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bookings.service import BookingService, Requester
from tests.browser.harness import Civicbot

HOUSE_TZ = "Asia/Almaty"
_users = itertools.count(7101)


def service(civicbot: Civicbot) -> BookingService:
    return BookingService(civicbot.db, house_tz=HOUSE_TZ)


def next_user() -> int:
    """A Telegram user id (= private chat id) no other test uses."""
    return next(_users)


def day_ahead(weeks: int, weekday: int) -> date:
    """The `weekday` (0 = Monday) of the week `weeks` after this one, in house time: always bookable
    (rooms open Monday to Saturday, at most 48 h notice)."""
    today = datetime.now(ZoneInfo(HOUSE_TZ)).date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks, days=weekday)


def book(civicbot: Civicbot, room: str, day: date, start: str, end: str, *, chat: int | None, lang: str,
         org: str) -> int:
    """A pending request as if typed in the chat of Telegram user `chat` (None: from the CLI, no chat)."""
    who = (Requester("telegram", str(chat), str(chat), lang) if chat is not None
           else Requester("cli", "cli", "", lang))
    made = service(civicbot).request(room=room, start=f"{day.isoformat()}T{start}", end=f"{day.isoformat()}T{end}",
                                     org=org, contact="Dana Seitkali", phone="+7 701 000 11 22", attendees=6,
                                     purpose="Board meeting", requester=who)
    return int(made[0].id or 0)


def room_id(civicbot: Civicbot, name: str) -> int:
    return int(service(civicbot).get_room(name).id or 0)


def status(civicbot: Civicbot, booking_id: int) -> str:
    return service(civicbot).get(booking_id).status


def audits(civicbot: Civicbot, action: str, target: str) -> list[dict[str, Any]]:
    """The staff audit rows of `action` on `target`, oldest first (details decoded)."""
    with civicbot.db.connect() as conn:
        rows = conn.execute(text("SELECT actor, channel, outcome, details FROM staff_audit "
                                 "WHERE action = :a AND target = :t ORDER BY id"), {"a": action, "t": target}).all()
    return [{"actor": r[0], "channel": r[1], "outcome": r[2], **json.loads(r[3])} for r in rows]

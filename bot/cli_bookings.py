"""`civicbot bookings ...` (and, via bot/cli_rooms.py, `civicbot rooms ...`): the House of NGOs from the console.

Times without an offset are house-local (HOUSE_TIMEZONE, Asia/Almaty by default).
A refused request exits non-zero with the reason on stderr; every request is logged either way.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer

from bot.cli_common import fail, print_json, state
from handlers.jsondata import JsonObject
from knowledge.errors import CivicError

if TYPE_CHECKING:
    from bookings.models import Booking
    from bookings.service import BookingService
    from handlers.messages import Reply

bookings_app = typer.Typer(help="Booking requests: request, list, approve/reject/cancel, export.",
                           no_args_is_help=True)
JSON_OPT = typer.Option(False, "--json", help="Machine-readable output.")


def register(app: typer.Typer) -> None:
    from bot.cli_rooms import rooms_app

    app.add_typer(rooms_app, name="rooms")
    app.add_typer(bookings_app, name="bookings")


def _svc(ctx: typer.Context) -> BookingService:
    return state(ctx).app.bookings


def _day(value: str) -> date:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    fail(f"not a date: {value!r} (use YYYY-MM-DD)")


def _bound(value: str | None, end: bool = False) -> datetime | None:
    """--from/--to: a date (whole day; --to inclusive) or an ISO date-time, house time if no offset."""
    if value is None:
        return None
    if len(value.strip()) <= 10:
        day = _day(value)
        return datetime.combine(day + timedelta(days=1) if end else day, datetime.min.time())
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        fail(f"not a date or ISO date-time: {value!r}")


def booking_dict(svc: BookingService, b: Booking, names: dict[int, str]) -> JsonObject:
    return {"id": b.id, "room_id": b.room_id, "room": names.get(b.room_id, str(b.room_id)), "status": b.status,
            "start": svc.to_local(b.start_utc).isoformat(timespec="minutes"),
            "end": svc.to_local(b.end_utc).isoformat(timespec="minutes"),
            "start_utc": b.start_utc.isoformat(), "end_utc": b.end_utc.isoformat(), "org": b.org,
            "contact": b.contact_name, "phone": b.phone, "attendees": b.attendees, "purpose": b.purpose,
            "equipment": b.equipment, "channel": b.channel, "requester_id": b.requester_id, "lang": b.lang,
            "series_id": b.series_id, "decided_by": b.decided_by, "decision_reason": b.decision_reason,
            "cancel_reason": b.cancel_reason}


# ---- bookings ---------------------------------------------------------------------------
@bookings_app.command("request")
def bookings_request(
    ctx: typer.Context,
    room: str = typer.Option(..., "--room", help="Room id or name (any of its names; case and diacritics ignored)."),
    start: str = typer.Option(..., "--start", help="ISO start; no offset = house time."),
    end: str = typer.Option(..., "--end", help="ISO end; no offset = house time."),
    org: str = typer.Option(..., "--org"),
    contact: str = typer.Option(..., "--contact"),
    phone: str = typer.Option(..., "--phone"),
    attendees: str = typer.Option(..., "--attendees"),
    purpose: str = typer.Option(..., "--purpose"),
    equipment: str = typer.Option("", "--equipment", help="Equipment needed."),
    repeat_weeks: int = typer.Option(1, "--repeat-weeks",
                                     help="Weekly, N times in all (all or nothing); at most the room's limit."),
    lang: str = typer.Option("ru", "--lang", help="Language of notifications: vi or ru."),
    as_json: bool = JSON_OPT,
) -> None:
    """Request a booking. Exit 0 and the booking id when created; non-zero and the reason when refused."""
    from bookings.service import Requester

    svc = _svc(ctx)
    try:
        made = svc.request(room=room, start=start, end=end, org=org, contact=contact, phone=phone,
                           attendees=attendees, purpose=purpose, equipment=equipment, repeat_weeks=repeat_weeks,
                           requester=Requester("cli", "cli", "", lang if lang in ("vi", "ru", "en") else "ru"))
    except CivicError as exc:
        if as_json:
            sys.stdout.write(json.dumps({"ok": False, "code": exc.code, "error": str(exc),
                                         "params": exc.params}, ensure_ascii=False, default=str) + "\n")
        fail(str(exc))
    if as_json:
        names = svc.room_names()
        print_json({"ok": True, "id": made[0].id, "ids": [b.id for b in made],
                    "bookings": [booking_dict(svc, b, names) for b in made]})
    else:
        typer.echo(" ".join(str(b.id) for b in made))


@bookings_app.command("list")
def bookings_list(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="pending, approved, rejected, cancelled (comma list)."),
    start: str | None = typer.Option(None, "--from", help="Date or ISO date-time (house time)."),
    end: str | None = typer.Option(None, "--to", help="Date (inclusive) or ISO date-time."),
    as_json: bool = JSON_OPT,
) -> None:
    """List bookings, oldest first."""
    svc = _svc(ctx)
    names = svc.room_names()
    rows = [booking_dict(svc, b, names)
            for b in svc.list_bookings(status=status, start=_bound(start), end=_bound(end, end=True))]
    if as_json:
        print_json(rows)
        return
    for r in rows:
        _echo_booking(r)
    if not rows:
        typer.echo("no bookings")


def _echo_booking(r: JsonObject, err: bool = False) -> None:
    typer.echo(f"#{r['id']:<4} {r['status']:<9} {r['start']} - {r['end'][11:]}  {r['room']:<16} "
               f"{r['org']} ({r['contact']}, {r['phone']}, {r['attendees']} ppl)", err=err)


def notify_requesters(ctx: typer.Context, notices: list[Reply]) -> int:
    """Queue notices made by a CLI command (Replies with a `target`: the requester's channel and chat)
    in the durable outbox; a running `civicbot run` (any replica) delivers them. Returns how many."""
    queued = state(ctx).app.outbox.enqueue(notices) if notices else 0
    for reply in notices:
        channel = reply.target.channel if reply.target is not None else "?"
        typer.echo(f"notice queued → {channel}: {reply.text[:80]}")
    return int(queued)


def _decide(ctx: typer.Context, action: Literal["approve", "reject", "cancel"], booking_id: int, reason: str | None,
            by: str) -> None:
    try:
        svc = _svc(ctx)
        decide = {"approve": svc.approve, "reject": svc.reject, "cancel": svc.cancel}[action]
        b = decide(booking_id, by, reason)
    except CivicError as exc:
        fail(str(exc))
    typer.echo(f"booking {b.id}: {b.status}")
    _tell_requester(ctx, b, reason)


def _tell_requester(ctx: typer.Context, b: Booking, reason: str | None) -> None:
    """The requester hears about the decision once, through the outbox that `civicbot run` delivers."""
    from handlers.booking.notify import notify_decision
    from handlers.i18n import Catalog

    app = state(ctx).app
    if notify_decision(app.outbox, Catalog.load(), app.bookings, b, reason):
        typer.echo(f"the requester will be notified ({b.channel})")


@bookings_app.command("approve")
def bookings_approve(ctx: typer.Context, booking_id: int = typer.Argument(..., metavar="ID"),
                     reason: str | None = typer.Option(None, "--reason"),
                     by: str = typer.Option("cli", "--by", help="Who acts (recorded).")) -> None:
    """Approve a pending request."""
    _decide(ctx, "approve", booking_id, reason, by)


@bookings_app.command("reject")
def bookings_reject(ctx: typer.Context, booking_id: int = typer.Argument(..., metavar="ID"),
                    reason: str | None = typer.Option(None, "--reason"),
                    by: str = typer.Option("cli", "--by")) -> None:
    """Reject a pending request."""
    _decide(ctx, "reject", booking_id, reason, by)


@bookings_app.command("cancel")
def bookings_cancel(ctx: typer.Context, booking_id: int = typer.Argument(..., metavar="ID"),
                    reason: str | None = typer.Option(None, "--reason"),
                    by: str = typer.Option("cli", "--by")) -> None:
    """Cancel a pending or approved booking."""
    _decide(ctx, "cancel", booking_id, reason, by)


@bookings_app.command("export")
def bookings_export(
    ctx: typer.Context,
    fmt: str = typer.Option(..., "--format", help="ics (approved bookings) or csv (the request log)."),
    start: str | None = typer.Option(None, "--from"),
    end: str | None = typer.Option(None, "--to"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to a file instead of stdout."),
) -> None:
    """Export an iCal feed of approved bookings, or the CSV request log (refused requests included)."""
    if fmt not in ("ics", "csv"):
        fail(f"unknown format {fmt!r}: use ics or csv")
    svc = _svc(ctx)
    lo, hi = _bound(start), _bound(end, end=True)
    data = svc.export_ics(lo, hi) if fmt == "ics" else svc.export_csv(lo, hi)
    if output is not None:
        output.write_bytes(data.encode("utf-8"))
        typer.echo(f"written {output}")
    else:
        sys.stdout.buffer.write(data.encode("utf-8"))
        sys.stdout.flush()

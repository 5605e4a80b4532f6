"""`civicbot rooms ...` and `civicbot bookings ...`: the House of NGOs from the console.

Times without an offset are house-local (HOUSE_TIMEZONE, Asia/Almaty by default).
A refused request exits non-zero with the reason on stderr; every request is logged either way.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import typer

from bot.cli_common import fail, print_json, state
from knowledge.errors import CivicError

rooms_app = typer.Typer(help="Rooms of the House of NGOs: capacity, hours, closed dates.", no_args_is_help=True)
bookings_app = typer.Typer(help="Booking requests: request, list, approve/reject/cancel, export.",
                           no_args_is_help=True)
JSON_OPT = typer.Option(False, "--json", help="Machine-readable output.")


def register(app: typer.Typer) -> None:
    app.add_typer(rooms_app, name="rooms")
    app.add_typer(bookings_app, name="bookings")


def _svc(ctx: typer.Context) -> Any:
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


def room_dict(room: Any) -> dict[str, Any]:
    return {"id": room.id, "name": room.name, "name_vi": room.name_vi, "name_ru": room.name_ru,
            "capacity": room.capacity, "equipment": room.equipment,
            "hours": {d: f"{a}-{b}" for d, (a, b) in room.hours.items()}, "max_hours": room.max_hours,
            "min_notice_hours": room.min_notice_hours, "active": room.active}


def booking_dict(svc: Any, b: Any, names: dict[int, str]) -> dict[str, Any]:
    return {"id": b.id, "room_id": b.room_id, "room": names.get(b.room_id, str(b.room_id)), "status": b.status,
            "start": svc.to_local(b.start_utc).isoformat(timespec="minutes"),
            "end": svc.to_local(b.end_utc).isoformat(timespec="minutes"),
            "start_utc": b.start_utc.isoformat(), "end_utc": b.end_utc.isoformat(), "org": b.org,
            "contact": b.contact_name, "phone": b.phone, "attendees": b.attendees, "purpose": b.purpose,
            "equipment": b.equipment, "channel": b.channel, "requester_id": b.requester_id, "lang": b.lang,
            "series_id": b.series_id, "decided_by": b.decided_by, "decision_reason": b.decision_reason,
            "cancel_reason": b.cancel_reason}


# ---- rooms ------------------------------------------------------------------------------
@rooms_app.command("add")
def rooms_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Short unique name, e.g. training-room."),
    capacity: int = typer.Option(..., "--capacity", help="Maximum attendees."),
    hours: str = typer.Option("09:00-18:00", "--hours", help="Opening hours HH:MM-HH:MM."),
    days: str = typer.Option("mon-sat", "--days", help="Open weekdays: mon-sat, mon,wed,fri, all."),
    max_hours: float = typer.Option(4.0, "--max-hours", help="Longest booking, hours."),
    min_notice_hours: float = typer.Option(24.0, "--min-notice-hours", help="Book at least this far ahead."),
    name_vi: str | None = typer.Option(None, "--name-vi"),
    name_ru: str | None = typer.Option(None, "--name-ru"),
    equipment: str | None = typer.Option(None, "--equipment", help="Comma-separated list."),
    set_day: list[str] = typer.Option([], "--set-day", help="Per-weekday hours: sat=10:00-14:00 or sun=closed."),
    as_json: bool = JSON_OPT,
) -> None:
    """Add a room."""
    try:
        room = _svc(ctx).add_room(name, capacity, hours=hours, days=days, per_day=set_day, max_hours=max_hours,
                                  min_notice_hours=min_notice_hours, name_vi=name_vi, name_ru=name_ru,
                                  equipment=(equipment or "").split(","))
    except CivicError as exc:
        fail(str(exc))
    print_json(room_dict(room)) if as_json else typer.echo(f"room {room.id} added: {room.name}")


@rooms_app.command("update")
def rooms_update(
    ctx: typer.Context,
    room: str = typer.Argument(..., help="Room id or name."),
    capacity: int | None = typer.Option(None, "--capacity"),
    hours: str | None = typer.Option(None, "--hours"),
    days: str | None = typer.Option(None, "--days"),
    max_hours: float | None = typer.Option(None, "--max-hours"),
    min_notice_hours: float | None = typer.Option(None, "--min-notice-hours"),
    name: str | None = typer.Option(None, "--name", help="Rename."),
    name_vi: str | None = typer.Option(None, "--name-vi"),
    name_ru: str | None = typer.Option(None, "--name-ru"),
    equipment: str | None = typer.Option(None, "--equipment"),
    set_day: list[str] = typer.Option([], "--set-day", help="sat=10:00-14:00 or sun=closed (repeatable)."),
    active: bool | None = typer.Option(None, "--active/--inactive", help="Hide a room from booking."),
    as_json: bool = JSON_OPT,
) -> None:
    """Change a room (only the options given)."""
    try:
        updated = _svc(ctx).update_room(
            room, hours=hours, days=days, per_day=set_day, capacity=capacity, max_hours=max_hours,
            min_notice_hours=min_notice_hours, name=name, name_vi=name_vi, name_ru=name_ru, active=active,
            equipment=equipment.split(",") if equipment is not None else None)
    except CivicError as exc:
        fail(str(exc))
    print_json(room_dict(updated)) if as_json else typer.echo(f"room {updated.id} updated: {updated.name}")


@rooms_app.command("list")
def rooms_list(ctx: typer.Context, as_json: bool = JSON_OPT,
               all_rooms: bool = typer.Option(False, "--all", help="Include inactive rooms.")) -> None:
    """List rooms."""
    rooms = [room_dict(r) for r in _svc(ctx).list_rooms(include_inactive=all_rooms)]
    if as_json:
        print_json(rooms)
        return
    if not rooms:
        typer.echo("no rooms (add one with `civicbot rooms add` or `civicbot rooms sample`)")
    for r in rooms:
        hours = ", ".join(f"{d} {h}" for d, h in r["hours"].items()) or "closed"
        typer.echo(f"{r['id']:>3}  {r['name']:<20} cap {r['capacity']:<4} max {r['max_hours']:g} h, "
                   f"notice {r['min_notice_hours']:g} h  [{hours}]  {', '.join(r['equipment'])}")


@rooms_app.command("close")
def rooms_close(ctx: typer.Context, room: str = typer.Argument(...), day: str = typer.Argument(..., metavar="DATE"),
                reason: str | None = typer.Option(None, "--reason")) -> None:
    """Close a room on a date (holiday, maintenance)."""
    try:
        row = _svc(ctx).close_day(room, _day(day), reason)
    except CivicError as exc:
        fail(str(exc))
    typer.echo(f"room {row.room_id} closed on {row.day.isoformat()}")


@rooms_app.command("open")
def rooms_open(ctx: typer.Context, room: str = typer.Argument(...),
               day: str = typer.Argument(..., metavar="DATE")) -> None:
    """Undo `rooms close` for a date."""
    try:
        done = _svc(ctx).open_day(room, _day(day))
    except CivicError as exc:
        fail(str(exc))
    typer.echo("reopened" if done else "was not closed on that date")


@rooms_app.command("sample")
def rooms_sample(ctx: typer.Context, file: Path | None = typer.Option(None, "--file", help="Another rooms YAML."),
                 if_empty: bool = typer.Option(False, "--if-empty", help="Only when there are no rooms yet.")) -> None:
    """Load the sample rooms (conference hall, training room, meeting room, coworking)."""
    from bookings.sample import SAMPLE_ROOMS, load_rooms

    svc = _svc(ctx)
    if if_empty and svc.list_rooms(include_inactive=True):
        typer.echo("rooms exist; nothing loaded")
        return
    try:
        added = load_rooms(svc, file or SAMPLE_ROOMS)
    except CivicError as exc:
        fail(str(exc))
    typer.echo(f"{len(added)} room(s) added" + (": " + ", ".join(r.name for r in added) if added else ""))


# ---- bookings ---------------------------------------------------------------------------
@bookings_app.command("request")
def bookings_request(
    ctx: typer.Context,
    room: str = typer.Option(..., "--room", help="Room id or name."),
    start: str = typer.Option(..., "--start", help="ISO start; no offset = house time."),
    end: str = typer.Option(..., "--end", help="ISO end; no offset = house time."),
    org: str = typer.Option(..., "--org"),
    contact: str = typer.Option(..., "--contact"),
    phone: str = typer.Option(..., "--phone"),
    attendees: str = typer.Option(..., "--attendees"),
    purpose: str = typer.Option(..., "--purpose"),
    equipment: str = typer.Option("", "--equipment", help="Equipment needed."),
    repeat_weeks: int = typer.Option(1, "--repeat-weeks", help="Weekly, N times in all (all or nothing)."),
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
        typer.echo(f"#{r['id']:<4} {r['status']:<9} {r['start']} - {r['end'][11:]}  {r['room']:<16} "
                   f"{r['org']} ({r['contact']}, {r['phone']}, {r['attendees']} ppl)")
    if not rows:
        typer.echo("no bookings")


def _decide(ctx: typer.Context, action: str, booking_id: int, reason: str | None, by: str) -> None:
    try:
        b = getattr(_svc(ctx), action)(booking_id, by, reason)
    except CivicError as exc:
        fail(str(exc))
    typer.echo(f"booking {b.id}: {b.status}")
    _tell_requester(ctx, b, reason)


def _tell_requester(ctx: typer.Context, b: Any, reason: str | None) -> None:
    """The requester hears about the decision once, through the outbox that `civicbot run` delivers."""
    from handlers.booking_notify import notify_decision
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

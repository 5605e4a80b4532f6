"""`civicbot rooms ...`: the rooms of the House of NGOs from the console (capacity, hours, closed dates).

Closing a day with bookings lists them and is refused unless `--cancel-bookings`; then each
requester gets a notice in their language through the durable outbox (handlers/booking/notify.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli_bookings import JSON_OPT, _day, _echo_booking, _svc, booking_dict
from bot.cli_common import fail, print_json, state
from handlers.jsondata import JsonObject
from knowledge.errors import CivicError

if TYPE_CHECKING:
    from bookings.models import Booking, Room
    from bookings.service import BookingService
    from handlers.i18n import Catalog
    from handlers.messages import Reply

rooms_app = typer.Typer(help="Rooms of the House of NGOs: capacity, hours, closed dates.", no_args_is_help=True)


def room_dict(room: Room) -> JsonObject:
    return {"id": room.id, "name": room.name, "name_vi": room.name_vi, "name_ru": room.name_ru,
            "capacity": room.capacity, "equipment": room.equipment,
            "hours": {d: f"{a}-{b}" for d, (a, b) in room.hours.items()}, "max_hours": room.max_hours,
            "min_notice_hours": room.min_notice_hours, "max_repeat_weeks": room.max_repeat_weeks,
            "active": room.active}



# ---- rooms ------------------------------------------------------------------------------
@rooms_app.command("add")
def rooms_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Short unique id, e.g. training-room (made lowercase, punctuation → dashes)."),
    capacity: int = typer.Option(..., "--capacity", help="Maximum attendees."),
    hours: str = typer.Option("09:00-18:00", "--hours", help="Opening hours HH:MM-HH:MM."),
    days: str = typer.Option("mon-sat", "--days", help="Open weekdays: mon-sat, mon,wed,fri, all."),
    max_hours: float = typer.Option(4.0, "--max-hours", help="Longest booking, hours."),
    min_notice_hours: float = typer.Option(24.0, "--min-notice-hours", help="Book at least this far ahead."),
    name_vi: str | None = typer.Option(None, "--name-vi"),
    name_ru: str | None = typer.Option(None, "--name-ru"),
    equipment: str | None = typer.Option(None, "--equipment", help="Comma-separated list."),
    set_day: list[str] = typer.Option([], "--set-day", help="Per-weekday hours: sat=10:00-14:00 or sun=closed."),
    max_repeat_weeks: int = typer.Option(12, "--max-repeat-weeks", help="Most weekly repeats one request may ask."),
    as_json: bool = JSON_OPT,
) -> None:
    """Add a room."""
    try:
        room = _svc(ctx).add_room(name, capacity, hours=hours, days=days, per_day=set_day, max_hours=max_hours,
                                  min_notice_hours=min_notice_hours, name_vi=name_vi, name_ru=name_ru,
                                  equipment=(equipment or "").split(","), max_repeat_weeks=max_repeat_weeks)
    except CivicError as exc:
        fail(str(exc))
    if as_json:
        print_json(room_dict(room))
        return
    typer.echo(f"room {room.id} added: {room.name}" + (f" (id made from {name!r})" if room.name != name else ""))


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
    max_repeat_weeks: int | None = typer.Option(None, "--max-repeat-weeks"),
    as_json: bool = JSON_OPT,
) -> None:
    """Change a room (only the options given)."""
    try:
        updated = _svc(ctx).update_room(
            room, hours=hours, days=days, per_day=set_day, capacity=capacity, max_hours=max_hours,
            min_notice_hours=min_notice_hours, name=name, name_vi=name_vi, name_ru=name_ru, active=active,
            max_repeat_weeks=max_repeat_weeks,
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
def rooms_close(ctx: typer.Context, room: str = typer.Argument(..., help="Room id or name."),
                day: str = typer.Argument(..., metavar="DATE"),
                reason: str | None = typer.Option(None, "--reason", help="Told to requesters."),
                cancel_bookings: bool = typer.Option(False, "--cancel-bookings",
                                                     help="Cancel the bookings that day and notify their requesters."),
                by: str = typer.Option("cli", "--by", help="Who acts (recorded).")) -> None:
    """Close a room on a date (holiday, maintenance). Refused while bookings exist that day, which are
    listed, unless --cancel-bookings: then they are cancelled and each requester is told, in their language."""
    svc = _svc(ctx)
    when = _day(day)
    try:
        closure = svc.close_day(room, when, reason, cancel_bookings=cancel_bookings, actor=by)
    except CivicError as exc:
        if exc.code == "booking.close_has_bookings":
            names = svc.room_names()
            for b in svc.active_on(room, when):
                _echo_booking(booking_dict(svc, b, names), err=True)
        fail(str(exc))
    typer.echo(f"room {closure.row.room_id} closed on {closure.row.day.isoformat()}")
    if closure.cancelled:
        names = svc.room_names()
        typer.echo(f"{len(closure.cancelled)} booking(s) cancelled:")
        for b in closure.cancelled:
            _echo_booking(booking_dict(svc, b, names))
        from handlers.booking.notify import notify_closures

        queued = notify_closures(state(ctx).app.outbox, _catalog(), svc, closure.cancelled)
        if queued:
            typer.echo(f"{queued} requester(s) will be notified in their language")
        for b in closure.cancelled:
            if not b.chat_id:
                typer.echo(f"#{b.id}: requested from the CLI, no chat to notify ({b.contact_name}, {b.phone})")


def _catalog() -> Catalog:
    from handlers.i18n import Catalog

    return Catalog.load()


def closure_notices(catalog: Catalog, svc: BookingService, cancelled: list[Booking]) -> list[Reply]:
    from handlers.booking.notify import closure_notices as notices

    return notices(catalog, svc, cancelled)


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

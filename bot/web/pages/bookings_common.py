"""What the booking pages share: reading dates and ids from requests, the acting staff member's
`Desk`, refusals as localized pages, and the small formatting helpers the templates call."""

from __future__ import annotations

from datetime import date, datetime
from string import Formatter
from typing import Protocol
from urllib.parse import urlencode

from aiohttp import web

from bot.web.context import Console, lang_of, staff_of, url
from bot.web.pages.bookings_actions import Desk, audit_as
from bot.web.pages.bookings_data import pending_count
from handlers.booking import views
from knowledge.errors import CivicError, Conflict, NotFound

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
MAX_REASON = 1000
"""Reasons longer than the service accepts are refused by it (`booking.field_too_long`); the form
says the limit up front."""


class BadInput(Exception):
    """A request parameter that is not what the page expects: shown as a localized 400 page."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def parse_day(value: str | None, default: date | None = None) -> date:
    """`2026-12-03` (a date input), `03.12.2026` or `03/12/2026`; empty → `default`."""
    text = (value or "").strip()
    if not text and default is not None:
        return default
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 2000 <= parsed.year <= 2100:
            return parsed
    raise BadInput("web_bookings.error.bad_date", value=text[:40])


def parse_id(value: str | None, key: str = "web_bookings.error.bad_room") -> int:
    text = (value or "").strip()
    if not text.isdigit() or len(text) > 12:
        raise BadInput(key, value=text[:40])
    return int(text)


def desk(ctx: Console, request: web.Request) -> Desk:
    """The services and the staff member of this request, for bookings_actions."""
    staff = staff_of(request)
    app = ctx.app
    return Desk(bookings=app.bookings, outbox=app.outbox, catalog=ctx.catalog, actor=staff.user,
                audit=audit_as(app.staff, staff.channel, staff.user_id))


def refusal_status(exc: CivicError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    return 400


def refusal_text(ctx: Console, request: web.Request, exc: CivicError) -> str:
    """A service's refusal in the page's language: the same `error.<code>` text as the chat's."""
    return views.refusal_text(ctx.catalog, lang_of(request), exc)


def problem(ctx: Console, request: web.Request, status: int, message: str) -> web.Response:
    """A booking page that could not be shown: the reason, and the way back."""
    return ctx.render(request, "bookings/problem.html", status=status, message=message, helpers=helpers(ctx, request))


def bad_input(ctx: Console, request: web.Request, exc: BadInput) -> web.Response:
    return problem(ctx, request, 400, ctx.t(request, exc.key, **exc.params))


def redirect(path: str, **query: object) -> web.HTTPSeeOther:
    """After a form: see the result on a page (Post/Redirect/Get), the outcome in the query."""
    target = url(path)
    if query:
        target += "?" + urlencode({k: v for k, v in query.items() if v is not None})
    return web.HTTPSeeOther(target)


NOTICES = {"approved", "rejected", "cancelled", "closed", "reopened", "not_closed"}
"""Outcomes a form may report on the page it redirects to (`?done=approved&id=12&n=1`)."""


def notice(request: web.Request) -> dict[str, str | int] | None:
    """The outcome a form redirected with, its numbers only (nothing from the query is shown as text)."""
    done = request.query.get("done", "")
    if done not in NOTICES:
        return None
    numbers = {k: int(v) for k in ("id", "n", "c") if (v := request.query.get(k, "")).isdigit() and len(v) < 13}
    return {"key": f"web_bookings.done.{done}", "id": numbers.get("id", 0), "n": numbers.get("n", 0),
            "c": numbers.get("c", 0)}


async def page(ctx: Console, request: web.Request, template: str, status: int = 200, **values: object) -> web.Response:
    """A booking page (`templates/bookings/<template>`): the tabs with the number of waiting
    requests, the outcome of the last form, the formatting helpers `h`."""
    pending = await ctx.run(pending_count, ctx.app.bookings)
    values.setdefault("notice", notice(request))
    return ctx.render(request, f"bookings/{template}", status=status, h=helpers(ctx, request), pending=pending,
                      **values)


class Span(Protocol):
    """Anything with a start and an end (a booking, a grid entry)."""

    @property
    def start(self) -> datetime: ...

    @property
    def end(self) -> datetime: ...


class Helpers:
    """Formatting for the templates (`h.day(d)`, `h.status(s)`, ...), in the page's language."""

    def __init__(self, ctx: Console, request: web.Request) -> None:
        self.ctx = ctx
        self.lang = lang_of(request)
        self.tz = ctx.app.bookings.tz.key

    def t(self, key: str, /, **params: object) -> str:
        return self.ctx.catalog.t(self.lang, key, **params)

    def day(self, value: date) -> str:
        return value.strftime("%d.%m.%Y")

    def weekday(self, value: date, short: bool = False) -> str:
        return self.t(f"booking.{'wd' if short else 'wdname'}{value.weekday()}")

    def when(self, value: datetime) -> str:
        return value.strftime("%d.%m.%Y %H:%M")

    def span(self, e: Span) -> str:
        return f"{e.start:%H:%M}–{e.end:%H:%M}"

    def status(self, value: str) -> str:
        """In words (the chat's labels start with an emoji, which a screen reader would read out)."""
        return self.label("status", value)

    def equipment(self, value: str) -> str:
        return views.equipment_text(self.ctx.catalog, self.lang, value) or "—"

    def label(self, group: str, value: str) -> str:
        """`web_bookings.<group>.<value>` when the catalog has it, else the value as recorded."""
        key = f"web_bookings.{group}.{value}"
        return self.t(key) if self.ctx.catalog.has(key, self.lang) else value

    def refusal(self, code: str, params: dict[str, object]) -> str:
        """A recorded refusal in words (the chat's `error.<code>` text) when its parameters were
        recorded, else its code."""
        key = f"error.{code}"
        if not self.ctx.catalog.has(key, self.lang):
            return code
        template = self.ctx.catalog.messages[self.lang][key]
        needed = {name for _, name, _, _ in Formatter().parse(template) if name}
        return self.t(key, **params) if needed <= set(params) else code

    def iso(self, value: date) -> str:
        return value.isoformat()


def helpers(ctx: Console, request: web.Request) -> Helpers:
    return Helpers(ctx, request)

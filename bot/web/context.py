"""What a console page gets: the signed-in staff member, the console's services, and `Routes`.

A page module (bot/web/pages/<area>.py) exposes `register(routes: Routes, ctx: Console) -> None`
and adds its handlers with `routes.get(...)` / `routes.post(...)`; bot/web/auth.py checks the
session, the role (on every request) and the CSRF token (on every POST) before any handler runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from aiohttp import web

from handlers.i18n import Catalog
from handlers.state import RateLimiter
from handlers.web.auth import WebAuthStore

if TYPE_CHECKING:
    from bot.app import App
    from bot.hub import Hub
    from bot.web.render import Renderer
    from bot.web.staff_ctx import StaffActions

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
T = TypeVar("T")
P = ParamSpec("P")

PREFIX = "/staff"
PUBLIC, STAFF, ADMIN = "public", "staff", "admin"


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member of one request (the role read from the database for this request)."""

    channel: str
    user_id: str
    role: str
    lang: str
    csrf: str
    session: str
    """The session's token hash (never the cookie's token)."""

    @property
    def user(self) -> str:
        return f"{self.channel}:{self.user_id}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


STAFF_KEY = web.RequestKey("console_staff", Staff)
"""`request[STAFF_KEY]`: the `Staff` of the request (set by the guard before any staff handler)."""
LANG_KEY = web.RequestKey("console_lang", str)
"""`request[LANG_KEY]`: the page language (the session's, else `?lang=`, the browser's, STAFF_LANG)."""


@dataclass(frozen=True)
class Area:
    """A section of the console in the navigation: its path under /staff and catalog keys."""

    path: str
    title_key: str
    about_key: str


AREAS = (
    Area("/bookings", "web.nav.bookings", "web.home.bookings"),
    Area("/kb", "web.nav.kb", "web.home.kb"),
    Area("/unanswered", "web.nav.unanswered", "web.home.unanswered"),
    Area("/numbers", "web.nav.numbers", "web.home.numbers"),
    Area("/rules", "web.nav.rules", "web.home.rules"),
)


@dataclass
class Console:
    """The console's services, shared by every page (`ctx` in `register(routes, ctx)`)."""

    app: App
    """bot.app.App: every service the chat and the CLI use (app.bookings, app.kb, app.staff, app.roles...)."""
    hub: Hub | None
    """bot.hub.Hub under `civicbot run` (hub.notify sends now); None under `civicbot web` (queue
    notifications in app.outbox: the running bot's outbox worker delivers them)."""
    catalog: Catalog
    limiter: RateLimiter
    """Sign-in attempts per client address (handlers.state rate limiters: Redis when configured)."""
    csrf_key: bytes
    secure_cookie: bool
    renderer: Renderer = field(init=False)
    """The page renderer (bot/web/render.py), set when the console is built."""
    staff_actions: StaffActions | None = field(default=None, init=False)
    """The staff pages' shared actions (bot/web/staff_ctx.py `actions_of`), made on first use."""
    bench_paths: list[str] = field(default_factory=list)
    """Paths with parameters the page benchmark should also load (benchmarks/console_bench.py)."""
    access: dict[Handler, str] = field(default_factory=dict)
    """Who may call each handler `Routes` added (PUBLIC, STAFF or ADMIN): read by the guard (bot/web/auth.py)."""
    idle: timedelta = timedelta(minutes=60)
    _auth: WebAuthStore | None = None

    @property
    def auth(self) -> WebAuthStore:
        """Links and sessions (handlers/web/auth.py), on the app's database (built on first use)."""
        if self._auth is None:
            self._auth = WebAuthStore(self.app.engine, idle=self.idle)
        return self._auth

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking work (SQL, search, files) off the event loop."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def audit(self, request: web.Request, action: str, *, target: str | None = None, outcome: str = "ok",
                    **details: object) -> None:
        """One entry in the staff audit log (the same log as the chat's), as the signed-in staff member."""
        staff = staff_of(request)
        await self.run(self.app.staff.audit, staff.user_id, action, channel=staff.channel, target=target,
                       outcome=outcome, via="web", **details)

    def t(self, request: web.Request, key: str, /, **params: object) -> str:
        """A catalog text in the request's language."""
        return self.catalog.t(lang_of(request), key, **params)

    def render(self, request: web.Request, template: str, /, *, status: int = 200, **values: object) -> web.Response:
        """A page from `bot/web/templates/<template>` in the request's language (see render.py)."""
        return self.renderer.page(request, template, status=status, **values)


class Routes:
    """Where a page module adds its handlers; paths are under /staff (`/kb` → `/staff/kb`)."""

    def __init__(self, router: web.UrlDispatcher, console: Console) -> None:
        self.router = router
        self.console = console

    def get(self, path: str, handler: Handler, *, admin: bool = False, bench: Iterable[str] = ()) -> None:
        """A page. `bench`: sample paths with parameters for the page benchmark (`/bookings/1`)."""
        self.router.add_get(path, self._mark(handler, ADMIN if admin else STAFF))
        self.console.bench_paths.extend(bench)

    def post(self, path: str, handler: Handler, *, admin: bool = False) -> None:
        """A form action: the guard has checked the session, the role and the CSRF token before."""
        self.router.add_post(path, self._mark(handler, ADMIN if admin else STAFF))

    def public(self, method: str, path: str, handler: Handler) -> None:
        """No session needed (sign-in pages only: core use)."""
        self.router.add_route(method, path, self._mark(handler, PUBLIC))

    def _mark(self, handler: Handler, access: str) -> Handler:
        """The handler as the route's own (one per registration), its access recorded on the console."""
        async def guarded(request: web.Request) -> web.StreamResponse:
            return await handler(request)

        guarded.__name__ = handler.__name__
        self.console.access[guarded] = access
        return guarded


def staff_of(request: web.Request) -> Staff:
    staff = request.get(STAFF_KEY)
    if not isinstance(staff, Staff):  # a handler marked staff always has one: the guard set it
        raise web.HTTPUnauthorized()
    return staff


def lang_of(request: web.Request) -> str:
    lang = request.get(LANG_KEY, "vi")
    return lang if isinstance(lang, str) else "vi"


def url(path: str = "/") -> str:
    """`/kb` → `/staff/kb` (the console's links and form actions)."""
    return PREFIX + (path if path.startswith("/") else "/" + path)

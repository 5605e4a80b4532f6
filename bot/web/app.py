"""The console as an aiohttp sub-application mounted at `/staff/`.

`mount_console(web_app, app, hub)` is the one call bot/http.py makes (under `civicbot run`);
`civicbot web` serves `standalone(app)` on its own. Pages come from bot/web/pages/ (PAGES).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from aiohttp import web

from bot.app import App
from bot.hub import Hub
from bot.web import auth
from bot.web.context import PREFIX, Console, Routes, url
from bot.web.pages import PAGES
from bot.web.render import STATIC, Renderer
from handlers.i18n import Catalog
from handlers.state import MemoryRateLimiter, RateLimiter
from handlers.state_redis import RedisRateLimiter

log = logging.getLogger(__name__)

SIGNIN_PER_MINUTE = 20
"""Sign-in page loads and attempts per client address and minute (WEB_SIGNIN_PER_MINUTE)."""


def _limiter(app: App, per_minute: int) -> RateLimiter:
    """Across replicas with Redis (the dialog's sliding window), else in this process."""
    if app.settings.redis_url and app.redis is not None:
        return RedisRateLimiter(app.redis, limit=per_minute, prefix="civicbot:web:")
    return MemoryRateLimiter(limit=per_minute)


def build_console(app: App, hub: Hub | None = None, *, catalog: Catalog | None = None) -> web.Application:
    settings = app.settings
    catalog = catalog or Catalog.load()
    per_minute = settings.web_signin_per_minute
    public = settings.public_url or ""
    console = Console(app=app, hub=hub, catalog=catalog, limiter=_limiter(app, per_minute), csrf_key=b"",
                      secure_cookie=public.startswith("https://"),
                      idle=timedelta(minutes=settings.web_idle_minutes))
    console.renderer = Renderer(catalog)
    sub = web.Application(middlewares=[auth.guard], client_max_size=64 * 1024 * 1024)
    sub[auth.CONSOLE_KEY] = console
    routes = Routes(sub.router, console)
    routes.public("GET", "/signin/{token}", auth.signin_page)
    routes.public("POST", "/signin/{token}", auth.signin)
    routes.post("/signout", auth.signout)
    sub.router.add_static("/static", STATIC, append_version=False)
    for page in PAGES:
        page.register(routes, console)
    routes.get("/{tail:.*}", _not_found)  # after every page: a localized 404, only for a signed-in staff member
    return sub


async def _not_found(request: web.Request) -> web.StreamResponse:
    raise web.HTTPNotFound()


def mount_console(web_app: web.Application, app: App, hub: Hub | None = None) -> web.Application:
    """Serve the console at /staff/ on `web_app` (and /staff → /staff/)."""
    sub = build_console(app, hub)

    async def to_console(_: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(url("/"))

    web_app.router.add_get(PREFIX, to_console)
    web_app.add_subapp(PREFIX, sub)
    return sub


def standalone(app: App) -> web.Application:
    """`civicbot web`: the console alone (with / → /staff/)."""
    web_app = web.Application()

    async def home(_: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(url("/"))

    web_app.router.add_get("/", home)
    mount_console(web_app, app, None)
    return web_app


async def serve(app: App, host: str, port: int, stop: asyncio.Event) -> None:
    runner = web.AppRunner(standalone(app), access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    await web.TCPSite(runner, host, port, reuse_address=True).start()
    log.info("staff console on http://%s:%s%s/", host, port, PREFIX)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()

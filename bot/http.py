"""One aiohttp web app per replica for every webhook, `/healthz` and `/metrics`.

Routes: each channel adapter that has `routes()` contributes its own (Zalo Bot Platform
`/zalo/webhook`, Zalo OA `/zalo/oa/webhook`); Telegram's `webhook_handler` (bot/channels/telegram.py,
when present) is mounted at `/telegram/webhook`. Put a TLS proxy (nginx) in front: see deploy/.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from bot.metrics import Metrics
from bot.web.app import mount_console

log = logging.getLogger(__name__)

TELEGRAM_PATH = "/telegram/webhook"


def _telegram_handler(channels: Sequence[Any]) -> tuple[str, Any]:
    """The Telegram webhook (path, handler): the channel's method at its `webhook_path` (the path of
    TELEGRAM_WEBHOOK_URL); none without a Telegram channel in webhook mode."""
    for channel in channels:
        if getattr(channel, "name", None) == "telegram" and callable(getattr(channel, "webhook_handler", None)):
            path = getattr(channel, "webhook_path", None)
            return (path if isinstance(path, str) and path.startswith("/") else TELEGRAM_PATH), channel.webhook_handler
    return TELEGRAM_PATH, None


class Health:
    """What `/healthz` reports: database, Redis, search index, corpus version, channels."""

    def __init__(self, app: Any, channels: Sequence[Any]) -> None:
        self.app = app
        self.channels = [getattr(c, "name", "?") for c in channels]

    def check(self) -> dict[str, Any]:
        report: dict[str, Any] = {"replica": socket.gethostname(), "channels": self.channels}
        try:
            from bot.metrics import db_counts

            report["corpus_version"] = db_counts(self.app.engine)["corpus_version"]
            report["db"] = True
        except Exception as exc:
            report["db"], report["db_error"] = False, type(exc).__name__
        redis = getattr(self.app, "redis", None)
        if redis is not None:
            try:
                report["redis"] = bool(redis.ping())
            except Exception as exc:
                report["redis"], report["redis_error"] = False, type(exc).__name__
        search = self.app.__dict__.get("search")  # never build the index for a health check
        version = getattr(search, "corpus_version", -1) if search is not None else -1
        report["index_loaded"] = version >= 0
        report["index_version"] = version
        report["ok"] = bool(report["db"]) and report.get("redis", True) is not False and report["index_loaded"]
        return report


def build_web_app(app: Any, hub: Any, channels: Sequence[Any]) -> web.Application:
    web_app = web.Application(client_max_size=2 * 1024 * 1024)
    health = Health(app, channels)
    metrics = Metrics(hub, engine=getattr(app, "engine", None), search=app.__dict__.get("search"))

    async def healthz(_: web.Request) -> web.Response:
        report = await asyncio.to_thread(health.check)
        return web.json_response(report, status=200 if report["ok"] else 503)

    async def metrics_view(_: web.Request) -> web.Response:
        body, content_type = await asyncio.to_thread(metrics.render)
        return web.Response(body=body, headers={"Content-Type": content_type})

    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics_view)
    for channel in channels:
        routes = getattr(channel, "routes", None)
        if callable(routes):
            web_app.add_routes(routes())
    path, telegram = _telegram_handler(channels)
    if telegram is not None:
        web_app.router.add_post(path, telegram)
    mount_console(web_app, app, hub)
    return web_app


async def start(web_app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    await web.TCPSite(runner, host, port, reuse_address=True).start()
    return runner


async def serve(app: Any, hub: Any, channels: Sequence[Any], stop: asyncio.Event) -> None:
    """Run the web app on CIVICBOT_HTTP_HOST:CIVICBOT_HTTP_PORT until `stop` is set."""
    settings = app.settings
    runner = await start(build_web_app(app, hub, channels), settings.http_host, settings.http_port)
    log.info("HTTP server on %s:%s", settings.http_host, settings.http_port)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()

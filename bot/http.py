"""One aiohttp web app per replica for every webhook, `/healthz` and `/metrics`.

Routes: each channel contributes its own webhook routes (`Channel.routes()`, bot/channels/base.py:
Telegram at the path of TELEGRAM_WEBHOOK_URL, Zalo Bot Platform `/zalo/webhook`, Zalo OA
`/zalo/oa/webhook`; none for a polling channel). Put a TLS proxy (nginx) in front: see deploy/.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Sequence

from aiohttp import web

from bot.app import App
from bot.channels.base import Channel
from bot.hub import Hub
from bot.metrics import Metrics, db_counts
from bot.web.app import mount_console

log = logging.getLogger(__name__)

HealthReport = dict[str, object]


class Health:
    """What `/healthz` reports: database, Redis, search index, corpus version, channels."""

    def __init__(self, app: App, channels: Sequence[Channel]) -> None:
        self.app = app
        self.channels = [c.name for c in channels]

    def check(self) -> HealthReport:
        report: HealthReport = {"replica": socket.gethostname(), "channels": self.channels}
        try:
            report["corpus_version"] = db_counts(self.app.engine)["corpus_version"]
            report["db"] = True
        except Exception as exc:
            report["db"], report["db_error"] = False, type(exc).__name__
        redis = self.app.redis
        if redis is not None:
            try:
                report["redis"] = bool(redis.ping())
            except Exception as exc:
                report["redis"], report["redis_error"] = False, type(exc).__name__
        search = self.app.built_search  # never build the index for a health check
        version = search.corpus_version if search is not None else -1
        report["index_loaded"] = version >= 0
        report["index_version"] = version
        report["ok"] = bool(report["db"]) and report.get("redis", True) is not False and bool(report["index_loaded"])
        return report


def build_web_app(app: App, hub: Hub, channels: Sequence[Channel]) -> web.Application:
    web_app = web.Application(client_max_size=2 * 1024 * 1024)
    health = Health(app, channels)
    metrics = Metrics(hub, engine=app.engine, search=app.built_search)

    async def healthz(_: web.Request) -> web.Response:
        report = await asyncio.to_thread(health.check)
        return web.json_response(report, status=200 if report["ok"] else 503)

    async def metrics_view(_: web.Request) -> web.Response:
        body, content_type = await asyncio.to_thread(metrics.render)
        return web.Response(body=body, headers={"Content-Type": content_type})

    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics_view)
    for channel in channels:
        web_app.add_routes(channel.routes())
    mount_console(web_app, app, hub)
    return web_app


async def start(web_app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    await web.TCPSite(runner, host, port, reuse_address=True).start()
    return runner


async def serve(app: App, hub: Hub, channels: Sequence[Channel], stop: asyncio.Event) -> None:
    """Run the web app on CIVICBOT_HTTP_HOST:CIVICBOT_HTTP_PORT until `stop` is set."""
    settings = app.settings
    runner = await start(build_web_app(app, hub, channels), settings.http_host, settings.http_port)
    log.info("HTTP server on %s:%s", settings.http_host, settings.http_port)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()

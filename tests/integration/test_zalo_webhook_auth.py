"""Security: a forged Zalo Bot Platform update must never be processed (issue 11, item 1).

The attack: with `ZALO_BOT_TOKEN` set and no `ZALO_WEBHOOK_SECRET` (polling mode), a POST to
`/zalo/webhook` with an admin's id and `/staff add attacker admin` used to be answered 200 and
granted the role. The route now exists only in webhook mode, webhook mode refuses to start
without a valid secret, and every request without the secret gets 401 and is not processed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import App
from bot.channels.zalo_bot_channel import SECRET_HEADER, WEBHOOK_PATH, WebhookConfigError, ZaloBotChannel
from bot.http import build_web_app, start
from bot.hub import Hub
from bot.runner import build_hub, messenger_channels
from bot.settings import Settings
from tests.fakes.zalo_api import FakeZalo

ADMIN = "7001"


def forged(text: str = "/staff add attacker admin") -> dict[str, object]:
    return {"event_name": "message.text.received",
            "message": {"message_id": uuid.uuid4().hex, "from": {"id": ADMIN}, "chat": {"id": "x"}, "text": text}}


@pytest.fixture()
async def fake() -> AsyncIterator[FakeZalo]:
    server = await FakeZalo().start()
    yield server
    await server.stop()


def admin_roles(app: App) -> list[tuple[str, str]]:
    return [(r.user_id, r.role) for r in app.roles.list()]


async def post_all(base: str, headers_list: list[dict[str, str]]) -> list[int]:
    statuses = []
    async with aiohttp.ClientSession() as http:
        for headers in headers_list:
            async with http.post(base + WEBHOOK_PATH, json=forged(), headers=headers) as resp:
                statuses.append(resp.status)
    return statuses


async def test_polling_mode_has_no_webhook_route(tmp_path: Path, fake: FakeZalo) -> None:
    settings = Settings(data_dir=tmp_path, embedder="hash", zalo_bot_token=fake.token, zalo_api_base=fake.base,
                        admin_ids=ADMIN)
    app = App(settings)
    hub = build_hub(app)
    channels = messenger_channels(app, hub)
    runner = await start(build_web_app(app, hub, channels), "127.0.0.1", 0)
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        statuses = await post_all(base, [{}, {SECRET_HEADER: ""}, {SECRET_HEADER: "anything"}])
        assert all(status in (401, 404) for status in statuses), statuses
        assert ("attacker", "admin") not in admin_roles(app)
        assert fake.sent == []  # nothing was processed, nothing answered
    finally:
        await runner.cleanup()
        for channel in channels:
            await channel.close()
        hub.close()


async def test_webhook_mode_refuses_every_request_without_the_secret(tmp_path: Path, fake: FakeZalo) -> None:
    secret = "a-valid-secret-123"
    settings = Settings(data_dir=tmp_path, embedder="hash", zalo_bot_token=fake.token, zalo_api_base=fake.base,
                        zalo_webhook_url="https://bot.example.org/zalo/webhook", zalo_webhook_secret=secret,
                        admin_ids=ADMIN)
    app = App(settings)
    hub = build_hub(app)
    channels = messenger_channels(app, hub)
    runner = await start(build_web_app(app, hub, channels), "127.0.0.1", 0)
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        statuses = await post_all(base, [{}, {SECRET_HEADER: ""}, {SECRET_HEADER: secret[:-1]},
                                         {SECRET_HEADER: secret + "x"}, {"X-Other": secret}])
        assert statuses == [401] * 5
        assert ("attacker", "admin") not in admin_roles(app) and fake.sent == []
    finally:
        await runner.cleanup()
        for channel in channels:
            await channel.close()
        hub.close()


@pytest.mark.parametrize("secret", [None, "", "short", "x" * 257])
def test_webhook_mode_needs_a_valid_secret(tmp_path: Path, secret: str | None) -> None:
    hub = Hub.__new__(Hub)  # never reached: the constructor refuses first
    with pytest.raises(WebhookConfigError, match="ZALO_WEBHOOK_SECRET"):
        ZaloBotChannel(hub, "tok", "http://127.0.0.1:9", secret, webhook_url="https://bot.example.org/zalo/webhook")


def test_run_refuses_to_start_a_webhook_without_secret(tmp_path: Path) -> None:
    env = {**os.environ, "CIVICBOT_DATA_DIR": str(tmp_path), "CIVICBOT_EMBEDDER": "hash",
           "ZALO_BOT_TOKEN": "123:abc", "ZALO_API_BASE": "http://127.0.0.1:9",
           "ZALO_WEBHOOK_URL": "https://bot.example.org/zalo/webhook", "ZALO_WEBHOOK_SECRET": "short"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    done = subprocess.run([sys.executable, "-m", "bot.cli", "run"], env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert "ZALO_WEBHOOK_SECRET" in done.stderr and "Traceback" not in done.stderr

"""docs/WRITING_A_CHANNEL.md is true: its example channel, registered through the registry with its
settings, is run by `civicbot run`'s runner, mounted by the HTTP app and known to the roles and the
dialog, with no other change. The code run here is the guide's own code blocks."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import types
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from pydantic import AliasChoices, Field, SecretStr

from bot.app import App
from bot.channels.base import ChannelConfigError
from bot.channels.registry import CHANNELS
from bot.runner import build_hub, run_bot
from bot.settings import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "WRITING_A_CHANNEL.md"
SECRET = "a-webchat-secret-of-some-length"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def example_module() -> types.ModuleType:
    """The guide's `bot/channels/webchat.py`, as written there."""
    code = next(b for b in _blocks() if "SPEC = ChannelSpec(" in b)
    module = types.ModuleType("webchat_example")
    exec(compile(code, str(DOC), "exec"), module.__dict__)
    return module


def example_settings() -> type[Settings]:
    """`Settings` with the guide's fields added, as the guide says to add them to bot/settings.py."""
    fields = next(b for b in _blocks() if "webchat_secret:" in b and "def " not in b)
    namespace: dict[str, Any] = {"Settings": Settings, "SecretStr": SecretStr, "Field": Field,
                                 "AliasChoices": AliasChoices}
    exec(compile("class WebchatSettings(Settings):\n" + fields, str(DOC), "exec", dont_inherit=True), namespace)
    settings_class: type[Settings] = namespace["WebchatSettings"]
    return settings_class


class WidgetServer:
    """The website's chat server: takes the bot's messages at /send (the first one fails with 502)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []
        self.failures = 1
        self.base = ""
        self._runner: web.AppRunner | None = None

    async def send(self, request: web.Request) -> web.Response:
        if self.failures:
            self.failures -= 1
            return web.Response(status=502)
        self.sent.append(await request.json())
        return web.json_response({"ok": True})

    async def start(self) -> WidgetServer:
        app = web.Application()
        app.router.add_post("/api/send", self.send)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/api"  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture()
async def widget() -> AsyncIterator[WidgetServer]:
    server = await WidgetServer().start()
    yield server
    await server.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def wait_for(predicate: Any, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_the_guides_channel_runs_through_the_registry_with_no_other_change(
    tmp_path: Path, widget: WidgetServer
) -> None:
    webchat, settings_class = example_module(), example_settings()
    port = free_port()
    settings = settings_class(data_dir=tmp_path, embedder="hash", http_port=port, admin_ids="webchat:v1",
                              webchat_secret=SECRET, webchat_api_base=widget.base)
    app, stop = App(settings), asyncio.Event()
    hook, health = f"http://127.0.0.1:{port}/webchat/hook", f"http://127.0.0.1:{port}/healthz"
    message = {"id": "m-1", "visitor": "v1", "text": "/help", "lang": "vi"}
    with CHANNELS.added(webchat.SPEC):
        running = asyncio.create_task(run_bot(app, stop=stop))
        try:
            async with aiohttp.ClientSession() as http:
                report: dict[str, Any] = {}
                while not report:
                    with contextlib.suppress(aiohttp.ClientError):  # not listening yet
                        async with http.get(health) as resp:
                            report = await resp.json()
                    await asyncio.sleep(0.1)
                assert report["channels"] == ["webchat"]
                async with http.post(hook, json=message, headers={webchat.SECRET_HEADER: "wrong"}) as resp:
                    assert resp.status == 401
                async with http.post(hook, json=message, headers={webchat.SECRET_HEADER: SECRET}) as resp:
                    assert resp.status == 200
                await wait_for(lambda: len(widget.sent) >= 2)  # the help text, then the menu (after a 502)
                async with http.post(hook, json=message, headers={webchat.SECRET_HEADER: SECRET}) as resp:
                    assert resp.status == 200  # the platform re-sent it: acknowledged, not answered again
                await asyncio.sleep(1.0)
        finally:
            stop.set()
            await asyncio.wait_for(running, 30)
        assert app.settings.configured_channels == ["webchat", "console"]
        assert app.roles.is_admin("webchat", "v1")  # ADMIN_IDS=webchat:v1 is understood
        assert "webchat" in app.dialog.text_only  # no buttons: its choices are numbered
    sent = widget.sent
    assert len(sent) == 2 and {s["visitor"] for s in sent} == {"v1"}
    assert "\n1. " in sent[1]["text"]  # the menu's choices as a numbered list
    assert "webchat" not in CHANNELS.names()  # registered only inside the block


async def test_the_guides_channel_is_built_only_when_its_settings_are_set(tmp_path: Path) -> None:
    webchat, settings_class = example_module(), example_settings()
    app = App(settings_class(data_dir=tmp_path, embedder="hash"))
    hub = build_hub(app)
    try:
        assert webchat.SPEC.from_settings(app.settings, app, hub) is None
        with CHANNELS.added(webchat.SPEC):
            assert CHANNELS.build(app.settings, app, hub) == []
            assert app.settings.configured_channels == ["console"]
        short = settings_class(data_dir=tmp_path, embedder="hash", webchat_secret="short")
        with pytest.raises(ChannelConfigError, match="WEBCHAT_SECRET"):
            webchat.SPEC.from_settings(short, app, hub)
    finally:
        hub.close()


"""The channel registry is the one place that lists messengers: the runner, the HTTP app, the hub
and the outbox name none; knowing the channels costs no messenger SDK import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from bot.channels import console
from bot.channels.registry import CHANNELS, Registry
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
GENERIC = ("bot/runner.py", "bot/http.py", "bot/hub.py", "bot/outbox.py", "bot/once.py", "bot/retry.py")


@pytest.fixture(autouse=True)
def _no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "ZALO_OA_APP_ID", "ZALO_OA_SECRET_KEY"):
        monkeypatch.delenv(var, raising=False)


def test_the_registry_knows_every_channel_and_the_terminal() -> None:
    assert CHANNELS.names() == ("telegram", "zalo_bot", "zalo_oa", "console")
    assert CHANNELS.text_only_names() == frozenset({"zalo_bot", "zalo_oa", "console"})
    settings = Settings(telegram_bot_token="1:x", zalo_oa_app_id="app", zalo_oa_secret_key="k")
    assert CHANNELS.configured_names(settings) == ["telegram", "zalo_oa", "console"]
    assert CHANNELS.configured_names(Settings()) == ["console"]
    assert CHANNELS.configured_names(Settings(telegram_bot_token="", zalo_bot_token="")) == ["console"]
    assert not console.CAPABILITIES.queued and all(s.capabilities.queued for s in CHANNELS.specs)


def test_a_name_is_registered_once() -> None:
    registry = Registry(console.SPEC)
    with pytest.raises(ValueError, match="console"):
        registry.add(console.SPEC)
    with registry.added(CHANNELS.specs[0]):
        assert [s.name for s in registry.specs] == ["console", "telegram"]
    assert [s.name for s in registry.specs] == ["console"]


@pytest.mark.parametrize("path", GENERIC)
def test_generic_modules_name_no_channel(path: str) -> None:
    names = set(CHANNELS.names())
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    named = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value in names]
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
                and any(n.module.startswith(f"bot.channels.{name}") for name in names)]
    assert named == [] and imported == []


def test_knowing_the_channels_imports_no_messenger_sdk() -> None:
    code = ("import sys; from bot.channels.registry import CHANNELS; from bot.settings import Settings; "
            "CHANNELS.configured_names(Settings()); print(sorted(m for m in ('aiogram', 'aiohttp', 'httpx') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          check=True)
    assert done.stdout.strip() == "[]"

"""Shared helpers for the CLI modules: settings from the global options, JSON output, errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer

from bot import redact
from bot.settings import Settings, load_settings


class CliState:
    def __init__(self, data_dir: Path | None) -> None:
        self.data_dir = data_dir
        self._settings: Settings | None = None
        self._app: Any = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(data_dir=self.data_dir)
            redact.install(self._settings)  # every configured secret is masked in logs from now on
        return self._settings

    @property
    def app(self) -> Any:
        """The composition root (bot.app.App), built on first use."""
        if self._app is None:
            from bot.app import App

            self._app = App(self.settings)
        return self._app


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    obj = root.obj
    if not isinstance(obj, CliState):
        obj = CliState(None)
        root.obj = obj
    return obj


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a clear error to stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)

"""Shared helpers for the CLI modules: settings from the global options, JSON output, errors."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from bot import redact
from bot.settings import Settings, load_settings

if TYPE_CHECKING:
    from bot.app import App


class CliState:
    def __init__(self, data_dir: Path | None) -> None:
        self.data_dir = data_dir
        self._settings: Settings | None = None
        self._app: App | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            settings = load_settings(data_dir=self.data_dir)
            check_data_dir(settings.data_dir)
            self._settings = settings
            redact.install(self._settings)  # every configured secret is masked in logs from now on
        return self._settings

    @property
    def app(self) -> App:
        """The composition root (bot.app.App), built on first use."""
        if self._app is None:
            from bot.app import App

            self._app = App(self.settings)
        return self._app


def check_data_dir(path: Path) -> None:
    """The data directory must be a folder we can write in: else one clear line and exit 2."""
    if path.exists() and not path.is_dir():
        fail(f"--data-dir {path}: this is a file, not a folder (set --data-dir or CIVICBOT_DATA_DIR to a folder)", 2)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-check-"):
            pass
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        fail(f"--data-dir {path}: cannot create or write files there ({reason})", 2)


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    obj = root.obj
    if not isinstance(obj, CliState):
        obj = CliState(None)
        root.obj = obj
    return obj


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a clear error to stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


MAX_QUESTION_CHARS = 1000
"""The longest question or query the CLI takes (the chat caps typed messages the same way)."""


def check_question(text: str, what: str = "the question") -> None:
    """Refuse an empty or over-long question with one line and exit 2 (20,000 characters took 10-23 s)."""
    if not text.strip():
        fail(f"{what} is empty", 2)
    if len(text) > MAX_QUESTION_CHARS:
        fail(f"{what} is {len(text)} characters long; the limit is {MAX_QUESTION_CHARS} — ask one thing at a time", 2)


def check_lang(lang: str | None, allowed: tuple[str, ...], option: str = "--lang") -> None:
    """Refuse an unknown language (exit 2) instead of silently falling back to another one."""
    if lang is not None and lang not in allowed:
        fail(f"{option} must be one of {', '.join(allowed)}, not {lang!r}", 2)

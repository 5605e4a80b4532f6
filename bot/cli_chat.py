"""`civicbot chat` (the terminal chat) and `civicbot run` (every configured channel)."""

from __future__ import annotations

import asyncio
import logging

import typer

from bot.cli_common import fail, state


def register(app: typer.Typer) -> None:
    @app.command("chat")
    def chat(
        ctx: typer.Context,
        lang: str | None = typer.Option(None, "--lang", help="vi or ru (default: the configured language)."),
    ) -> None:
        """Talk to the bot in the terminal (buttons are numbered: answer with a digit)."""
        from bot.channels.console import ConsoleChannel
        from bot.runner import build_hub

        if lang is not None and lang not in ("vi", "ru"):
            raise typer.BadParameter("--lang must be vi or ru")
        st = state(ctx)
        hub = build_hub(st.app)
        console = ConsoleChannel(hub, lang=lang)
        try:
            asyncio.run(console.run())
        finally:
            hub.close()

    @app.command("run")
    def run(
        ctx: typer.Context,
        lang: str | None = typer.Option(None, "--lang", help="Language of the terminal chat fallback."),
        log_level: str = typer.Option("INFO", "--log-level"),
    ) -> None:
        """Start every configured channel (Telegram, Zalo); with no token, the terminal chat."""
        from bot.channels.base import ChannelConfigError
        from bot.channels.console import ConsoleChannel
        from bot.runner import run_bot

        logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("faiss.loader").setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
        logging.getLogger("httpx").setLevel(logging.WARNING)
        try:
            asyncio.run(run_bot(state(ctx).app, fallback=lambda hub: ConsoleChannel(hub, lang=lang)))
        except ChannelConfigError as exc:  # e.g. a webhook without a valid secret: refuse to start
            fail(str(exc), 2)

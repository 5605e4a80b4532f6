"""The `civicbot` command line. Each area registers its own commands from its own module."""

from __future__ import annotations

import importlib
from pathlib import Path

import typer

from bot import redact
from bot.cli_common import CliState

app = typer.Typer(
    name="civicbot",
    help="civicbot: answers, eligibility checks and room booking for citizens and NGOs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Modules that contribute commands; each defines `register(app: typer.Typer) -> None`.
COMMAND_MODULES = (
    "bot.cli_kb",  # kb add|import|list|remove|rebuild|sample
    "bot.cli_search",  # search, eval retrieval
    "bot.cli_ask",  # ask
    "bot.cli_chat",  # chat, run
    "bot.cli_eligibility",  # eligibility list|questions|check|validate
    "bot.cli_bookings",  # rooms ..., bookings ...
    "bot.cli_staff",  # staff ..., stats, unanswered, answer
    "bot.cli_privacy",  # privacy forget|purge
)


@app.callback()
def _root(
    ctx: typer.Context,
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Data directory (default: $CIVICBOT_DATA_DIR, else ./var)."
    ),
) -> None:
    redact.install()  # before anything logs: tokens and secrets never reach a log line
    ctx.obj = CliState(data_dir)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # that area is not built yet
            raise
        module.register(app)


_register_all()


def main() -> None:
    app()


if __name__ == "__main__":
    main()

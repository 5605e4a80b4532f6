"""The `civicbot` command line. Each area registers its own commands from its own module."""

from __future__ import annotations

from pathlib import Path

import typer

from bot import (
    cli_ask,
    cli_bookings,
    cli_chat,
    cli_eligibility,
    cli_kb,
    cli_privacy,
    cli_search,
    cli_staff,
    cli_web,
    redact,
)
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
    cli_kb,  # kb add|import|list|remove|rebuild|sample
    cli_search,  # search, eval retrieval
    cli_ask,  # ask
    cli_chat,  # chat, run
    cli_eligibility,  # eligibility list|questions|check|validate
    cli_bookings,  # rooms ..., bookings ...
    cli_staff,  # staff ..., stats, unanswered, answer
    cli_privacy,  # privacy forget|purge
    cli_web,  # web (the staff web console); `staff web-link` is in cli_staff
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
    for module in COMMAND_MODULES:
        module.register(app)


_register_all()


def main() -> None:
    app()


if __name__ == "__main__":
    main()

"""`civicbot privacy forget USER` and `civicbot privacy purge`: personal data (handlers/privacy.py)."""

from __future__ import annotations

import getpass

import typer

from bot.cli_common import fail, print_json, state


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def register(app: typer.Typer) -> None:
    privacy = typer.Typer(help="Personal data: forget a person, apply the retention period.", no_args_is_help=True)
    app.add_typer(privacy, name="privacy")

    @privacy.command("forget")
    def forget(
        ctx: typer.Context,
        user: str = typer.Argument(..., help="CHANNEL:ID, e.g. telegram:1001 or zalo_bot:abc."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Delete a person's conversations, handoffs, opt-ins and questions; blank their bookings'
        personal fields (future bookings are cancelled). Audited without the raw id."""
        from knowledge.errors import ValidationError

        try:
            report = state(ctx).app.privacy.forget(user, actor=_actor())
        except ValidationError as exc:
            fail(str(exc))
        if as_json:
            print_json({"forgotten": True, "rows": report.counts})
            return
        parts = ", ".join(f"{name}: {n}" for name, n in sorted(report.counts.items())) or "nothing stored"
        typer.echo(f"forgotten ({parts})")

    @privacy.command("purge")
    def purge(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
        """Delete or blank personal data older than RETENTION_DAYS now (the runner does it periodically)."""
        app = state(ctx).app
        report = app.privacy.purge()
        if as_json:
            print_json({"retention_days": app.settings.retention_days, "rows": report.counts})
            return
        parts = ", ".join(f"{name}: {n}" for name, n in sorted(report.counts.items())) or "nothing to purge"
        typer.echo(f"retention {app.settings.retention_days} days: {parts}")

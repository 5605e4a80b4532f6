"""`civicbot staff add|remove|list`, `civicbot stats`, `civicbot unanswered`, `civicbot answer`, `civicbot audit`."""

from __future__ import annotations

import getpass
from typing import Any

import typer

from bot.cli_common import fail, print_json, state


def _service(ctx: typer.Context, *, with_kb: bool = False) -> Any:
    from handlers.staff_service import StaffService

    app = state(ctx).app
    return StaffService(app.engine, kb=app.kb if with_kb else None, timezone=app.settings.timezone,
                        pseudonyms=app.pseudonyms)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _register_roles(app: typer.Typer) -> None:
    staff = typer.Typer(help="Staff roles (admin, staff) by channel user id.", no_args_is_help=True)
    app.add_typer(staff, name="staff")

    @staff.command("add")
    def add(ctx: typer.Context, user_id: str = typer.Argument(..., help="Channel user id, e.g. a Telegram id."),
            role: str = typer.Argument("staff", help="staff or admin.")) -> None:
        """Give a user the staff (default) or admin role."""
        if role not in ("staff", "admin"):
            fail(f"unknown role {role!r}: use staff or admin")
        if not user_id.strip() or len(user_id) > 100:
            fail(f"bad user id {user_id!r}")
        state(ctx).app.roles.add(user_id.strip(), role, added_by=_actor())
        _service(ctx).audit(_actor(), "role_add", channel="cli", target=user_id, role=role)
        typer.echo(f"{user_id}: {role}")

    @staff.command("remove")
    def remove(ctx: typer.Context, user_id: str = typer.Argument(...)) -> None:
        """Take the staff role away (ADMIN_IDS admins are removed by editing that setting)."""
        roles = state(ctx).app.roles
        if user_id in roles.bootstrap_admins:
            fail(f"{user_id} is an admin from ADMIN_IDS; remove it from that setting")
        if not roles.remove(user_id):
            _service(ctx).audit(_actor(), "role_remove", channel="cli", target=user_id, outcome="failed")
            fail(f"{user_id} has no staff role")
        _service(ctx).audit(_actor(), "role_remove", channel="cli", target=user_id)
        typer.echo(f"{user_id}: removed")

    @staff.command("list")
    def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
        """Staff and admins."""
        rows = state(ctx).app.roles.list()
        data = [{"user_id": r.user_id, "role": r.role, "added_by": r.added_by,
                 "added_at": r.added_at.isoformat() if r.added_at else None} for r in rows]
        if as_json:
            print_json(data)
            return
        for d in data:
            typer.echo(f"{d['user_id']}\t{d['role']}\t{d['added_by'] or ''}")
        if not data:
            typer.echo("no staff yet (set ADMIN_IDS or run: civicbot staff add ID)")


def _print_stats(s: dict[str, Any]) -> None:
    q = s["questions"]
    typer.echo(f"{s['days']} days, {s['from']} .. {s['to']} ({s['timezone']})")
    typer.echo(f"questions: {q['total']}  answered: {q['answered']}  abstained: {q['abstained']}"
               f"  answered_rate: {q['answered_rate']}  open unanswered: {q['unanswered_open']}")
    typer.echo(f"by language: {q['by_lang']}")
    for d in s["per_day"]:
        if d["total"]:
            typer.echo(f"  {d['date']}: {d['total']} {d['by_lang']}")
    fb = s["feedback"]
    typer.echo(f"feedback: up {fb['up']} down {fb['down']} ratio {fb['ratio']}")
    for g in s["top_topics"]:
        typer.echo(f"  asked x{g['count']} [{g['lang']}]: {g['question']}")
    for d in s["top_documents"]:
        typer.echo(f"  doc {d['doc_id']} ({d['title']}): {d['answers']} answers")
    typer.echo(f"handoffs: {s['handoffs']}")
    typer.echo(f"eligibility: {s['eligibility']}")
    typer.echo(f"bookings: {s['bookings']}")


def register(app: typer.Typer) -> None:
    _register_roles(app)
    _register_reports(app)
    _register_answers(app)


def _register_reports(app: typer.Typer) -> None:
    @app.command("stats")
    def stats(ctx: typer.Context, days: int = typer.Option(7, "--days", help="Period in days, ending today."),
              as_json: bool = typer.Option(False, "--json")) -> None:
        """Usage statistics: questions per day and language, answer rate, feedback, documents, checks, bookings."""
        from knowledge.errors import CivicError

        if not 1 <= days <= 3660:
            fail("--days must be between 1 and 3660")
        try:
            data = _service(ctx).stats(days)
        except CivicError as exc:
            fail(str(exc))
        if as_json:
            print_json(data)
        else:
            _print_stats(data)

    @app.command("unanswered")
    def unanswered(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
        """Abstained and 👎 questions not yet answered, grouped by similarity (most frequent first)."""
        groups = _service(ctx).unanswered()
        if as_json:
            print_json([g.to_json() for g in groups])
            return
        if not groups:
            typer.echo("no unanswered questions")
        for g in groups:
            typer.echo(f"G{g.id}\tx{g.count}\t{g.lang}\t{g.question}")
            for m in g.members[1:6]:
                typer.echo(f"\t  #{m.id} {m.question}")



def _register_answers(app: typer.Typer) -> None:
    @app.command("answer")
    def answer(ctx: typer.Context, ref: str = typer.Argument(..., help="A group id (G12) or a question id (12)."),
               text: str = typer.Argument(..., help="The answer text.")) -> None:
        """Answer an unanswered question (its whole group) as a curated Q&A entry the bot then uses."""
        from knowledge.errors import CivicError

        try:
            result = _service(ctx, with_kb=True).answer(ref, text, actor=_actor(), channel="cli")
        except CivicError as exc:
            fail(str(exc))
        typer.echo(f"saved as {result.doc_id}: {result.resolved} question(s) resolved; "
                   f"{len(result.relays)} chat(s) queued for the answer")

    @app.command("audit")
    def audit(ctx: typer.Context, limit: int = typer.Option(50, "--limit"),
              as_json: bool = typer.Option(False, "--json")) -> None:
        """The staff audit log, newest first (read-only)."""
        entries = _service(ctx).audit_entries(max(1, min(limit, 10_000)))
        data = [e.model_dump(mode="json") for e in entries]
        if as_json:
            print_json(data)
            return
        for e in entries:
            typer.echo(f"{e.created_at:%Y-%m-%d %H:%M:%S}\t{e.actor}\t{e.action}\t{e.target or ''}\t{e.outcome}"
                       f"\t{e.details}")

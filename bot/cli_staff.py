"""`civicbot staff add|remove|list`, `civicbot stats`, `civicbot unanswered`, `civicbot answer`, `civicbot audit`."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

import typer

from bot import cli_web
from bot.cli_common import fail, print_json, state

if TYPE_CHECKING:
    from handlers.roles import UserRef
    from handlers.staff.service import StaffService
    from handlers.staff.stats import Stats


def _service(ctx: typer.Context, *, with_kb: bool = False) -> StaffService:
    from handlers.staff.service import StaffService

    app = state(ctx).app
    return StaffService(app.engine, kb=app.kb if with_kb else None, timezone=app.settings.timezone,
                        pseudonyms=app.pseudonyms, house_timezone=app.settings.house_timezone)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


USER_HELP = ("The user as CHANNEL:ID: telegram:ID, zalo_bot:ID, zalo_oa:ID or console:ID "
             "(zalo:ID when one Zalo channel is configured).")


def _user(ctx: typer.Context, text: str, *, allow_legacy: bool = False) -> UserRef:
    """CHANNEL:ID → UserRef; a bare id is refused with the accepted forms (no channel to assume here)."""
    from handlers.roles import BadUserRef

    try:
        return state(ctx).app.roles.parse(text, allow_legacy=allow_legacy)
    except BadUserRef as exc:
        fail(str(exc))


def _register_roles(app: typer.Typer) -> None:
    staff = typer.Typer(help="Staff roles (admin, staff) by channel and user id (CHANNEL:ID).", no_args_is_help=True)
    app.add_typer(staff, name="staff")

    @staff.command("add")
    def add(ctx: typer.Context, user: str = typer.Argument(..., help=USER_HELP),
            role: str = typer.Argument("staff", help="staff or admin.")) -> None:
        """Give a user the staff (default) or admin role on one channel."""
        if role not in ("staff", "admin"):
            fail(f"unknown role {role!r}: use staff or admin")
        ref = _user(ctx, user)
        state(ctx).app.roles.add(ref, role, added_by=_actor())
        _service(ctx).audit(_actor(), "role_add", channel="cli", target=str(ref), role=role)
        typer.echo(f"{ref}: {role}")

    @staff.command("remove")
    def remove(ctx: typer.Context, user: str = typer.Argument(..., help=USER_HELP + " legacy:ID: an unconfirmed row.")
               ) -> None:
        """Take the staff role away (ADMIN_IDS admins are removed by editing that setting)."""
        roles = state(ctx).app.roles
        ref = _user(ctx, user, allow_legacy=True)
        if roles.is_bootstrap(ref):
            fail(f"{ref} is an admin from ADMIN_IDS; remove it from that setting")
        if not roles.remove(ref):
            _service(ctx).audit(_actor(), "role_remove", channel="cli", target=str(ref), outcome="failed")
            fail(f"{ref} has no staff role")
        _service(ctx).audit(_actor(), "role_remove", channel="cli", target=str(ref))
        typer.echo(f"{ref}: removed")

    @staff.command("confirm")
    def confirm(ctx: typer.Context, user: str = typer.Argument(..., help=USER_HELP)) -> None:
        """Confirm an unconfirmed role (from before roles had a channel) on the channel given."""
        ref = _user(ctx, user)
        role = state(ctx).app.roles.confirm(ref, confirmed_by=_actor())
        _service(ctx).audit(_actor(), "role_confirm", channel="cli", target=str(ref),
                            outcome="ok" if role else "failed", role=role)
        if role is None:
            fail(f"no unconfirmed role for id {ref.user_id} (see: civicbot staff list)")
        typer.echo(f"{ref}: {role} (confirmed)")

    @staff.command("web-link")
    def web_link(ctx: typer.Context, user: str = typer.Argument(..., help=USER_HELP)) -> None:
        """Print a one-time sign-in link to the staff web console for USER (valid 10 minutes, once)."""
        cli_web.web_link(ctx, user, _actor())

    @staff.command("list")
    def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
        """Staff and admins; unconfirmed rows (channel legacy) are flagged and grant nothing."""
        from handlers.roles import LEGACY

        rows = state(ctx).app.roles.list()
        data = [{"user": f"{r.channel}:{r.user_id}", "channel": r.channel, "user_id": r.user_id, "role": r.role,
                 "confirmed": r.channel != LEGACY, "added_by": r.added_by,
                 "added_at": r.added_at.isoformat() if r.added_at else None} for r in rows]
        if as_json:
            print_json(data)
            return
        for d in data:
            flag = "" if d["confirmed"] else (f"\tUNCONFIRMED: grants nothing; run: civicbot staff confirm "
                                              f"CHANNEL:{d['user_id']} (or staff remove {d['user']})")
            typer.echo(f"{d['user']}\t{d['role']}\t{d['added_by'] or ''}{flag}")
        if not data:
            typer.echo("no staff yet (set ADMIN_IDS or run: civicbot staff add telegram:ID)")


def _print_stats(s: Stats) -> None:
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
    for doc in s["top_documents"]:
        typer.echo(f"  doc {doc['doc_id']} ({doc['title']}): {doc['answers']} answers")
    typer.echo(f"handoffs: {s['handoffs']}")
    typer.echo(f"eligibility: {s['eligibility']}")
    typer.echo(f"bookings: {s['bookings']}")
    for r in s.get("booking_rooms", []):
        rate = "—" if r["occupancy"] is None else f"{r['occupancy'] * 100:.0f}%"
        typer.echo(f"  room {r['room']}: {r['requests']} request(s), {r['approved']} approved, "
                   f"{r['booked_hours']} of {r['open_hours']} open hours ({rate})")


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

    open_questions = typer.Typer(help="Abstained and 👎 questions not yet answered, grouped by similarity "
                                      "(most frequent first); `dismiss GROUP` hides a group.")
    app.add_typer(open_questions, name="unanswered")

    @open_questions.command("dismiss")
    def dismiss(ctx: typer.Context,
                ref: str = typer.Argument(..., help="The group as `civicbot unanswered` shows it (G12), or a "
                                                    "question id of the group.")) -> None:
        """Dismiss a group (noise, not worth an answer): it leaves the list and comes back only if new
        questions like it are asked. Audited."""
        from knowledge.errors import CivicError

        try:
            group = _service(ctx).dismiss(ref, actor=_actor(), channel="cli")
        except CivicError as exc:
            fail(str(exc))
        typer.echo(f"dismissed G{group.id}: {group.count} question(s) — {group.question}")

    @open_questions.callback(invoke_without_command=True)
    def unanswered(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
        """Abstained and 👎 questions not yet answered, grouped by similarity (most frequent first)."""
        if ctx.invoked_subcommand is not None:
            return
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

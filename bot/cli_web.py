"""`civicbot web [--host] [--port]`: the staff web console on its own (bot/web/), and
`civicbot staff web-link USER` (registered with the other `staff` commands, bot/cli_staff.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import typer

from bot.cli_common import fail, state


def register(app: typer.Typer) -> None:
    @app.command("web")
    def web(
        ctx: typer.Context,
        host: str | None = typer.Option(None, "--host", help="Address to listen on (default: CIVICBOT_HTTP_HOST, "
                                                             "else 127.0.0.1)."),
        port: int | None = typer.Option(None, "--port", min=1, max=65535,
                                        help="Port (default: CIVICBOT_HTTP_PORT, else 8080)."),
        log_level: str = typer.Option("INFO", "--log-level"),
    ) -> None:
        """Serve the staff web console at http://HOST:PORT/staff/ (sign in with a link from /web in the
        chat or `civicbot staff web-link USER`). `civicbot run` serves it too, on its HTTP port."""
        from bot.web.app import serve

        logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic").setLevel(logging.WARNING)
        settings = state(ctx).settings
        app = state(ctx).app
        app.engine  # noqa: B018  (the schema is brought up to date before the first request)
        bind_host, bind_port = host or settings.http_host, port or settings.http_port

        async def main() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(sig, stop.set)
            typer.echo(f"staff console: http://{bind_host}:{bind_port}/staff/", err=True)
            await serve(app, bind_host, bind_port, stop)

        try:
            asyncio.run(main())
        except OSError as exc:
            fail(f"cannot listen on {bind_host}:{bind_port}: {exc.strerror or exc}", 2)


def web_link(ctx: typer.Context, user: str, actor: str) -> None:
    """Print a one-time sign-in link for a staff member (valid 10 minutes); audited."""
    from bot.app import console_url
    from handlers.roles import BadUserRef
    from handlers.staff.web import signin_url
    from handlers.web.auth import WebAuthStore

    st = state(ctx)
    try:
        ref = st.app.roles.parse(user)
    except BadUserRef as exc:
        fail(str(exc))
    if not st.app.roles.is_staff(ref.channel, ref.user_id):
        st.app.staff.audit(actor, "web_link", channel="cli", target=str(ref), outcome="refused")
        fail(f"{ref} has no staff role (add one first: civicbot staff add {ref})")
    lang = st.settings.staff_lang or st.settings.default_lang
    token = WebAuthStore(st.app.engine).issue_link(ref.channel, ref.user_id, lang)
    st.app.staff.audit(actor, "web_link", channel="cli", target=str(ref))
    typer.echo(signin_url(console_url(st.settings), token))

"""Staff tools in the chat: roles, documents, unanswered questions, statistics (issue 6).

Every entry point — command, button, typed answer, document — checks the caller's role again
(roles are read from the database on each call), and every refusal is answered politely and
written to the audit log. The flow is active only while a staff member types an answer to an
unanswered question; everything else is stateless buttons (`staff:<action>:<arg>`).

Callbacks: `staff:menu`, `staff:docs:<page>`, `staff:doc:<ref>`, `staff:rm:<ref>` (confirm),
`staff:rmy:<ref>` (remove), `staff:un`, `staff:ans:<group id>`, `staff:dis:<group id>` (dismiss the
group: noise not worth an answer; audited), `staff:st:<days>`, `staff:rx`,
`staff:ls`, and `staff:n:<query id>` — the only one open to every user: "notify me when staff
answer this question", offered to other flows as the `FOLLOW_UP` capability (handlers/flow.py).
Documents sent outside any flow's steps are this flow's (uploads).
"""

from __future__ import annotations

from collections.abc import Callable

from handlers.errors import error_reply, error_text
from handlers.flow import FOLLOW_UP, PENDING_REPLIES, Capability, Ctx, Flow, Services, Stale, need
from handlers.i18n import Catalog
from handlers.jsondata import JsonObject
from handlers.messages import Choice, Reply
from handlers.roles import RoleStore
from handlers.staff.answers import relay_replies, save_answer
from handlers.staff.roles import manage_roles
from handlers.staff.service import StaffService
from handlers.staff.upload import UPLOAD_JOB, handle_upload, run_upload_job, upload_job_ctx, upload_subject
from handlers.staff.views import DocViews, render_stats, render_unanswered
from knowledge.errors import CivicError, NotFound

ADMIN_ACTIONS = ("role_add", "role_remove", "role_confirm")


def service_of(ctx: Ctx) -> StaffService:
    """`services.staff`, else one built on the roles' database (cached on the services)."""
    svc = ctx.services.staff
    if svc is None:
        logs = ctx.services.logs
        svc = StaffService(_roles(ctx).engine, kb=ctx.services.kb,
                           timezone=ctx.services.settings.get("timezone", "Asia/Ho_Chi_Minh"),
                           pseudonyms=logs.pseudonyms if logs is not None else ctx.pseudonyms,
                           house_timezone=ctx.services.settings.get("house_timezone"))
        ctx.services.staff = svc
    return svc


def _roles(ctx: Ctx) -> RoleStore:
    return need(ctx.services.roles, "the role store")


def pending_relay_replies(catalog: Catalog, service: StaffService) -> list[Reply]:
    """For a periodic job of the hub: answers written from the console (`civicbot answer`) that
    still wait for delivery. Marks them delivered (the hub retries sends on its side)."""
    relays = service.pending_relays()
    service.mark_relayed(relays)
    return relay_replies(catalog, relays)


NUMBER_ARGS = {"docs": (1, 10_000), "stats": (1, 365), "audit": (1, 50)}
"""Staff commands that take a number: (smallest, largest); anything else gets the usage line."""


class StaffFlow(Flow):
    name = "staff"
    menu_key = "staff.menu_button"
    commands = ("staff", "docs", "doc", "remove", "reindex", "unanswered", "stats", "audit")
    documents = True
    jobs = (UPLOAD_JOB,)
    staff_only = True

    def capabilities(self) -> dict[Capability[object], object]:
        return {FOLLOW_UP: self, PENDING_REPLIES: self}

    def pending_replies(self, services: Services, catalog: Catalog) -> list[Reply]:
        """PENDING_REPLIES: console answers waiting for the users who opted in (none without staff)."""
        return pending_relay_replies(catalog, services.staff) if services.staff is not None else []

    def follow_up_data(self, services: Services, query_id: int) -> str | None:
        """FOLLOW_UP: the "notify me" button under an abstention (needs the staff service)."""
        return f"staff:n:{query_id}" if services.staff is not None else None

    # ---- role checks -------------------------------------------------------------------
    def _refuse(self, ctx: Ctx, action: str, *, admin: bool = False, key: str = "staff.forbidden",
                ) -> list[Reply] | None:
        """None when the caller may do `action`; else the polite refusal (and an audit entry)."""
        allowed = ctx.is_admin() if admin else ctx.is_staff()
        if allowed:
            return None
        staff = ctx.is_staff()
        actor = ctx.msg.user_id if staff else f"u:{ctx.user_hash}"
        if ctx.services.staff is not None or ctx.services.roles is not None:
            service_of(ctx).audit(actor, action, channel=ctx.msg.channel, outcome="refused")
        if ctx.flow == self.name:
            ctx.finish()
        return [Reply(ctx.t("staff.admin_only" if staff else key))]

    def on_forbidden(self, ctx: Ctx, what: str) -> list[Reply]:
        """For the dialog: a non-staff user tried a staff command or menu entry."""
        return self._refuse(ctx, what) or [Reply(ctx.t("staff.forbidden"))]

    # ---- entry points ------------------------------------------------------------------
    def start(self, ctx: Ctx) -> list[Reply]:
        ctx.finish()  # a menu of buttons, not a wizard: free text stays a question
        return self._refuse(ctx, "menu") or [self._menu(ctx)]

    def on_command(self, ctx: Ctx, command: str, args: str) -> list[Reply]:
        action = "role_" + args.split()[0].lower() if command == "staff" and args.split() else command
        admin = action in ADMIN_ACTIONS
        refused = self._refuse(ctx, action, admin=admin)
        if refused:
            return refused
        try:
            return self._command(ctx, command, args.strip())
        except CivicError as exc:
            return self._failed(ctx, command, exc)

    def on_callback(self, ctx: Ctx, data: str) -> list[Reply]:
        parts = data.split(":", 2)
        action = parts[1] if len(parts) > 1 else ""
        arg = parts[2] if len(parts) > 2 else ""
        if action == "n":
            return self._opt_in(ctx, arg)
        refused = self._refuse(ctx, f"button:{action}")
        if refused:
            return refused
        try:
            return self._button(ctx, action, arg)
        except CivicError as exc:
            return self._failed(ctx, action, exc)

    def on_text(self, ctx: Ctx, text: str) -> list[Reply]:
        if ctx.data.get("await") != "answer":
            ctx.finish()
            return []
        refused = self._refuse(ctx, "answer")
        if refused:
            return refused
        group_id = int(ctx.data.get("group", 0))
        try:
            replies = save_answer(ctx, service_of(ctx), group_id, text)
        except CivicError as exc:
            if exc.code == "staff.empty_answer" or exc.code == "staff.answer_too_long":  # type again
                return [Reply(error_text(ctx.catalog, ctx.lang, exc), choices=[ctx.nav(back=False)], input="text")]
            ctx.finish()
            return self._failed(ctx, "answer", exc)
        ctx.finish()
        return replies

    def on_document(self, ctx: Ctx) -> list[Reply]:
        return self._refuse(ctx, "upload", key="staff.upload.forbidden") or handle_upload(ctx, service_of(ctx))

    # ---- dispatch ----------------------------------------------------------------------
    def _command(self, ctx: Ctx, command: str, args: str) -> list[Reply]:
        views = DocViews(ctx, service_of(ctx))
        if command == "staff":
            return manage_roles(ctx, args, service_of(ctx).audit) if args else [self._menu(ctx)]
        limits = NUMBER_ARGS.get(command)
        if limits is not None and args and not (args.isdigit() and limits[0] <= int(args) <= limits[1]):
            return [Reply(ctx.t(f"staff.usage.{command}", min=limits[0], max=limits[1], text=args[:50]))]
        if command == "docs":
            return [views.page(int(args) - 1 if args.isdigit() and int(args) > 0 else 0)]
        if command in ("doc", "remove"):
            if not args:
                return [Reply(ctx.t(f"staff.usage.{command}"))]
            return [views.show(args) if command == "doc" else views.confirm_remove(args)]
        if command == "reindex":
            return [views.reindex()]
        if command == "unanswered":
            return [render_unanswered(ctx, service_of(ctx).unanswered())]
        if command == "stats":
            days = int(args) if args else 7
            return [self._stats(ctx, days)]
        return [self._audit(ctx, int(args) if args else 15)]

    def _button(self, ctx: Ctx, action: str, arg: str) -> list[Reply]:
        views = DocViews(ctx, service_of(ctx))
        if action == "menu":
            return [self._menu(ctx)]
        if action == "docs" and arg.isdigit():
            return [views.page(int(arg))]
        if action == "doc" and arg:
            return [views.show(arg)]
        if action == "rm" and arg:
            return [views.confirm_remove(arg)]
        if action == "rmy" and arg:
            return views.remove(arg)
        if action == "rx":
            return [views.reindex()]
        if action == "un":
            return [render_unanswered(ctx, service_of(ctx).unanswered())]
        if action == "ans" and arg.isdigit():
            return self._ask_answer(ctx, int(arg))
        if action == "dis" and arg.isdigit():
            return self._dismiss(ctx, int(arg))
        if action == "st" and arg.isdigit():
            return [self._stats(ctx, int(arg))]
        if action == "ls":
            return manage_roles(ctx, "list", service_of(ctx).audit)
        raise Stale()

    def _failed(self, ctx: Ctx, action: str, exc: CivicError) -> list[Reply]:
        """Audited as failed; the text by handlers/errors.py."""
        service_of(ctx).audit(ctx.msg.user_id, action, channel=ctx.msg.channel, outcome="failed", code=exc.code)
        return [error_reply(ctx, exc)]

    # ---- screens -----------------------------------------------------------------------
    def _menu(self, ctx: Ctx) -> Reply:  # the terminal takes a file's path instead of a file
        key = "staff.menu_console" if ctx.msg.channel == "console" else "staff.menu"
        rows = [
            [Choice(ctx.t("staff.btn.docs"), "staff:docs:0"), Choice(ctx.t("staff.btn.unanswered"), "staff:un")],
            [Choice(ctx.t("staff.btn.stats"), "staff:st:7"), Choice(ctx.t("staff.btn.reindex"), "staff:rx")],
            [Choice(ctx.t("staff.btn.staff_list"), "staff:ls")],
        ]
        return Reply(ctx.t(key, max_mb=ctx.services.settings.get("max_upload_mb", 20)), choices=rows)

    def _stats(self, ctx: Ctx, days: int) -> Reply:
        stats = service_of(ctx).stats(days)
        service_of(ctx).audit(ctx.msg.user_id, "stats", channel=ctx.msg.channel, days=days)
        rows = [[Choice(ctx.t("staff.btn.days", days=d), f"staff:st:{d}") for d in (1, 7, 30) if d != days]]
        return Reply(render_stats(ctx, stats), choices=rows)

    def _audit(self, ctx: Ctx, limit: int) -> Reply:
        entries = service_of(ctx).audit_entries(min(max(limit, 1), 50))
        lines = [ctx.t("staff.audit.header", n=len(entries))]
        lines += [ctx.t("staff.audit.line", when=e.created_at.strftime("%Y-%m-%d %H:%M"), actor=e.actor,
                        action=e.action, target=e.target or "", outcome=e.outcome) for e in entries]
        return Reply("\n".join(lines))

    def _ask_answer(self, ctx: Ctx, group_id: int) -> list[Reply]:
        group = service_of(ctx).find_group(group_id)
        if group is None:
            return [Reply(ctx.t("staff.answer.gone"))]
        ctx.enter(self.name)
        ctx.data.update({"await": "answer", "group": group.id})
        text = ctx.t("staff.answer.prompt", question=group.question, count=group.count, lang=group.lang)
        return [Reply(text, choices=[ctx.nav(back=False)], input="text")]

    def _dismiss(self, ctx: Ctx, group_id: int) -> list[Reply]:
        """The role was checked by on_callback just before; the service writes the audit entry."""
        service = service_of(ctx)
        try:
            group = service.dismiss(group_id, actor=ctx.msg.user_id, channel=ctx.msg.channel)
        except NotFound:
            return [Reply(ctx.t("staff.unanswered.dismiss_gone"))]
        done = Reply(ctx.t("staff.unanswered.dismissed", id=group.id, count=group.count,
                           question=group.question[:160]))
        return [done, render_unanswered(ctx, service.unanswered())]

    def _opt_in(self, ctx: Ctx, arg: str) -> list[Reply]:
        if not arg.isdigit():
            raise Stale()
        ok = service_of(ctx).opt_in(int(arg), ctx.user_hash, ctx.msg.channel, ctx.msg.chat_id, ctx.lang)
        if not ok:
            raise Stale()
        return [Reply(ctx.t("staff.optin.done"))]

    def available(self, services: Services) -> bool:
        return services.roles is not None

    # ---- background jobs: uploads (bot/jobs.py runs them) ----------------------------------
    def job_ctx(self, kind: str, catalog: Catalog, services: Services, payload: JsonObject) -> Ctx:
        return upload_job_ctx(catalog, services, payload)

    def job_subject(self, kind: str, payload: JsonObject) -> str:
        return upload_subject(payload)

    def run_job(self, kind: str, ctx: Ctx, progress: Callable[[int, int], None] | None, *,
                resumed: bool = False) -> list[Reply]:
        return run_upload_job(ctx, service_of(ctx), progress, resumed=resumed)

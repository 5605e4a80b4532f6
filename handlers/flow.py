"""How a conversation flow plugs into the dialog.

A flow is a class with a short `name` (also its callback prefix) that turns user actions into
replies. The dialog (handlers/dialog.py) owns routing, state persistence, language, errors,
rate limits and duplicates; a flow only sees a :class:`Ctx` and returns `list[Reply]`.

Writing a flow
--------------
::

    class BookingFlow(Flow):
        name = "bk"                      # callback data must start with "bk:" (≤ 64 bytes in all)
        menu_key = "menu.book"           # catalog key of its main-menu button (None: not in the menu)
        commands = ("mybookings", "pending")

        def start(self, ctx):            # the menu button / entry point was chosen
            ctx.data["step"] = "room"    # ctx.data: this flow's JSON-serializable state, persisted
            return [Reply(ctx.t("booking.pick_room"), choices=[[Choice("A", "bk:room:1")], ctx.nav()])]

        def on_text(self, ctx, text): ...      # free text while this flow is active
        def on_callback(self, ctx, data): ...  # a button "bk:..." was pressed (the flow may be inactive!)
        def on_command(self, ctx, command, args): ...   # "/mybookings" etc.

Rules:
- The flow is *active* between `ctx.enter(self.name)` (the dialog calls it before `start`) and
  `ctx.finish()`. While active, free text goes to `on_text`; otherwise free text is a question.
- Callbacks may arrive for an inactive flow (a staff "approve" button, an old message):
  handle them statelessly from the data, or raise `Stale()` for an outdated button.
- Back and Cancel: put `ctx.nav()` (a row with Back and Cancel) under each question. The dialog
  handles "<name>:back" by calling `on_back(ctx)` and "<name>:cancel" by finishing the flow and
  showing the main menu. Typed words (quay lại / назад / back, hủy / отмена / cancel) map to the
  same, on every channel.
- On text-only channels (Zalo, terminal) choices are shown as a numbered list and a typed digit
  or a typed button label is turned into that button's callback. When a step asks for typed
  input (a number, a name), set `input="text"` on the Reply so a typed digit stays text.
- Raise `knowledge.errors.CivicError` subclasses for user errors: the dialog answers with the
  catalog text `error.<code>` (params formatted in), keeps the flow where it was, and saves no
  partial state. Any other exception: a generic localized apology, state untouched.
- Every user-facing string comes from the catalogs: `ctx.t("area.key", **params)`.
- Staff-only actions: check `ctx.is_staff()` / `ctx.is_admin()` on EVERY call (raise
  `knowledge.errors.Forbidden` or return `ctx.t("staff.forbidden")`).
- To message someone else (the staff chat, a requester): `Reply(..., target=Target(ch, chat))`;
  `ctx.staff_target` is the staff chat (None when not configured).
- Times: `ctx.now` is an aware UTC datetime (injected clock); convert with zoneinfo for display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from handlers.i18n import Catalog
from handlers.messages import Choice, Incoming, Reply, Target
from handlers.pseudonym import Pseudonyms


class Stale(Exception):
    """An outdated or unknown button was pressed."""


@dataclass
class Services:
    """Everything the flows may use; built by the composition root (bot/app.py)."""

    answerer: Any = None
    search: Any = None
    kb: Any = None
    rules: Any = None
    eligibility_log: Any = None
    """knowledge.eligibility.log.EligibilityLog: results without personal identifiers."""
    bookings: Any = None
    roles: Any = None
    logs: Any = None
    """handlers.logs.ActivityLog: query log, feedback, handoffs."""
    staff: Any = None
    """Staff tools service (issue 6), if any."""
    staff_target: Target | None = None
    staff_langs: Any = None
    """handlers.staff_lang.StaffLangStore: staff members' /lang choices per chat (None: STAFF_LANG only)."""
    settings: dict[str, Any] = field(default_factory=dict)
    """Plain values flows may need: timezone, house_timezone, max_upload_mb, reminder offsets..."""
    fetch_file: Any = None
    """SYNC, thread-safe `(channel, file_ref) -> bytes`, provided by the hub (bot/hub.py) from the
    channel adapters' async downloads; raises on network errors. None when no channel can download."""
    outbox: Any = None
    """handlers.outbox.Outbox: durable delivery of notifications (None: replies go out directly)."""
    jobs: Any = None
    """handlers.jobs.JobStore: slow work (uploads) as background jobs; set only where a job worker
    runs (`civicbot run`). None: the work runs inline."""


@dataclass
class Ctx:
    msg: Incoming
    lang: str
    catalog: Catalog
    services: Services
    session: dict[str, Any]
    now: datetime
    salt: bytes = b""

    def t(self, key: str, /, **params: Any) -> str:
        return self.catalog.t(self.lang, key, **params)

    @property
    def data(self) -> dict[str, Any]:
        """The active flow's own state (persisted with the session)."""
        return self.session.setdefault("data", {})  # type: ignore[no-any-return]

    @property
    def flow(self) -> str | None:
        return self.session.get("flow")

    def enter(self, flow_name: str) -> None:
        self.session["flow"] = flow_name
        self.session["data"] = {}

    def finish(self) -> None:
        self.session["flow"] = None
        self.session["data"] = {}

    @property
    def user_key(self) -> str:
        return f"{self.msg.channel}:{self.msg.user_id}"

    @property
    def user_hash(self) -> str:
        """A keyed, stable pseudonym of the user for logs and analytics (handlers/pseudonym.py)."""
        return Pseudonyms(self.salt).user_hash(self.msg.channel, self.msg.user_id)

    @property
    def pseudonyms(self) -> Pseudonyms:
        return Pseudonyms(self.salt)

    @property
    def staff_target(self) -> Target | None:
        return self.services.staff_target

    def is_staff(self) -> bool:
        roles = self.services.roles
        return bool(roles and roles.is_staff(self.msg.channel, self.msg.user_id))

    def is_admin(self) -> bool:
        roles = self.services.roles
        return bool(roles and roles.is_admin(self.msg.channel, self.msg.user_id))

    def nav(self, flow_name: str | None = None, back: bool = True) -> list[Choice]:
        """A row with Back (optional) and Cancel for the given (default: active) flow."""
        name = flow_name or self.flow or "menu"
        row = [Choice(self.t("common.back"), f"{name}:back")] if back else []
        row.append(Choice(self.t("common.cancel"), f"{name}:cancel"))
        return row


class Flow:
    name: ClassVar[str] = ""
    menu_key: ClassVar[str | None] = None
    commands: ClassVar[tuple[str, ...]] = ()
    staff_only: ClassVar[bool] = False
    """True: the dialog refuses entry (menu, commands) to non-staff; flows still check each action."""

    def available(self, services: Services) -> bool:
        """False hides the flow (e.g. booking with no rooms configured): no dead buttons."""
        return True

    def start(self, ctx: Ctx) -> list[Reply]:
        raise NotImplementedError

    def on_text(self, ctx: Ctx, text: str) -> list[Reply]:
        return []

    def on_callback(self, ctx: Ctx, data: str) -> list[Reply]:
        raise Stale()

    def on_command(self, ctx: Ctx, command: str, args: str) -> list[Reply]:
        return self.start(ctx)

    def on_back(self, ctx: Ctx) -> list[Reply]:
        """Default: Back from the first step leaves the flow (the dialog then shows the menu)."""
        ctx.finish()
        return []

    def on_document(self, ctx: Ctx) -> list[Reply]:
        return []

    def on_sent(self, services: Services, track: str, message_id: str) -> None:
        """A Reply of this flow that carried `track` was delivered as platform message `message_id`."""

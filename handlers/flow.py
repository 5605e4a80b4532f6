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
- Services: `ctx.services` (:class:`Services`) holds typed services, None where not configured;
  hide the flow in `available()` when it needs one, and take it with
  `need(ctx.services.bookings, "the booking service")` (a missing one is a bug: generic apology).
  A fake in tests implements the same port (handlers/ports.py) or is the real class on SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, TypedDict, TypeVar

from handlers.i18n import Catalog
from handlers.jsondata import JsonObject
from handlers.messages import Choice, Incoming, Reply, Target
from handlers.ports import Answering, FetchFile, SearchIndex
from handlers.pseudonym import Pseudonyms

if TYPE_CHECKING:  # the concrete services, for types only (importing them here would load every area)
    from bookings.service import BookingService
    from handlers.jobs import JobStore
    from handlers.logs import ActivityLog
    from handlers.outbox import Outbox
    from handlers.roles import RoleStore
    from handlers.staff.lang import StaffLangStore
    from handlers.staff.service import StaffService
    from knowledge.eligibility.log import EligibilityLog
    from knowledge.eligibility.registry import RuleRegistry
    from knowledge.store import KnowledgeBase

T = TypeVar("T")


class Stale(Exception):
    """An outdated or unknown button was pressed."""


class FlowSettings(TypedDict, total=False):
    """Plain values flows may need, from the settings (bot/app.py `App.flow_settings`)."""

    timezone: str
    house_timezone: str
    max_upload_mb: int
    max_text_chars: int
    max_staff_text_chars: int
    reminder_hours: list[float]
    staff_lang: str
    data_dir: str
    console_url: str


@dataclass
class Services:
    """Everything the flows may use; built by the composition root (bot/app.py). None: not
    configured here (a flow that needs it is hidden, see `Flow.available`, and `need` refuses it)."""

    answerer: Answering | None = None
    search: SearchIndex | None = None
    kb: KnowledgeBase | None = None
    rules: RuleRegistry | None = None
    eligibility_log: EligibilityLog | None = None
    """Eligibility results without personal identifiers."""
    bookings: BookingService | None = None
    roles: RoleStore | None = None
    logs: ActivityLog | None = None
    """Query log, feedback, handoffs."""
    staff: StaffService | None = None
    """Staff tools service (issue 6)."""
    staff_target: Target | None = None
    staff_langs: StaffLangStore | None = None
    """Staff members' /lang choices per chat (None: STAFF_LANG only)."""
    settings: FlowSettings = field(default_factory=lambda: FlowSettings())
    """Plain values flows may need: timezone, house_timezone, max_upload_mb, reminder offsets..."""
    fetch_file: FetchFile | None = None
    """Provided by the hub (bot/hub.py) from the channel adapters' async downloads. None when no
    channel can download."""
    outbox: Outbox | None = None
    """Durable delivery of notifications (None: replies go out directly)."""
    jobs: JobStore | None = None
    """Slow work (uploads) as background jobs; set only where a job worker runs (`civicbot run`).
    None: the work runs inline."""


class ServiceMissing(RuntimeError):
    """A flow was reached (an old button, a typed command) without a service it needs."""


def need(service: T | None, what: str) -> T:
    """`service`, which the caller cannot work without (a bug or a misconfiguration when missing:
    the dialog answers with its generic apology, as for any internal error)."""
    if service is None:
        raise ServiceMissing(f"{what} is not configured")
    return service


@dataclass
class Ctx:
    msg: Incoming
    lang: str
    catalog: Catalog
    services: Services
    session: JsonObject
    """The conversation's persisted state (JSON): language, the active flow and its `data`, ..."""
    now: datetime
    salt: bytes = b""

    def t(self, key: str, /, **params: object) -> str:
        return self.catalog.t(self.lang, key, **params)

    @property
    def data(self) -> JsonObject:
        """The active flow's own state (persisted with the session)."""
        data: JsonObject = self.session.setdefault("data", {})
        return data

    @property
    def flow(self) -> str | None:
        flow = self.session.get("flow")
        return flow if isinstance(flow, str) else None

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

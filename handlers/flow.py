"""The flow contract: how a conversation flow plugs into the dialog (docs/WRITING_A_FLOW.md).

A flow is a :class:`Flow` subclass that declares what it owns — its name (= its callback-data
prefix), more button prefixes, commands, the kinds of staff messages whose replies it handles,
intents, whether it takes free text or documents, capabilities it offers other flows — and turns
user actions into replies. handlers/registry.py checks the declarations once at start-up (a
command or prefix claimed twice is an error) and the dialog (handlers/dialog.py) routes by them;
it owns routing, state persistence, language, errors (handlers/errors.py), rate limits and
duplicates. A flow only sees a :class:`Ctx` and returns `list[Reply]`; it never names another
flow: what flows need from each other goes through a named :class:`Capability`.

Rules in short (the guide has the rest): the flow is *active* between `ctx.enter(name)` and
`ctx.finish()`; callbacks may arrive for an inactive flow (raise `Stale()` for an outdated
button); raise `knowledge.errors.CivicError` for the user's errors (the dialog answers
`error.<code>`, saves no partial state); every string from the catalogs (`ctx.t`); staff-only
actions check `ctx.is_staff()` / `ctx.is_admin()` on every call; slow work (an LLM call, a
download) is returned as a `handlers.slow.Later` so that no dialog worker waits for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Generic, Protocol, TypedDict, TypeVar, runtime_checkable

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
    from handlers.staff.service import StaffService
    from handlers.staff_langs import StaffLangStore
    from knowledge.eligibility.log import EligibilityLog
    from knowledge.eligibility.registry import RuleRegistry
    from knowledge.store import KnowledgeBase

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
if TYPE_CHECKING:
    from handlers.registry import FlowRegistry


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
    flows: FlowRegistry | None = None
    """The registered flows (set by the dialog): capabilities are looked up here, by contract name."""

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




@dataclass(frozen=True)
class Capability(Generic[T_co]):
    """A named, typed service one flow offers the others (looked up with `ctx.flows.capability`).
    `protocol` is the runtime-checkable Protocol `T_co` the provider must satisfy. Covariant: a flow
    lists what it offers as `Capability[object]` keys, each checked against its protocol at start-up."""

    name: str
    protocol: type


@runtime_checkable
class FollowUp(Protocol):
    """"Tell me when staff answer this question": a button offered under an abstention."""

    def follow_up_data(self, services: Services, query_id: int) -> str | None:
        """The callback data of the button for query `query_id`; None when not offered."""
        ...


FOLLOW_UP = Capability[FollowUp]("follow_up", FollowUp)


@runtime_checkable
class PendingReplies(Protocol):
    """Replies waiting for delivery outside any conversation (answers staff wrote in the console for
    users who asked to be told); the runner polls them and sends each to its `target`."""

    def pending_replies(self, services: Services, catalog: Catalog) -> list[Reply]:
        """The waiting replies, marked delivered (the hub retries sends on its side)."""
        ...


PENDING_REPLIES = Capability[PendingReplies]("pending_replies", PendingReplies)


class Flow:
    """Declarations (class attributes, checked by handlers/registry.py) and hooks (methods)."""

    name: ClassVar[str] = ""
    """Short and unique: the callback prefix (`<name>:...`) and the key of its state."""
    buttons: ClassVar[tuple[str, ...]] = ()
    """More callback-data prefixes this flow owns, besides its name."""
    commands: ClassVar[tuple[str, ...]] = ()
    menu_key: ClassVar[str | None] = None
    """Catalog key of its main-menu button (None: not in the menu)."""
    help_key: ClassVar[str | None] = None
    """Catalog key of its lines in /help (None: none)."""
    staff_replies: ClassVar[tuple[str, ...]] = ()
    """Kinds of tracked messages it sends (`Reply.track = "<kind>:<id>"`): their delivery is
    reported to `on_sent`, and a staff member's reply to one of them goes to `on_staff_reply`."""
    intents: ClassVar[Mapping[str, str]] = {}
    """Intents it serves ("book a room": handlers/smalltalk/), each with the command that starts it."""
    free_text: ClassVar[bool] = False
    """True: free text outside any active flow is this flow's (questions). One flow at most."""
    documents: ClassVar[bool] = False
    """True: documents sent outside its own steps are this flow's (uploads). One flow at most."""
    jobs: ClassVar[tuple[str, ...]] = ()
    """Kinds of background jobs it queues (`ctx.services.jobs.enqueue(kind, payload)`): the job
    worker (bot/jobs.py) runs them with `job_ctx` + `run_job`; its texts are `reliability.<kind>.*`."""
    staff_only: ClassVar[bool] = False
    """True: the dialog refuses entry (menu, commands) to non-staff; flows still check each action."""

    def capabilities(self) -> Mapping[Capability[object], object]:
        """The capabilities this flow provides, each with the object that implements it."""
        return {}

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

    def on_staff_reply(self, ctx: Ctx) -> list[Reply]:
        """A reply in the staff chat to a message of one of its `staff_replies` kinds ([]: not one)."""
        return []

    def on_forbidden(self, ctx: Ctx, what: str) -> list[Reply]:
        """A non-staff user tried a staff-only entry (`what`: the command or menu); [] → the generic text."""
        return []

    def menu_extras(self, ctx: Ctx) -> list[Choice]:
        """More main-menu buttons (one a row, after every flow's main button)."""
        return []

    def open_to_small_talk(self, ctx: Ctx) -> bool:
        """While active: True when typed text may be small talk rather than this step's input."""
        return False

    def intent_args(self, ctx: Ctx, intent: str) -> str:
        """The arguments of the command an intent starts ("" by default)."""
        return ""

    def job_ctx(self, kind: str, catalog: Catalog, services: Services, payload: JsonObject) -> Ctx:
        """The context of the chat a queued job came from (its texts, audit, replies)."""
        raise NotImplementedError

    def job_subject(self, kind: str, payload: JsonObject) -> str:
        """What the job's messages to the user call it (`{file}` in `reliability.<kind>.*`)."""
        return "?"

    def run_job(self, kind: str, ctx: Ctx, progress: Callable[[int, int], None] | None, *,
                resumed: bool = False) -> list[Reply]:
        """In the job thread: do the work; the replies to send (to `ctx`'s chat unless targeted).
        `progress(done, total)` reports how far it is; `resumed`: an earlier run was cut short."""
        raise NotImplementedError

"""The dialog: one conversation engine for every channel.

`Dialog.handle(Incoming) -> list[Reply]` is synchronous (retrieval and SQL are CPU/IO bound and
run in a worker thread of the hub). It owns routing (by the flow registry, handlers/registry.py:
it names no flow), language, session state, duplicate updates and flood control; errors become
replies through handlers/errors.py. `begin` + `settle` split off slow work (handlers/slow.py) so
that the hub can run it outside its dialog workers.
"""

from __future__ import annotations

import copy
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from handlers.dialog_input import message_lang, remember_choices, text_limit, too_long, typed_choice
from handlers.errors import explain
from handlers.flow import Ctx, Flow, Services, Stale
from handlers.i18n import Catalog, pick_lang
from handlers.jsondata import JsonObject
from handlers.messages import NUMBERED_CHANNELS, Choice, Incoming, Reply, normalize_incoming
from handlers.pseudonym import Pseudonyms
from handlers.registry import FlowRegistry
from handlers.slow import Later
from handlers.smalltalk import route as small_talk
from handlers.state import Deduper, DialogStateStore, MemoryDeduper, MemoryRateLimiter, RateLimiter

log = logging.getLogger(__name__)

LANG_NAMES = {"vi": "Tiếng Việt", "ru": "Русский"}


class Dialog:
    def __init__(
        self,
        catalog: Catalog,
        services: Services,
        flows: Iterable[Flow],
        states: DialogStateStore,
        *,
        deduper: Deduper | None = None,
        limiter: RateLimiter | None = None,
        default_lang: str = "vi",
        salt: bytes = b"",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        text_only: Iterable[str] = NUMBERED_CHANNELS,
    ) -> None:
        self.catalog = catalog
        self.services = services
        self.registry = FlowRegistry(flows)
        """What each flow owns; raises DuplicateRegistration for a command or prefix claimed twice."""
        self.flows: dict[str, Flow] = self.registry.flows
        self.states = states
        self.deduper: Deduper = deduper or MemoryDeduper()
        self.limiter: RateLimiter = limiter or MemoryRateLimiter()
        self.default_lang = default_lang
        self.salt = salt
        self.pseudonyms = Pseudonyms(salt)
        """Keys of state and rate limits are keyed pseudonyms: no raw messenger id in SQL or Redis keys."""
        self.clock = clock
        self.text_only = frozenset(text_only)
        """Channels without buttons: choices are numbered and a typed digit picks one (`civicbot run`
        passes the registry's, bot/channels/registry.py)."""
        self.metrics: Counter[str] = Counter()
        """`infrastructure_errors_total`, `internal_errors_total` (read by bot/metrics.py)."""

    # ---- entry points ------------------------------------------------------------------
    def handle(self, msg: Incoming) -> list[Reply]:
        """Every reply to `msg`, slow work done (in this thread)."""
        return [r for item in self.begin(msg) for r in (self.settle(item) if isinstance(item, Later) else [item])]

    def begin(self, msg: Incoming) -> list[Reply]:
        """The replies to `msg` with slow work left as `Later` placeholders (the session is saved)."""
        msg = normalize_incoming(msg)
        try:
            return self._handle(msg)
        except Exception as exc:  # the state store, deduper or rate limiter failed: no session
            lang = pick_lang(msg.language_code, default=self.default_lang)
            return [Reply(self.catalog.t(lang, explain(exc, self.catalog, lang, counts=self.metrics).key))]

    def settle(self, later: Later) -> list[Reply]:
        """A Later's replies (its work run in this thread); a failure is answered like any other."""
        try:
            return later.work()
        except Exception as exc:
            found = explain(exc, self.catalog, later.lang, counts=self.metrics)
            return [Reply(self.catalog.t(later.lang, found.key, **found.params), target=later.target)]

    def _handle(self, msg: Incoming) -> list[Reply]:
        if msg.update_id and not self.deduper.first_time(f"{msg.channel}:{msg.update_id}"):
            return []
        key = self.pseudonyms.state_key(msg.channel, msg.chat_id, msg.user_id)
        stored = self.states.get(key) or {}
        session = copy.deepcopy(stored)
        spoken = message_lang(msg)  # a message's own clear language wins over a stored choice
        if spoken is not None:
            session["lang"] = spoken
        lang = session.get("lang") or pick_lang(msg.language_code, default=self.default_lang)
        ctx = Ctx(msg, lang, self.catalog, self.services, session, self.clock(), self.salt, self.registry)
        if not self.limiter.allow(self.pseudonyms.rate_key(msg.channel, msg.user_id)):
            return self._flood_reply(ctx, key)
        try:
            replies = self._route(ctx)
        except Stale as exc:
            replies = [Reply(ctx.t(explain(exc, self.catalog, ctx.lang).key))] + self._menu(ctx)
        except Exception as exc:  # errors are values users can read
            found = explain(exc, self.catalog, ctx.lang, counts=self.metrics)
            self._save(key, stored, self._with_flood(stored, session))
            return [Reply(ctx.t(found.key, **found.params))]
        remember_choices(ctx, replies)
        self._save(key, stored, session)
        return replies

    def on_sent(self, track: str, message_id: str) -> None:
        """A channel reports the platform id of a sent Reply that carried `track` (to its owner)."""
        flow = self.registry.for_track(track)
        if flow is None:
            log.warning("a sent message carried track kind %r that no flow owns", track.partition(":")[0])
            return
        try:
            flow.on_sent(self.services, track, message_id)
        except Exception:  # a flow's bookkeeping must not break delivery
            log.exception("on_sent failed in flow %s", flow.name)

    # ---- routing -----------------------------------------------------------------------
    def _route(self, ctx: Ctx) -> list[Reply]:
        msg = ctx.msg
        staff = self.services.staff_target
        if (
            staff is not None
            and (msg.channel, msg.chat_id) == (staff.channel, staff.chat_id)
            and msg.reply_to_message_id
            and msg.kind == "text"
        ):
            for owner in self.registry.staff_reply_flows():
                relayed = owner.on_staff_reply(ctx)
                if relayed:
                    return relayed
        if msg.kind == "callback" and msg.callback:
            return self._callback(ctx, msg.callback)
        over = too_long(msg, text_limit(self.services.settings, ctx.is_staff()))
        if over is not None:  # every free-text field is capped; nothing changes
            limit = text_limit(self.services.settings, ctx.is_staff())
            return [Reply(ctx.t("input.too_long", n=over, max=limit))]
        if msg.command:
            return self._command(ctx, msg.command, msg.command_args)
        if msg.kind == "document":
            return self._document(ctx)
        if msg.kind == "text" and not (msg.text or "").strip():  # only spaces or invisible characters
            return [Reply(ctx.t("sec.empty_message"))] + self._menu(ctx)
        if msg.kind not in ("text", "command") or not (msg.text or "").strip():
            return [Reply(ctx.t("common.unsupported_" + _media_group(msg.kind)))]
        text = (msg.text or "").strip()
        mapped = typed_choice(ctx, text)
        if mapped is not None:
            return self._callback(ctx, mapped)
        talk = small_talk(ctx, text)  # greetings, ok, stray digits, "book a room": not questions
        if talk is not None:
            if talk.command:
                return talk.replies + self._command(ctx, talk.command, talk.args)
            return talk.replies + (self._menu(ctx) if talk.menu else [])
        active = self.registry.get(ctx.flow)
        if active is not None:
            return active.on_text(ctx, text) or self._menu(ctx)
        asker = self.registry.free_text
        return asker.on_text(ctx, text) if asker is not None else self._menu(ctx)

    def _callback(self, ctx: Ctx, data: str) -> list[Reply]:
        head, _, rest = data.partition(":")
        if head == "lang" and rest in LANG_NAMES:
            ctx.session["lang"] = ctx.lang = rest
            if self.services.staff_langs is not None and ctx.is_staff():  # staff messages follow it
                self.services.staff_langs.remember(ctx.msg.channel, ctx.msg.chat_id, ctx.msg.user_id, rest)
            return [Reply(ctx.t("common.lang_set"))] + self._menu(ctx)
        if head == "menu":
            if rest == "help":
                return self._help(ctx)
            if rest == "lang":
                return [Reply(ctx.t("common.choose_lang"), choices=[self._lang_row()])]
            return self._open(ctx, rest) if rest and rest != "main" else self._leave(ctx)
        flow = self.registry.for_button(data)
        if flow is None:
            raise Stale()
        if rest == "cancel":
            if ctx.flow == flow.name:
                ctx.finish()
            return [Reply(ctx.t("common.cancelled"))] + self._menu(ctx)
        if rest == "back":
            if ctx.flow != flow.name:
                raise Stale()
            return flow.on_back(ctx) or self._leave(ctx)
        return flow.on_callback(ctx, data)

    def _command(self, ctx: Ctx, command: str, args: str) -> list[Reply]:
        if command == "start":
            return self._start(ctx, args)
        if command in ("lang", "language"):
            return [Reply(ctx.t("common.choose_lang"), choices=[self._lang_row()])]
        if command == "help":
            return self._help(ctx)
        if command in ("menu", "cancel"):
            ctx.finish()
            return self._menu(ctx)
        flow = self.registry.for_command(command)
        if flow is not None and flow.available(self.services):
            if flow.staff_only and not ctx.is_staff():
                return self._forbidden(ctx, flow, command)
            return flow.on_command(ctx, command, args)
        return [Reply(ctx.t("common.unknown_command"))] + self._menu(ctx)

    def _document(self, ctx: Ctx) -> list[Reply]:
        flow = self.registry.get(ctx.flow)
        replies = flow.on_document(ctx) if flow is not None else []
        if replies:
            return replies
        owner = self.registry.documents
        if owner is not None:
            replies = owner.on_document(ctx)
            if replies:
                return replies
        return [Reply(ctx.t("common.unsupported_file"))]

    def _start(self, ctx: Ctx, args: str) -> list[Reply]:
        """Greeting; the menu right away when the language is known (saved or from the platform),
        else the language buttons first (one numbered list at a time on text-only channels)."""
        ctx.finish()
        if args in LANG_NAMES:  # `/start vi`: a language given explicitly (terminal --lang, deep link)
            ctx.session["lang"] = ctx.lang = args
        known = "lang" in ctx.session or pick_lang(ctx.msg.language_code, default="") != ""
        ctx.session["lang"] = ctx.lang
        if not known:
            return [Reply(ctx.t("common.greeting") + "\n\n" + ctx.t("common.choose_lang"), choices=[self._lang_row()])]
        return [Reply(ctx.t("common.greeting")), *self._menu(ctx)]

    def _open(self, ctx: Ctx, name: str) -> list[Reply]:
        flow = self.registry.get(name)
        if flow is None or not flow.available(self.services):
            raise Stale()
        if flow.staff_only and not ctx.is_staff():
            return self._forbidden(ctx, flow, name)
        ctx.enter(name)
        return flow.start(ctx)

    def _forbidden(self, ctx: Ctx, flow: Flow, what: str) -> list[Reply]:
        """A non-staff user tried a staff-only entry: the flow may audit it; the refusal is polite."""
        log.info("refused %s for %s", what, ctx.user_hash)
        return flow.on_forbidden(ctx, what) or [Reply(ctx.t("common.forbidden"))]

    def _leave(self, ctx: Ctx) -> list[Reply]:
        ctx.finish()
        return self._menu(ctx)

    def _menu(self, ctx: Ctx) -> list[Reply]:
        rows = self.registry.menu_rows(ctx)
        rows.append([Choice(ctx.t("menu.help"), "menu:help"), Choice(ctx.t("menu.language"), "menu:lang")])
        return [Reply(ctx.t("menu.title"), choices=rows)]

    def _help(self, ctx: Ctx) -> list[Reply]:
        """The general lines, each shown flow's lines, how to go back or cancel; then the menu."""
        lines = [ctx.t("common.help"), *self.registry.help_lines(ctx), ctx.t("common.help_steps")]
        return [Reply("\n".join(lines))] + self._menu(ctx)

    def _lang_row(self) -> list[Choice]:
        return [Choice(name, f"lang:{code}") for code, name in LANG_NAMES.items()]

    # ---- flood, persistence -------------------------------------------------------------
    def _flood_reply(self, ctx: Ctx, key: str) -> list[Reply]:
        if ctx.session.get("flood_warned"):
            return []
        stored = self.states.get(key) or {}
        stored["flood_warned"] = True
        self.states.set(key, stored)
        return [Reply(ctx.t("common.flood"))]

    @staticmethod
    def _with_flood(stored: JsonObject, session: JsonObject) -> JsonObject:
        kept = dict(stored)
        if "lang" in session:
            kept["lang"] = session["lang"]
        return kept

    def _save(self, key: str, before: JsonObject, after: JsonObject) -> None:
        after.pop("flood_warned", None)
        if after != before:
            self.states.set(key, after)


def _media_group(kind: str) -> str:
    return kind if kind in ("photo", "sticker", "voice", "video", "location", "contact", "unsupported") else "other"

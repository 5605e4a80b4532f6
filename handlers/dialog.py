"""The dialog: one conversation engine for every channel.

`Dialog.handle(Incoming) -> list[Reply]` is synchronous (retrieval and SQL are CPU/IO bound
and run in a worker thread of the channel adapter). It owns routing, language, session state,
duplicate updates, flood control and the mapping of errors to localized replies.
"""

from __future__ import annotations

import copy
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from handlers.ask.smalltalk import route as small_talk
from handlers.dialog_input import message_lang, text_limit, too_long
from handlers.errors import classify
from handlers.flow import Ctx, Flow, Services, Stale
from handlers.i18n import Catalog, pick_lang
from handlers.messages import NUMBERED_CHANNELS, Choice, Incoming, Reply, normalize_incoming, numbered_choices
from handlers.pseudonym import Pseudonyms
from handlers.state import DialogStateStore, MemoryDeduper, MemoryRateLimiter
from knowledge.errors import CivicError
from knowledge.text import match_form

log = logging.getLogger(__name__)

BACK_WORDS = {"back", "quay lai", "tro lai", "назад"}
CANCEL_WORDS = {"cancel", "huy", "huy bo", "thoat", "отмена", "отменить", "выход", "stop"}
LANG_NAMES = {"vi": "Tiếng Việt", "ru": "Русский"}


class Dialog:
    def __init__(
        self,
        catalog: Catalog,
        services: Services,
        flows: Iterable[Flow],
        states: DialogStateStore,
        *,
        deduper: Any = None,
        limiter: Any = None,
        default_lang: str = "vi",
        salt: bytes = b"",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.catalog = catalog
        self.services = services
        self.flows: dict[str, Flow] = {f.name: f for f in flows}
        self.states = states
        self.deduper = deduper or MemoryDeduper()
        self.limiter = limiter or MemoryRateLimiter()
        self.default_lang = default_lang
        self.salt = salt
        self.pseudonyms = Pseudonyms(salt)
        """Keys of state and rate limits are keyed pseudonyms: no raw messenger id in SQL or Redis keys."""
        self.clock = clock
        self.metrics: Counter[str] = Counter()
        """`infrastructure_errors_total`, `internal_errors_total` (read by bot/metrics.py)."""

    # ---- entry point -------------------------------------------------------------------
    def handle(self, msg: Incoming) -> list[Reply]:
        msg = normalize_incoming(msg)
        try:
            return self._handle(msg)
        except Exception as exc:  # the state store, deduper or rate limiter failed: no session
            lang = pick_lang(msg.language_code, default=self.default_lang)
            return [Reply(self.catalog.t(lang, self._failure_key(exc)))]

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
        ctx = Ctx(msg, lang, self.catalog, self.services, session, self.clock(), self.salt)
        if not self.limiter.allow(self.pseudonyms.rate_key(msg.channel, msg.user_id)):
            return self._flood_reply(ctx, key)
        try:
            replies = self._route(ctx)
        except Stale:
            replies = [Reply(ctx.t("common.stale_button"))] + self._menu(ctx)
        except Exception as exc:  # errors are values users can read
            replies = self._error_replies(ctx, exc)
            self._save(key, stored, self._with_flood(stored, session))
            return replies
        self._remember_choices(ctx, replies)
        self._save(key, stored, session)
        return replies

    def on_sent(self, track: str, message_id: str) -> None:
        """A channel reports the platform id of a sent Reply that carried `track`."""
        for flow in self.flows.values():
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
            and "ask" in self.flows
        ):
            relayed = self.flows["ask"].on_staff_reply(ctx)  # type: ignore[attr-defined]
            if relayed:
                return relayed  # type: ignore[no-any-return]
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
        mapped = self._typed_choice(ctx, text)
        if mapped is not None:
            return self._callback(ctx, mapped)
        talk = small_talk(ctx, text, self.flows)  # greetings, ok, stray digits, "book a room": not questions
        if talk is not None:
            then = self._command(ctx, talk.command, talk.args) if talk.command else self._menu(ctx) if talk.menu else []
            return talk.replies + then
        flow = self.flows.get(ctx.flow or "")
        if flow is not None:
            return flow.on_text(ctx, text) or self._menu(ctx)
        asker = self.flows.get("ask")
        if asker is None:
            return self._menu(ctx)
        return asker.on_text(ctx, text)

    def _callback(self, ctx: Ctx, data: str) -> list[Reply]:
        head, _, rest = data.partition(":")
        if head == "lang" and rest in LANG_NAMES:
            ctx.session["lang"] = ctx.lang = rest
            if self.services.staff_langs is not None and ctx.is_staff():  # staff messages follow it
                self.services.staff_langs.remember(ctx.msg.channel, ctx.msg.chat_id, ctx.msg.user_id, rest)
            return [Reply(ctx.t("common.lang_set"))] + self._menu(ctx)
        if head == "menu":
            if rest == "help":
                return [Reply(ctx.t("common.help"))] + self._menu(ctx)
            if rest == "lang":
                return [Reply(ctx.t("common.choose_lang"), choices=[self._lang_row()])]
            return self._open(ctx, rest) if rest and rest != "main" else self._leave(ctx)
        flow = self.flows.get(head)
        if flow is None:
            raise Stale()
        if rest == "cancel":
            if ctx.flow == head:
                ctx.finish()
            return [Reply(ctx.t("common.cancelled"))] + self._menu(ctx)
        if rest == "back":
            if ctx.flow != head:
                raise Stale()
            return flow.on_back(ctx) or self._leave(ctx)
        return flow.on_callback(ctx, data)

    def _command(self, ctx: Ctx, command: str, args: str) -> list[Reply]:
        if command == "start":
            return self._start(ctx, args)
        if command in ("lang", "language"):
            return [Reply(ctx.t("common.choose_lang"), choices=[self._lang_row()])]
        if command == "help":
            return [Reply(ctx.t("common.help"))] + self._menu(ctx)
        if command in ("menu", "cancel"):
            ctx.finish()
            return self._menu(ctx)
        for flow in self.flows.values():
            if command in flow.commands and flow.available(self.services):
                if flow.staff_only and not ctx.is_staff():
                    return self._forbidden(ctx, flow, command)
                return flow.on_command(ctx, command, args)
        return [Reply(ctx.t("common.unknown_command"))] + self._menu(ctx)

    def _document(self, ctx: Ctx) -> list[Reply]:
        flow = self.flows.get(ctx.flow or "")
        replies = flow.on_document(ctx) if flow is not None else []
        if replies:
            return replies
        staff = self.flows.get("staff")
        if staff is not None:
            replies = staff.on_document(ctx)
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
        flow = self.flows.get(name)
        if flow is None or not flow.available(self.services):
            raise Stale()
        if flow.staff_only and not ctx.is_staff():
            return self._forbidden(ctx, flow, name)
        ctx.enter(name)
        return flow.start(ctx)

    def _forbidden(self, ctx: Ctx, flow: Flow, what: str) -> list[Reply]:
        """A non-staff user tried a staff-only entry: the flow may audit it; the refusal is polite."""
        log.info("refused %s for %s", what, ctx.user_hash)
        hook = getattr(flow, "on_forbidden", None)
        refused = hook(ctx, what) if callable(hook) else None
        return list(refused) if refused else [Reply(ctx.t("common.forbidden"))]

    def _leave(self, ctx: Ctx) -> list[Reply]:
        ctx.finish()
        return self._menu(ctx)

    def _menu(self, ctx: Ctx) -> list[Reply]:
        rows: list[list[Choice]] = []
        for flow in self.flows.values():
            if flow.menu_key and flow.available(self.services) and (not flow.staff_only or ctx.is_staff()):
                rows.append([Choice(ctx.t(flow.menu_key), f"menu:{flow.name}")])
        if "ask" in self.flows and self.services.staff_target is not None:
            rows.append([Choice(ctx.t("menu.contact_staff"), "ask:contact")])
        rows.append([Choice(ctx.t("menu.help"), "menu:help"), Choice(ctx.t("menu.language"), "menu:lang")])
        return [Reply(ctx.t("menu.title"), choices=rows)]

    def _lang_row(self) -> list[Choice]:
        return [Choice(name, f"lang:{code}") for code, name in LANG_NAMES.items()]

    # ---- typed choices (text-only channels) -------------------------------------------
    def _typed_choice(self, ctx: Ctx, text: str) -> str | None:
        folded = match_form(text)
        choices: list[list[str]] = ctx.session.get("choices") or []
        for label, data in choices:
            if match_form(label) == folded:
                return data
        mode = ctx.session.get("input", "choice")
        if folded.isdigit() and (mode == "choice" or ctx.msg.channel in NUMBERED_CHANNELS):
            counted = numbered_choices([Choice(label, data) for label, data in choices], mode)
            index = int(folded) - 1
            if 0 <= index < len(counted):
                return counted[index].data
        if ctx.flow and folded in BACK_WORDS:
            return f"{ctx.flow}:back"
        if ctx.flow and folded in CANCEL_WORDS:
            return f"{ctx.flow}:cancel"
        return None

    def _remember_choices(self, ctx: Ctx, replies: list[Reply]) -> None:
        here = (ctx.msg.channel, ctx.msg.chat_id)  # a reply to this very chat (the terminal is the staff chat)
        own = [r for r in replies if r.target is None or (r.target.channel, r.target.chat_id) == here]
        last = next((r for r in reversed(own) if r.choices), None)
        if last is None and own:
            ctx.session["choices"] = []
            ctx.session["input"] = own[-1].input
            return
        if last is not None:
            ctx.session["choices"] = [[c.label, c.data] for c in last.all_choices() if not c.url]
            ctx.session["input"] = last.input

    # ---- errors, flood, persistence ---------------------------------------------------
    def _error_replies(self, ctx: Ctx, exc: Exception) -> list[Reply]:
        """A domain error (a CivicError, recognised by its type) is the user's to read, in their
        language; anything else is ours: logged with its traceback, counted, a short apology."""
        if isinstance(exc, CivicError):
            key = f"error.{exc.code}"
            if self.catalog.has(key, "en") or self.catalog.has(key, ctx.lang):
                return [Reply(ctx.t(key, **exc.params))]
            log.warning("no catalog text for error code %s", exc.code)
            return [Reply(ctx.t("error.generic_input"))]
        return [Reply(ctx.t(self._failure_key(exc)))]

    def _failure_key(self, exc: Exception) -> str:
        """Log and count a failure that is not the user's; the catalog key of the apology."""
        kind = classify(exc)
        self.metrics[f"{kind}_errors_total"] += 1
        if kind == "infrastructure":
            log.error("infrastructure error handling an update (%s)", type(exc).__name__, exc_info=exc)
            return "sec.infrastructure_error"
        log.error("unexpected error handling an update (%s)", type(exc).__name__, exc_info=exc)
        return "error.internal"

    def _flood_reply(self, ctx: Ctx, key: str) -> list[Reply]:
        if ctx.session.get("flood_warned"):
            return []
        stored = self.states.get(key) or {}
        stored["flood_warned"] = True
        self.states.set(key, stored)
        return [Reply(ctx.t("common.flood"))]

    @staticmethod
    def _with_flood(stored: dict[str, Any], session: dict[str, Any]) -> dict[str, Any]:
        kept = dict(stored)
        if "lang" in session:
            kept["lang"] = session["lang"]
        return kept

    def _save(self, key: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        after.pop("flood_warned", None)
        if after != before:
            self.states.set(key, after)


def _media_group(kind: str) -> str:
    return kind if kind in ("photo", "sticker", "voice", "video", "location", "contact", "unsupported") else "other"

"""The eligibility chat: choose a program, answer one question at a time, get an explained result.

Program choice → questions in the rule file's order, asking only what can still change the
outcome (the engine lists the missing answers) → the result (handlers/eligibility/result.py).
Buttons for yes/no and choices; numbers typed freely ("1,5 triệu", "35 тыс") and re-asked when
unreadable; Back and Cancel under every question; progress "Câu 3/15".

State (ctx.data): program, version, on (ISO date fixed at the start), answers {id: value},
history [ids in the order answered], q (the question being asked).
Results are logged without personal data through `services.eligibility_log` (an
knowledge.eligibility.log.EligibilityLog), when the composition root provides one.
"""

from __future__ import annotations

import logging
from datetime import date
from fractions import Fraction

from handlers.eligibility.result import prev_quarter_months, quarter_months, result_replies
from handlers.eligibility.steps import decidable_options, echo_amount, money, period_buttons, remaining
from handlers.errors import error_text
from handlers.flow import Ctx, Flow, Services, Stale, need
from handlers.jsondata import JsonObject
from handlers.messages import Choice, Reply
from knowledge.eligibility.engine import Decision, Value, evaluate, quarter_of
from knowledge.eligibility.periods import period_word
from knowledge.eligibility.registry import RuleRegistry
from knowledge.eligibility.render import prompt_text
from knowledge.eligibility.schema import Option, Question, RuleSet
from knowledge.eligibility.values import check_range, coerce_answer, in_unit, read_amount
from knowledge.errors import CivicError, NotFound, ValidationError

log = logging.getLogger(__name__)
SMALL_AMOUNT = Fraction(1000)
"""A non-zero money answer below this is surely a slip ("1,5" for 1.5 million): asked again."""


class EligibilityFlow(Flow):
    name = "elig"
    menu_key = "eligibility.menu"
    commands = ("eligibility", "check")
    intents = {"eligibility": "eligibility"}

    def available(self, services: Services) -> bool:
        rules = services.rules
        return rules is not None and bool(rules.programs())

    def intent_args(self, ctx: Ctx, intent: str) -> str:
        """"Am I a poor household?": the one program offered first in the reply language and in
        force today, if only one is (vi → the Vietnamese poverty standard, ru → Kazakhstan's ASP);
        else "" (the program list)."""
        rules = need(ctx.services.rules, "the eligibility rules")
        found = []
        for program in rules.programs():
            versions = rules.versions(program)
            if not versions or ctx.lang not in versions[-1].menu_langs:
                continue
            try:
                rules.resolve(program, rules.today(program, ctx.now))
            except Exception:  # no version in force today: not offered
                continue
            found.append(program)
        return found[0] if len(found) == 1 else ""

    # ---- entry -------------------------------------------------------------------------
    def start(self, ctx: Ctx) -> list[Reply]:
        _rules(ctx).refresh()  # staff edits in <data_dir>/rules take effect at the next check
        ctx.data.clear()
        ctx.data["step"] = "program"
        return self._programs(ctx)

    def on_command(self, ctx: Ctx, command: str, args: str) -> list[Reply]:
        ctx.enter(self.name)
        wanted = args.strip().lower()
        if wanted and wanted in _rules(ctx).programs():
            return self._pick(ctx, wanted)
        return self.start(ctx)

    def _programs(self, ctx: Ctx) -> list[Reply]:
        rules = _rules(ctx)
        rows: list[list[Choice]] = []
        for program in rules.menu_order(ctx.lang):
            try:
                rs = rules.resolve(program, rules.today(program, ctx.now))
            except NotFound:
                continue  # no version in force today
            rows.append([Choice(rs.title.get(ctx.lang), f"elig:p:{program}")])
        if not rows:
            ctx.finish()
            return [Reply(ctx.t("eligibility.no_programs"))]
        return [Reply(ctx.t("eligibility.choose_program"), choices=[*rows, ctx.nav(self.name)])]

    def _pick(self, ctx: Ctx, program: str) -> list[Reply]:
        rules = _rules(ctx)
        on = rules.today(program, ctx.now)
        rs = rules.resolve(program, on)
        ctx.data.clear()
        ctx.data.update(step="question", program=program, version=rs.version, on=on.isoformat(),
                        answers={}, history=[], q=None)
        return self._advance(ctx)

    # ---- user actions ------------------------------------------------------------------
    def on_callback(self, ctx: Ctx, data: str) -> list[Reply]:
        _, kind, rest = (data.split(":", 2) + ["", ""])[:3]
        if kind == "again":
            ctx.enter(self.name)
            return self.start(ctx)
        if ctx.flow != self.name:
            raise Stale()
        if kind == "p" and ctx.data.get("step") == "program":
            if rest not in _rules(ctx).programs():
                raise Stale()
            return self._pick(ctx, rest)
        if kind == "a" and ctx.data.get("step") == "question":
            qid, _, raw = rest.partition(":")
            if qid != ctx.data.get("q"):
                raise Stale()
            return self._answer(ctx, raw, from_button=True)
        if kind == "u" and ctx.data.get("step") == "period":
            return self._period(ctx, rest)
        raise Stale()

    def on_text(self, ctx: Ctx, text: str) -> list[Reply]:
        if ctx.data.get("step") == "period":
            period = period_word(text)
            if period is not None:
                return self._period(ctx, period)
            ctx.data["step"] = "question"  # a new amount typed instead: read it afresh
            return self._answer(ctx, text, from_button=False)
        if ctx.data.get("step") != "question" or not ctx.data.get("q"):
            return [Reply(ctx.t("eligibility.pick_button")), *self._programs(ctx)]
        return self._answer(ctx, text, from_button=False)

    def on_back(self, ctx: Ctx) -> list[Reply]:
        if ctx.data.get("step") == "period":
            ctx.data["step"] = "question"
            ctx.data.pop("pending", None)
            return self._advance(ctx)
        history: list[str] = ctx.data.get("history") or []
        if ctx.data.get("step") == "question" and history:
            last = history.pop()
            ctx.data["answers"].pop(last, None)
            return self._advance(ctx)
        if ctx.data.get("step") == "question":
            return self.start(ctx)
        ctx.finish()
        return []

    def _answer(self, ctx: Ctx, raw: str, *, from_button: bool) -> list[Reply]:
        rs, typed, _ = self._load(ctx)
        q = rs.question(ctx.data["q"])
        if q is None:
            raise Stale()
        amount, period = Fraction(0), None
        try:
            if q.type == "number" and not from_button:
                amount, period = read_amount(q, raw)
                number = in_unit(q, amount, period)
                check_range(q, number, typed)
                value: Value = number
            else:
                value = _button_value(q, raw) if from_button else coerce_answer(q, raw, typed)
        except ValidationError as exc:  # a button question explains the buttons; else the error's text
            text = (ctx.t("eligibility.pick_button", **{k: str(v) for k, v in exc.params.items()})
                    if q.type in ("yes_no", "choice") else error_text(ctx.catalog, ctx.lang, exc))
            return [Reply(text), *self._advance(ctx)]
        if q.type == "number" and isinstance(value, Fraction) and 0 < value < SMALL_AMOUNT:
            return [Reply(ctx.t("eligibility.amount_too_small", text=raw)), *self._advance(ctx)]
        if q.type == "number" and not from_button:
            if period is None and q.periods and amount != 0:
                ctx.data.update(step="period", pending=str(amount))
                text = ctx.t("eligibility.ask_period", amount=money(ctx, rs, amount))
                return [Reply(text, choices=[*period_buttons(ctx, q), ctx.nav(self.name)])]
            return self._accept(ctx, q, value, echo_amount(ctx, rs, q, amount, period))
        return self._accept(ctx, q, value, None)

    def _period(self, ctx: Ctx, period: str) -> list[Reply]:
        rs, _, _ = self._load(ctx)
        q = rs.question(ctx.data.get("q") or "")
        pending = ctx.data.get("pending")
        if q is None or pending is None or period not in (q.periods or []):
            raise Stale()
        amount = Fraction(pending)
        ctx.data["step"] = "question"
        ctx.data.pop("pending", None)
        return self._accept(ctx, q, in_unit(q, amount, period), echo_amount(ctx, rs, q, amount, period))

    def _accept(self, ctx: Ctx, q: Question, value: Value, echo: str | None) -> list[Reply]:
        ctx.data["answers"][q.id] = _dump(value)
        ctx.data["history"].append(q.id)
        replies = self._advance(ctx)
        return [Reply(echo), *replies] if echo else replies

    # ---- the engine --------------------------------------------------------------------
    def _load(self, ctx: Ctx) -> tuple[RuleSet, dict[str, Value], date]:
        rules = _rules(ctx)
        on = date.fromisoformat(ctx.data["on"])
        versions = [v for v in rules.versions(ctx.data["program"]) if v.version == ctx.data["version"]]
        rs = versions[0] if versions else rules.resolve(ctx.data["program"], on)
        return rs, _typed(rs, ctx.data.get("answers") or {}), on

    def _advance(self, ctx: Ctx) -> list[Reply]:
        """Ask the next question that can still change the outcome, or show the result."""
        rs, typed, on = self._load(ctx)
        try:
            decision = evaluate(rs, typed, on, _rules(ctx).tables)
        except NotFound as exc:
            return self._no_data(ctx, rs, on, exc)
        if decision.missing:
            return self._ask(ctx, rs, decision, on)
        self._log(ctx, decision)
        ctx.finish()
        return result_replies(ctx, rs, decision)

    def _no_data(self, ctx: Ctx, rs: RuleSet, on: date, exc: CivicError) -> list[Reply]:
        """The rules lack a value for the last answer (e.g. no poverty line for a region yet)."""
        history: list[str] = ctx.data.get("history") or []
        if not history:
            raise exc
        last = history.pop()
        value = ctx.data["answers"].pop(last, None)
        q = rs.question(last)
        label = next((o.label.get(ctx.lang) for o in (q.options or []) if o.id == value), str(value)) if q else ""
        text = ctx.t("eligibility.no_line", region=label, quarter=quarter_months(ctx, quarter_of(on)))
        return [Reply(text), *self._advance(ctx)]

    def _ask(self, ctx: Ctx, rs: RuleSet, decision: Decision, on: date) -> list[Reply]:
        askable = [q for q in rs.questions if q.ask and q.id in decision.missing]
        if not askable:
            raise ValidationError("eligibility.rule_error", message="nothing left to ask but no outcome")
        q = askable[0]
        ctx.data["q"] = q.id
        done = len(ctx.data.get("history") or [])
        progress = ctx.t("eligibility.progress", n=done + 1, total=done + remaining(rs, ctx.data.get("answers") or {}))
        prompt = prompt_text(rs, q.id, ctx.lang, on, prev_quarter_months=prev_quarter_months(ctx, on))
        options, missing = decidable_options(ctx, rs, q, _typed(rs, ctx.data.get("answers") or {}), on)
        if q.type == "choice" and not options:
            ctx.finish()
            return [Reply(ctx.t("eligibility.no_data_at_all", quarter=quarter_months(ctx, quarter_of(on))),
                          choices=[[Choice(ctx.t("eligibility.main_menu"), "menu:main")]])]
        if missing:
            prompt += "\n\n" + ctx.t("eligibility.options_missing", quarter=quarter_months(ctx, quarter_of(on)),
                                       options=", ".join(o.label.get(ctx.lang) for o in missing))
        rows = _answer_buttons(ctx, q, options)
        text_input = q.type in ("number", "count")
        return [Reply(f"{progress}\n\n{prompt}", choices=[*rows, ctx.nav(self.name)],
                      input="text" if text_input else "choice")]

    def _log(self, ctx: Ctx, decision: Decision) -> None:
        sink = ctx.services.eligibility_log
        if sink is None or decision.outcome is None:
            return
        try:
            sink.record(channel=ctx.msg.channel, user_hash=ctx.user_hash, program=decision.program,
                        version=decision.version, outcome=decision.outcome, lang=ctx.lang,
                        check_date=decision.on, verified=decision.verified, at=ctx.now)
        except Exception:  # the result matters more than its log line
            log.exception("could not log an eligibility result")


def _answer_buttons(ctx: Ctx, q: Question, options: list[Option]) -> list[list[Choice]]:
    if q.type == "yes_no":
        return [[Choice(ctx.t("eligibility.yes"), f"elig:a:{q.id}:1"),
                 Choice(ctx.t("eligibility.no"), f"elig:a:{q.id}:0")]]
    if q.type == "choice":
        buttons = [Choice(o.label.get(ctx.lang), f"elig:a:{q.id}:{o.id}") for o in options]
        return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    return []


def _button_value(q: Question, raw: str) -> Value:
    if q.type == "yes_no" and raw in ("0", "1"):
        return raw == "1"
    if q.type == "choice" and any(o.id == raw for o in q.options or []):
        return raw
    raise Stale()


def _rules(ctx: Ctx) -> RuleRegistry:
    return need(ctx.services.rules, "the eligibility rules")


def _dump(value: Value) -> str | bool:
    """An answer as stored in the dialog state (JSON): amounts as exact fraction strings."""
    return str(value) if isinstance(value, Fraction) else value


def _typed(rs: RuleSet, stored: JsonObject) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for qid, raw in stored.items():
        q = rs.question(qid)
        if q is not None:
            out[qid] = Fraction(raw) if q.type in ("number", "count") else raw
    return out

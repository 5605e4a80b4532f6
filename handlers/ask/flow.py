"""Questions and answers: free text is a question; answers carry their sources; unsure → handoff.

Registered (handlers/flow.py): free text outside any flow (its prompt stays open to small talk),
the `handoff` staff messages (a staff reply to one is relayed to the asker), the "talk to a person"
intent and menu button. Under an abstention it offers the FOLLOW_UP capability's
button when a flow provides one. An LLM rephrasing (if configured) is slow work: the answer is a
`Later` whose work asks the LLM, so the hub runs it outside the dialog workers.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from handlers.ask.mismatch import Translate, citation_label, country_reply, mismatch_text
from handlers.audit import audit_refusal
from handlers.flow import FOLLOW_UP, Ctx, Flow, Services, Stale, need
from handlers.jsondata import JsonObject
from handlers.logs import ActivityLog
from handlers.messages import Choice, Reply, Target
from handlers.ports import Answering
from handlers.slow import later
from handlers.staff_chat import staff_lang
from retrieval.types import SearchHit

if TYPE_CHECKING:  # types only: answering loads the retrieval models
    from retrieval.answer import Answer, Citation

SNIPPET_CHARS = 500
SOURCE_CHARS = 3500


class AskFlow(Flow):
    name = "ask"
    menu_key = "menu.ask"
    help_key = "ask.help"
    commands = ("ask", "contact", "country")
    staff_replies = ("handoff",)
    intents = {"handoff": "contact"}
    free_text = True

    def available(self, services: Services) -> bool:
        return services.answerer is not None

    def menu_extras(self, ctx: Ctx) -> list[Choice]:
        return [Choice(ctx.t("menu.contact_staff"), "ask:contact")] if ctx.staff_target is not None else []

    def open_to_small_talk(self, ctx: Ctx) -> bool:
        """At "type your question" any message may come, small talk too; not while awaiting a handoff text."""
        return not ctx.data.get("await")

    def start(self, ctx: Ctx) -> list[Reply]:
        return [Reply(ctx.t("ask.prompt"), choices=[ctx.nav(back=False)], input="text")]

    def on_command(self, ctx: Ctx, command: str, args: str) -> list[Reply]:
        if command == "contact":
            return self._contact(ctx)
        if command == "country":
            return country_reply(ctx, args)
        ctx.enter(self.name)
        return self.on_text(ctx, args) if args else self.start(ctx)

    def on_text(self, ctx: Ctx, text: str) -> list[Reply]:
        if ctx.flow == self.name and ctx.data.get("await") == "contact":
            ctx.finish()
            return self._handoff(ctx, text, query_id=None)
        if ctx.flow == self.name:
            ctx.finish()
        return self.answer(ctx, text)

    def on_callback(self, ctx: Ctx, data: str) -> list[Reply]:
        parts = data.split(":")
        action = parts[1] if len(parts) > 1 else ""
        if action == "contact":
            return self._contact(ctx)
        if action == "country":
            return country_reply(ctx, parts[2] if len(parts) > 2 else "", stale_if_unknown=True)
        if len(parts) < 3 or not parts[-1].isdigit():
            raise Stale()
        qid = int(parts[-1])
        if action == "fb" and len(parts) == 4:
            ok = _logs(ctx).set_feedback(qid, ctx.user_hash, 1 if parts[2] == "up" else -1)
            return [Reply(ctx.t("ask.thanks_feedback" if ok else "common.stale_button"))]
        last = ctx.session.get("ask_last") or {}
        if action == "fwd":
            query = _logs(ctx).get_query(qid)
            if query is None or query.user_hash != ctx.user_hash:
                raise Stale()
            return self._handoff(ctx, query.question, query_id=qid)
        if last.get("qid") != qid:
            raise Stale()
        if action == "more":
            return self._more(ctx, last)
        if action == "src":
            return self._source(ctx, last)
        raise Stale()

    # ---- answering ---------------------------------------------------------------------
    def answer(self, ctx: Ctx, question: str) -> list[Reply]:
        started = time.perf_counter()
        result = _answerer(ctx).answer(question, ctx.lang, channel=ctx.msg.channel, country=ctx.session.get("country"),
                                 defer_llm=True)
        latency_ms = (time.perf_counter() - started) * 1000
        lang = result.lang if result.lang in ("vi", "ru") else ctx.lang
        ctx.lang = lang
        qid = _logs(ctx).log_query(
            channel=ctx.msg.channel,
            user_hash=ctx.user_hash,
            lang=lang,
            question=question,
            top_doc_ids=[h.doc_id for h in result.hits],
            confidence=result.confidence,
            abstained=result.abstained,
            latency_ms=latency_ms,
        )
        ctx.session["ask_last"] = {
            "qid": qid,
            "q": question,
            "offset": 0,
            "sources": [_hit_dict(h) for h in result.hits[:3]],
        }
        if result.abstained and result.mismatch is None:
            return [self._abstain_reply(ctx, result, qid)]
        body = mismatch_text(ctx.t, result) if result.abstained else result.text
        sources = sources_text(ctx.t, result.citations)
        rows = [
            [Choice("👍", f"ask:fb:up:{qid}"), Choice("👎", f"ask:fb:down:{qid}")],
            [Choice(ctx.t("ask.more"), f"ask:more:{qid}"), Choice(ctx.t("ask.source"), f"ask:src:{qid}")],
        ]
        reply = Reply(body + "\n\n" + sources, choices=rows)
        if result.rephrase is None:
            return [reply]

        def rephrase() -> list[Reply]:  # the LLM call, outside the dialog workers (handlers/slow.py)
            return [Reply(_answerer(ctx).rephrased(result).text + "\n\n" + sources, choices=rows)]

        return [later(ctx, reply, rephrase, progress_key="ask.preparing")]

    def _abstain_reply(self, ctx: Ctx, result: Answer, qid: int) -> Reply:
        near = [h for h in result.hits[:3]]
        rows: list[list[Choice]] = []
        if ctx.staff_target is not None:
            rows.append([Choice(ctx.t("ask.forward"), f"ask:fwd:{qid}")])
        follow_up = ctx.flows.capability(FOLLOW_UP) if ctx.flows is not None else None
        data = follow_up.follow_up_data(ctx.services, qid) if follow_up is not None else None
        if data is not None:
            rows.append([Choice(ctx.t("ask.notify_me"), data)])
        if near:
            rows.append([Choice(ctx.t("ask.more"), f"ask:more:{qid}")])
        return Reply(abstain_text(ctx.t, result, handoff=ctx.staff_target is not None), choices=rows)

    def _more(self, ctx: Ctx, last: JsonObject) -> list[Reply]:
        offset = int(last.get("offset", 0)) + 1
        result = _answerer(ctx).answer(last["q"], ctx.lang, k=3, offset=offset, channel=ctx.msg.channel,
                                              country=ctx.session.get("country"))
        hits = list(result.hits)[:3]
        if not hits:
            return [Reply(ctx.t("ask.no_more"))]
        last["offset"] = offset + len(hits) - 1
        last["sources"] = [_hit_dict(h) for h in hits]
        parts = [ctx.t("ask.more_header")]
        for h in hits:
            snippet = h.text if len(h.text) <= SNIPPET_CHARS else h.text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
            parts.append(f"📄 {h.title}" + (f" — {h.url}" if h.url else "") + f"\n{snippet}")
        qid = last["qid"]
        rows = [[Choice(ctx.t("ask.more"), f"ask:more:{qid}"), Choice(ctx.t("ask.source"), f"ask:src:{qid}")]]
        return [Reply("\n\n".join(parts), choices=rows)]

    def _source(self, ctx: Ctx, last: JsonObject) -> list[Reply]:
        sources = last.get("sources") or []
        if not sources:
            return [Reply(ctx.t("ask.no_more"))]
        src = sources[0]
        text = src["text"] if len(src["text"]) <= SOURCE_CHARS else src["text"][:SOURCE_CHARS] + " …"
        head = f"📄 {src['title']}" + (f" ({src['published']})" if src.get("published") else "")
        head += f"\n{src['url']}" if src.get("url") else ""
        return [Reply(f"{head}\n\n{text}")]

    # ---- human handoff -----------------------------------------------------------------
    def _contact(self, ctx: Ctx) -> list[Reply]:
        if ctx.staff_target is None:
            return [Reply(ctx.t("ask.no_staff"))]
        ctx.enter(self.name)
        ctx.data["await"] = "contact"
        return [Reply(ctx.t("ask.contact_prompt"), choices=[ctx.nav(back=False)], input="text")]

    def _handoff(self, ctx: Ctx, question: str, query_id: int | None) -> list[Reply]:
        target = ctx.staff_target
        if target is None:
            return [Reply(ctx.t("ask.no_staff"))]
        hid = _logs(ctx).open_handoff(
            channel=ctx.msg.channel, chat_id=ctx.msg.chat_id, lang=ctx.lang, query_id=query_id,
        )
        staff_text = ctx.catalog.t(
            staff_lang(ctx.services), "ask.staff_new_question",
            id=hid, lang=ctx.lang, channel=ctx.msg.channel, question=question,
        )
        return [
            Reply(staff_text, target=target, track=f"handoff:{hid}"),
            Reply(ctx.t("ask.forwarded", id=hid)),
        ]

    def on_staff_reply(self, ctx: Ctx) -> list[Reply]:
        """Someone replied in the staff chat to the bot's forwarded question (matched by message id
        only): relayed to the asker when they have the staff role (checked now), else refused and
        audited. A reply to any other message is not a staff answer ([]: handled as usual)."""
        logs = _logs(ctx)
        found = logs.find_handoff(ctx.msg.reply_to_message_id)
        if found is None:
            return []
        if not ctx.is_staff():
            audit_refusal(ctx, "handoff_reply", target=f"H{found.id}")
            return [Reply(ctx.t("sec.reply_forbidden", id=found.id))]
        text = (ctx.msg.text or "").strip()
        logs.mark_replied(found.id)
        to_user = ctx.catalog.t(found.lang, "ask.staff_answer", answer=text)
        return [
            Reply(to_user, target=Target(found.channel, found.chat_id), on_undelivered=f"#H{found.id}"),
            Reply(ctx.t("ask.relayed", id=found.id)),
        ]

    def on_sent(self, services: Services, track: str, message_id: str) -> None:
        if track.startswith("handoff:") and track[8:].isdigit():
            need(services.logs, "the activity log").set_handoff_message(int(track[8:]), message_id)


def _answerer(ctx: Ctx) -> Answering:
    return need(ctx.services.answerer, "the answerer")


def _logs(ctx: Ctx) -> ActivityLog:
    return need(ctx.services.logs, "the activity log")


def answer_text(t: Translate, result: Answer) -> str:
    """The reply to an answered question (or a labelled mismatch) with its sources, as users get it."""
    body = mismatch_text(t, result) if result.abstained else result.text
    return body + "\n\n" + sources_text(t, result.citations)


def abstain_text(t: Translate, result: Answer, *, handoff: bool) -> str:
    """The reply when the bot is not sure: the closest sources, and a person offered (`handoff`)."""
    lines = [t("ask.not_sure")]
    near = [h for h in result.hits[:3]]
    if near:
        lines.append(t("ask.closest_sources"))
        lines.extend(f"• {h.title}" + (f" — {h.url}" if h.url else "") for h in near)
    if handoff:
        lines.append(t("ask.offer_handoff"))
    return "\n".join(lines)


def sources_text(t: Translate, citations: list[Citation]) -> str:
    lines = [t("ask.sources")]
    for c in citations:
        line = f"• {citation_label(t, c)}"
        if c.published:
            line += f" ({c.published})"
        if c.url:
            line += f" — {c.url}"
        lines.append(line)
    return "\n".join(lines)


def _hit_dict(hit: SearchHit) -> JsonObject:
    return {
        "title": hit.title,
        "url": hit.url,
        "published": str(hit.published) if hit.published else None,
        "text": hit.text,
        "doc_id": hit.doc_id,
    }

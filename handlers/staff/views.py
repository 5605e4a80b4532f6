"""Screens of the staff tools: the document list and card, removal, re-indexing, unanswered
questions and statistics. Every text comes from the catalogs (handlers/locales/*/staff.yaml)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from handlers.flow import Ctx, need
from handlers.messages import Choice, Reply
from handlers.staff.alerts import staff_alert
from handlers.staff.grouping import Group
from handlers.staff.service import StaffService
from handlers.staff.stats import Stats
from knowledge.types import DocInfo

if TYPE_CHECKING:
    from knowledge.store import KnowledgeBase

PAGE_SIZE = 8
SHOW_GROUPS = 10
QUESTION_CHARS = 160
REF_MAX_BYTES = 40


def doc_ref(doc_id: str) -> str:
    """A short callback reference: the doc id itself when short, else `~` + a hash of it."""
    if len(doc_id.encode("utf-8")) <= REF_MAX_BYTES:
        return doc_id
    return "~" + hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:16]


def _short(text: str, limit: int = QUESTION_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class DocViews:
    def __init__(self, ctx: Ctx, service: StaffService) -> None:
        self.ctx = ctx
        self.service = service

    @property
    def kb(self) -> KnowledgeBase:
        return need(self.ctx.services.kb, "the knowledge base")

    def _audit(self, action: str, target: str | None = None, **details: object) -> None:
        self.service.audit(self.ctx.msg.user_id, action, channel=self.ctx.msg.channel, target=target, outcome="ok",
                           **details)

    def _resolve(self, ref: str) -> DocInfo | None:
        """The active document for a doc id or a `~hash` reference; None when there is none."""
        ref = ref.strip()
        if not ref.startswith("~"):
            return self.kb.get(ref)
        return next((d for d in self.kb.list_documents() if doc_ref(d.doc_id) == ref), None)

    def page(self, page: int) -> Reply:
        t = self.ctx.t
        docs = list(self.kb.list_documents())
        if not docs:
            return Reply(t("staff.docs.empty"))
        pages = (len(docs) + PAGE_SIZE - 1) // PAGE_SIZE
        page = min(max(page, 0), pages - 1)
        shown = docs[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        lines = [t("staff.docs.header", page=page + 1, pages=pages, total=len(docs))]
        rows: list[list[Choice]] = []
        for i, d in enumerate(shown, start=page * PAGE_SIZE + 1):
            kind = t("staff.docs.qa_mark") if d.kind == "qa" else ""
            lines.append(t("staff.docs.line", n=i, title=_short(d.title, 80), lang=d.lang, chunks=d.chunks,
                           doc_id=d.doc_id, kind=kind))
            rows.append([Choice(f"{i}. {_short(d.title, 40)}", f"staff:doc:{doc_ref(d.doc_id)}")])
        nav = []
        if page > 0:
            nav.append(Choice(t("staff.btn.prev"), f"staff:docs:{page - 1}"))
        if page + 1 < pages:
            nav.append(Choice(t("staff.btn.next"), f"staff:docs:{page + 1}"))
        if nav:
            rows.append(nav)
        return Reply("\n".join(lines), choices=rows)

    def show(self, ref: str) -> Reply:
        doc = self._resolve(ref)
        if doc is None:
            return Reply(self.ctx.t("staff.docs.not_found", doc_id=ref))
        history = list(self.kb.history(doc.doc_id))
        old = [h for h in history if h.version != doc.version]
        text = self.ctx.t(
            "staff.docs.card", title=doc.title, doc_id=doc.doc_id, lang=doc.lang, kind=doc.kind,
            chunks=doc.chunks, version=doc.version, source=doc.source or "—", url=doc.url or "—",
            region=doc.region or "—", program=doc.program or "—", published=doc.published or "—",
            added_by=doc.added_by or "—", created=doc.created_at.strftime("%Y-%m-%d %H:%M"),
            versions=len(old),
        )
        rows = [[Choice(self.ctx.t("staff.btn.remove"), f"staff:rm:{doc_ref(doc.doc_id)}"),
                 Choice(self.ctx.t("staff.btn.docs"), "staff:docs:0")]]
        return Reply(text, choices=rows)

    def confirm_remove(self, ref: str) -> Reply:
        doc = self._resolve(ref)
        if doc is None:
            return Reply(self.ctx.t("staff.docs.not_found", doc_id=ref))
        rows = [[Choice(self.ctx.t("staff.btn.confirm_remove"), f"staff:rmy:{doc_ref(doc.doc_id)}"),
                 Choice(self.ctx.t("common.cancel"), "staff:cancel")]]
        return Reply(self.ctx.t("staff.docs.confirm_remove", title=doc.title, doc_id=doc.doc_id), choices=rows)

    def remove(self, ref: str) -> list[Reply]:
        doc = self._resolve(ref)
        if doc is None:
            return [Reply(self.ctx.t("staff.docs.not_found", doc_id=ref))]
        self.kb.remove(doc.doc_id)
        search = self.ctx.services.search
        if search is not None:
            search.refresh()
        self._audit("remove", doc.doc_id, title=doc.title)
        return [Reply(self.ctx.t("staff.docs.removed", title=doc.title, doc_id=doc.doc_id)),
                *staff_alert(self.ctx, "staff.alert.removed", title=doc.title, doc_id=doc.doc_id)]

    def reindex(self) -> Reply:
        search = self.ctx.services.search
        if search is None:
            return Reply(self.ctx.t("staff.reindex.unavailable"))
        started = time.perf_counter()
        search.rebuild()
        seconds = round(time.perf_counter() - started, 1)
        self._audit("reindex", seconds=seconds)
        return Reply(self.ctx.t("staff.reindex.done", seconds=seconds))


def render_unanswered(ctx: Ctx, groups: list[Group]) -> Reply:
    if not groups:
        return Reply(ctx.t("staff.unanswered.empty"))
    shown = groups[:SHOW_GROUPS]
    lines = [ctx.t("staff.unanswered.header", groups=len(groups), questions=sum(g.count for g in groups))]
    rows: list[list[Choice]] = []
    for i, g in enumerate(shown, start=1):
        lines.append(ctx.t("staff.unanswered.line", n=i, count=g.count, lang=g.lang, id=g.id,
                           question=_short(g.question)))
        rows.append([Choice(ctx.t("staff.btn.answer", n=i), f"staff:ans:{g.id}"),
                     Choice(ctx.t("staff.btn.dismiss", n=i), f"staff:dis:{g.id}")])
    return Reply("\n".join(lines), choices=rows)


def _counts(data: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(data.items(), key=lambda kv: -kv[1])) or "0"


def _labelled(ctx: Ctx, data: Mapping[str, int]) -> str:
    """Counts by code with each code in the reader's language (`stats_label.<code>`, else the code)."""
    def label(code: str) -> str:
        key = f"stats_label.{code}"
        return ctx.t(key) if ctx.catalog.has(key, ctx.lang) or ctx.catalog.has(key) else code
    return _counts({label(str(k)): v for k, v in data.items()})


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def render_stats(ctx: Ctx, s: Stats) -> str:
    t, q = ctx.t, s["questions"]
    lines = [
        t("staff.stats.header", days=s["days"], start=s["from"], end=s["to"]),
        t("staff.stats.questions", total=q["total"], answered=q["answered"], abstained=q["abstained"],
          answered_pct=_pct(q["answered_rate"]), abstained_pct=_pct(q["abstained_rate"])),
        t("staff.stats.by_lang", counts=_counts(q["by_lang"])),
    ]
    days = [d for d in s["per_day"] if d["total"]]
    if days:
        lines.append(t("staff.stats.per_day"))
        lines += [f"  {d['date']}: {d['total']} ({_counts(d['by_lang'])})" for d in days]
    fb = s["feedback"]
    lines.append(t("staff.stats.feedback", up=fb["up"], down=fb["down"], ratio=_pct(fb["ratio"])))
    lines.append(t("staff.stats.unanswered", n=q["unanswered_open"]))
    if s["top_topics"]:
        lines.append(t("staff.stats.top_topics"))
        lines += [f"  ×{g['count']} [{g['lang']}] {_short(g['question'], 90)}" for g in s["top_topics"]]
    if s["top_documents"]:
        lines.append(t("staff.stats.top_docs"))
        lines += [f"  {i}. {_short(d['title'] or d['doc_id'], 70)} — {d['answers']}"
                  for i, d in enumerate(s["top_documents"][:5], start=1)]
    if s["handoffs"]:
        lines.append(t("staff.stats.handoffs", counts=_labelled(ctx, s["handoffs"])))
    if s["eligibility"] is not None:
        lines.append(t("staff.stats.eligibility", total=s["eligibility"]["total"],
                       counts=_labelled(ctx, s["eligibility"]["by_outcome"])))
    if s["bookings"] is not None:
        lines.append(t("staff.stats.bookings", total=s["bookings"]["total"],
                       counts=_labelled(ctx, s["bookings"]["by_status"])))
    for channel, kinds in sorted(s.get("messenger_usage", {}).items()):
        lines.append(t("zalo.stats_usage", channel=channel, counts=_labelled(ctx, kinds)))
    return "\n".join(lines)

"""What the Knowledge base pages show: documents, one document's chunks, and "what would the bot
answer?" — computed by the services the chat and the CLI use (no second copy of their logic).

The answer preview takes the path of `civicbot ask --json` (`app.search.refresh()`, then
`app.answerer.answer(question, lang, country=...)`, then `bot.cli_ask.to_json`), and shows the
reply text a user would read, built by the chat's own functions (handlers/ask.py). Nothing is
written to the query log: a staff preview is not a user's question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.cli_ask import to_json
from handlers.ask import abstain_text, answer_text
from handlers.i18n import Catalog
from handlers.jsondata import JsonObject
from knowledge.types import ChunkInfo, DocInfo

if TYPE_CHECKING:
    from bot.app import App
    from knowledge.store import KnowledgeBase

ASK_LANGS = ("vi", "ru")
COUNTRIES = ("VN", "KZ")
MAX_QUESTION_CHARS = 1000


@dataclass(frozen=True)
class DocRow:
    doc_id: str
    title: str
    lang: str
    region: str
    program: str
    version: int
    chunks: int
    kind: str
    """`document`, or `qa`: a curated staff answer."""
    status: str
    added: str
    """When this version was added, in the console's time zone (`YYYY-MM-DD HH:MM`)."""
    added_by: str
    source: str
    url: str | None
    published: str


def _local(value: datetime, tz: ZoneInfo) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def doc_row(d: DocInfo, tz: ZoneInfo) -> DocRow:
    return DocRow(d.doc_id, d.title, d.lang, d.region or "", d.program or "", d.version, d.chunks, d.kind,
                  d.status, _local(d.created_at, tz), d.added_by or "", d.source, d.url,
                  d.published.isoformat() if d.published else "")


def documents(kb: KnowledgeBase, timezone: str, *, kind: str | None = None) -> list[DocRow]:
    """Active documents, newest first (`kind`: only documents, or only curated answers)."""
    tz = ZoneInfo(timezone)
    return [doc_row(d, tz) for d in kb.list_documents() if kind is None or d.kind == kind]


@dataclass(frozen=True)
class ChunkRow:
    position: int
    chunk_id: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class DocPage:
    doc: DocRow
    history: list[DocRow]
    """Every version, newest first (replaced and removed ones included)."""
    chunks: list[ChunkRow]
    """The passages the bot searches and cites, in order."""


def document(kb: KnowledgeBase, doc_id: str, timezone: str) -> DocPage | None:
    """The active version of a document (else its latest one, e.g. removed) with its chunks."""
    tz = ZoneInfo(timezone)
    history = list(kb.history(doc_id))
    if not history:
        return None
    current = kb.get(doc_id) or history[0]
    parts: list[ChunkInfo] = list(kb.chunks(doc_id)) if current.status == "active" else []
    return DocPage(doc_row(current, tz), [doc_row(h, tz) for h in history],
                   [ChunkRow(c.position, c.chunk_id, c.char_start, c.char_end, c.text) for c in parts])


@dataclass(frozen=True)
class Cited:
    doc_id: str
    title: str
    url: str | None
    staff_answer: bool


@dataclass(frozen=True)
class AskPreview:
    question: str
    lang: str
    """The language the bot answered in (detected from the question, else the one chosen)."""
    country: str | None
    reply: str
    """The message a user would get, word for word (without the buttons)."""
    abstained: bool
    confidence: float
    citations: list[Cited]
    closest: list[Cited]
    mismatch: JsonObject | None
    data: JsonObject
    """`civicbot ask --json` for the same question, field for field."""

    @property
    def outcome(self) -> str:
        """`answered`, `mismatch` (another place's or year's fact, labelled) or `abstained`."""
        if self.mismatch is not None:
            return "mismatch"
        return "abstained" if self.abstained else "answered"


def _cited(items: list[JsonObject]) -> list[Cited]:
    return [Cited(str(c["doc_id"]), str(c.get("title") or c["doc_id"]), c.get("url"), bool(c.get("staff_answer")))
            for c in items]


def ask_preview(app: App, catalog: Catalog, question: str, lang: str | None, country: str | None, *,
                handoff: bool) -> AskPreview:  # fmt: skip
    """The bot's answer to `question`, as `civicbot ask --json` gives it and as a user would read it
    (`handoff`: a staff chat is configured, so an unsure reply offers a person)."""
    app.search.refresh()
    result = app.answerer.answer(question, lang, country=country)
    data = to_json(result, catalog)

    def t(key: str, /, **params: object) -> str:
        return catalog.t(result.lang, key, **params)

    if result.abstained and result.mismatch is None:
        reply = abstain_text(t, result, handoff=handoff)
    else:
        reply = answer_text(t, result)
    return AskPreview(question, result.lang, country, reply, bool(data["abstained"]), float(data["confidence"]),
                      _cited(data.get("citations", [])), _cited(data.get("closest", [])), data.get("mismatch"),
                      data)

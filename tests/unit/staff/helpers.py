"""A whole staff-tools stack for tests: real SQLite, real knowledge base, real search (HashEmbedder),
real answerer, the real dialog with the ask and staff flows; only the channel's file download is a fake."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.db import create_schema, make_engine
from handlers.ask.flow import AskFlow
from handlers.dialog import Dialog
from handlers.flow import Services
from handlers.i18n import Catalog
from handlers.logs import ActivityLog
from handlers.messages import Attachment, Incoming, Reply, Target
from handlers.roles import RoleStore, UserRef
from handlers.staff.flow import StaffFlow
from handlers.staff.service import StaffService
from handlers.state import MemoryRateLimiter, SqlStateStore
from knowledge.store import KnowledgeBase
from retrieval.answer import Answerer
from retrieval.embedders import HashEmbedder
from retrieval.service import SearchService

ADMIN, STAFF, USER = "900", "901", "1"
STAFF_CHAT = Target("telegram", "-100")


@dataclass
class FakeDownloads:
    """The channel side of `Services.fetch_file` (sync): bytes by file_ref, every call recorded."""

    files: dict[str, bytes] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    fail: bool = False

    def __call__(self, channel: str, file_ref: str) -> bytes:
        self.calls.append((channel, file_ref))
        if self.fail:
            raise ConnectionError("network down")
        return self.files[file_ref]


@dataclass
class StaffEnv:
    engine: Any
    kb: KnowledgeBase
    search: SearchService
    roles: RoleStore
    logs: ActivityLog
    staff: StaffService
    dialog: Dialog
    downloads: FakeDownloads
    update: int = 0

    def send(self, text: str | None = "", user: str = USER, **kw: Any) -> list[Reply]:
        self.update += 1
        fields: dict[str, Any] = {"channel": "telegram", "chat_id": user, "user_id": user, "text": text,
                                  "update_id": str(self.update)}
        fields.update(kw)
        return self.dialog.handle(Incoming(**fields))

    def press(self, data: str, user: str = USER) -> list[Reply]:
        return self.send(user=user, kind="callback", callback=data, text=None)

    def upload(self, name: str, content: bytes, *, user: str = STAFF, caption: str | None = None,
               mime: str | None = None, size: int | None = -1) -> list[Reply]:
        ref = f"file-{self.update + 1}"
        self.downloads.files[ref] = content
        att = Attachment(ref, name, mime, len(content) if size == -1 else size)
        return self.send(user=user, kind="document", text=None, attachment=att, caption=caption)

    def corpus(self) -> tuple[int, int, int]:
        """(active documents, stored chunks, corpus version): must not move on a refused upload."""
        return self.kb.count_documents(), self.kb.count_chunks(), self.kb.corpus_version()


def texts(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


def datas(replies: list[Reply]) -> list[str]:
    return [c.data for r in replies for c in r.all_choices()]


def make_env(tmp_path: Path, *, max_upload_mb: int = 20) -> StaffEnv:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    create_schema(engine)
    kb = KnowledgeBase(engine)
    search = SearchService(engine, tmp_path / "index", HashEmbedder())
    roles = RoleStore(engine, [ADMIN])
    roles.add(UserRef("telegram", STAFF), "staff", added_by=f"telegram:{ADMIN}")
    logs = ActivityLog(engine)
    staff = StaffService(engine, kb=kb)
    downloads = FakeDownloads()
    services = Services(
        answerer=Answerer(search), search=search, kb=kb, roles=roles, logs=logs, staff=staff,
        staff_target=STAFF_CHAT, settings={"max_upload_mb": max_upload_mb, "timezone": "Asia/Ho_Chi_Minh"},
        fetch_file=downloads,
    )
    dialog = Dialog(Catalog.load(), services, [AskFlow(), StaffFlow()], SqlStateStore(engine),
                    limiter=MemoryRateLimiter(limit=1000))
    return StaffEnv(engine, kb, search, roles, logs, staff, dialog, downloads)

"""The durable reply outbox: every reply or notification is written here before it is sent.

Flows, the dialog's hub and CLI commands call `Outbox.enqueue(replies, default)`; the delivery
worker (bot/outbox.py) of any running replica claims rows and sends them:

* per chat in order: only the oldest unfinished row of a chat can be claimed, and only while no
  other worker holds its lease (a row's lease expires if its worker dies, then another takes it);
* claiming is one atomic UPDATE guarded by the lease (PostgreSQL: the candidates are selected
  `FOR UPDATE SKIP LOCKED` first), so two replicas never send the same row at the same time;
* a failed send is retried with backoff (HTTP 429 waits `retry_after`) until it is sent, or
  recorded `undeliverable` (bot blocked, chat deleted) or `expired` (older than `max_age`).

`dedup_key` makes an enqueue idempotent: a notification that must go out once (a booking
decision) is written once even when two processes try.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, and_, exists, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from handlers.messages import Choice, OutgoingDocument, Reply, Target
from handlers.reliability_models import OutboxRow
from knowledge.models import utcnow

log = logging.getLogger(__name__)

TABLE: Table = OutboxRow.__table__  # type: ignore[attr-defined]
FINISHED = ("sent", "undeliverable", "expired")


def reply_to_json(reply: Reply) -> str:
    doc = reply.document
    return json.dumps({
        "text": reply.text,
        "choices": [[[c.label, c.data, c.url] for c in row] for row in reply.choices],
        "document": None if doc is None else {
            "file_name": doc.file_name, "mime_type": doc.mime_type,
            "content": base64.b64encode(doc.content).decode("ascii")},
        "html": reply.html, "track": reply.track, "input": reply.input,
        "on_undelivered": reply.on_undelivered,
    }, ensure_ascii=False)


def reply_from_json(raw: str, target: Target | None = None) -> Reply:
    data = json.loads(raw)
    doc = data.get("document")
    return Reply(
        text=data.get("text", ""),
        choices=[[Choice(label, cb, url) for label, cb, url in row] for row in data.get("choices", [])],
        target=target,
        document=None if not doc else OutgoingDocument(
            doc["file_name"], base64.b64decode(doc["content"]), doc.get("mime_type") or "application/octet-stream"),
        html=bool(data.get("html")), track=data.get("track"), input=data.get("input") or "choice",
        on_undelivered=data.get("on_undelivered"),
    )


@dataclass(frozen=True)
class Claimed:
    id: int
    channel: str
    chat_id: str
    reply: Reply
    attempts: int


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Outbox:
    def __init__(self, engine: Engine, *, lease_s: float = 60.0, max_age: timedelta = timedelta(days=2)) -> None:
        self.engine = engine
        self.lease_s = lease_s
        self.max_age = max_age
        self.on_enqueue: Callable[[], None] | None = None
        """Set by a delivery worker in this process: wakes it at once."""

    # ---- writing -----------------------------------------------------------------------
    def enqueue(self, replies: Sequence[Reply], default: Target | None = None, *, dedup_key: str | None = None,
                also: Callable[[Connection], None] | None = None) -> int:
        """Write replies (each to its `target`, else to `default`) in one transaction; returns how many
        were written. With `dedup_key` (one reply) a second enqueue of the same key writes nothing.
        `also(conn)` runs in the same transaction (e.g. marking the update that caused them done)."""
        rows = []
        now = utcnow()
        for i, reply in enumerate(replies):
            target = reply.target or default
            if target is None:
                raise ValueError("a reply without a target needs a default chat")
            key = dedup_key if dedup_key is None or len(replies) == 1 else f"{dedup_key}:{i}"
            rows.append({"created_at": now, "channel": target.channel, "chat_id": target.chat_id,
                         "chat_key": f"{target.channel}:{target.chat_id}", "payload": reply_to_json(reply),
                         "status": "pending", "attempts": 0, "next_at": now, "dedup_key": key})
        if not rows and also is None:
            return 0
        try:
            with self.engine.begin() as conn:
                for row in rows:  # one by one: ids (the delivery order) follow the list order
                    conn.execute(insert(TABLE).values(**row))
                if also is not None:
                    also(conn)
        except IntegrityError:
            if dedup_key is None:
                raise
            log.info("notification %s is already in the outbox", dedup_key)
            return 0
        if rows and self.on_enqueue is not None:
            with contextlib.suppress(RuntimeError):  # the worker's loop is closed: the rows wait for the next
                self.on_enqueue()
        return len(rows)

    # ---- delivering --------------------------------------------------------------------
    def claim(self, owner: str, limit: int = 32, channels: Sequence[str] | None = None) -> list[Claimed]:
        """Lease up to `limit` rows that are due, each the oldest unfinished row of its chat."""
        now = utcnow()
        earlier = TABLE.alias("earlier")
        head = ~exists().where(and_(earlier.c.chat_key == TABLE.c.chat_key, earlier.c.status == "pending",
                                    earlier.c.id < TABLE.c.id))
        free = or_(TABLE.c.lease_until.is_(None), TABLE.c.lease_until < now)
        where = [TABLE.c.status == "pending", TABLE.c.next_at <= now, free, head]
        if channels is not None:
            where.append(TABLE.c.channel.in_(list(channels)))
        query = select(TABLE.c.id).where(*where).order_by(TABLE.c.id).limit(limit)
        claimed: list[Claimed] = []
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True, of=TABLE)
            ids = [int(i) for i in conn.execute(query).scalars()]
            lease = now + timedelta(seconds=self.lease_s)
            for row_id in ids:
                got = conn.execute(update(TABLE).where(TABLE.c.id == row_id, TABLE.c.status == "pending", free)
                                   .values(lease_until=lease, owner=owner)).rowcount
                if not got:
                    continue
                row = conn.execute(select(TABLE.c.channel, TABLE.c.chat_id, TABLE.c.payload, TABLE.c.attempts)
                                   .where(TABLE.c.id == row_id)).one()
                claimed.append(Claimed(row_id, row.channel, row.chat_id, reply_from_json(row.payload),
                                       int(row.attempts)))
        return claimed

    def mark_sent(self, row_id: int, message_id: str | None) -> None:
        self._finish(row_id, "sent", None, message_id=message_id, sent_at=utcnow())

    def mark_undeliverable(self, row_id: int, reason: str) -> None:
        self._finish(row_id, "undeliverable", reason)

    def retry_later(self, row_id: int, wait_s: float, reason: str) -> None:
        """Release the lease; the row is due again after `wait_s` (expired past `max_age`)."""
        now = utcnow()
        with self.engine.begin() as conn:
            created = conn.execute(select(TABLE.c.created_at).where(TABLE.c.id == row_id)).scalar()
            if created is not None and _aware(created) < now - self.max_age:
                conn.execute(update(TABLE).where(TABLE.c.id == row_id).values(
                    status="expired", error=reason[:300], lease_until=None, attempts=TABLE.c.attempts + 1))
                log.error("outbox row %s expired after %s: %s", row_id, self.max_age, reason)
                return
            conn.execute(update(TABLE).where(TABLE.c.id == row_id).values(
                next_at=now + timedelta(seconds=wait_s), lease_until=None, owner=None, error=reason[:300],
                attempts=TABLE.c.attempts + 1))

    def _finish(self, row_id: int, status: str, error: str | None, **values: object) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(TABLE).where(TABLE.c.id == row_id).values(
                status=status, error=error[:300] if error else None, lease_until=None,
                attempts=TABLE.c.attempts + 1, **values))

    def release_dead(self) -> list[str]:
        """Rows leased by processes of this host that died are free again (sent at once)."""
        from handlers.leases import release_dead

        return release_dead(self.engine, TABLE)

    def prune(self, keep: timedelta = timedelta(days=7)) -> int:
        """Delete rows finished more than `keep` ago (sent, undeliverable, expired)."""
        from sqlalchemy import delete

        with self.engine.begin() as conn:
            return int(conn.execute(delete(TABLE).where(TABLE.c.status.in_(FINISHED),
                                                        TABLE.c.created_at < utcnow() - keep)).rowcount or 0)

    def next_due(self) -> datetime | None:
        """When the earliest pending row becomes due (None: nothing pending)."""
        with self.engine.connect() as conn:
            value = conn.execute(select(func.min(TABLE.c.next_at)).where(TABLE.c.status == "pending")).scalar()
        return _aware(value) if value is not None else None

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(TABLE.c.status, func.count()).group_by(TABLE.c.status)).all()
        return {str(status): int(n) for status, n in rows}


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

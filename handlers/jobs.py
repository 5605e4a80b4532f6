"""Background jobs in the `job` table: slow work (a staff upload) that runs beside the chats.

A flow calls `JobStore.enqueue(kind, payload)` and answers at once; the job worker of a running
replica (bot/jobs.py) claims queued jobs with a lease, runs them, reports progress, and marks them
`done` or `failed`. A job whose process died is put back in the queue at the next start (same
host) or when its lease expires (elsewhere) and runs again; `attempts` tells that it did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Table, insert, or_, select, update
from sqlalchemy.engine import Engine

from handlers.jsondata import JsonObject
from handlers.leases import release_dead
from handlers.reliability_models import JobRow
from knowledge.models import utcnow

TABLE: Table = JobRow.__table__  # type: ignore[attr-defined]
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    payload: JsonObject
    attempts: int
    """Runs started before this one (> 0: it was interrupted)."""


class JobStore:
    def __init__(self, engine: Engine, *, lease_s: float = 120.0) -> None:
        self.engine = engine
        self.lease_s = lease_s

    def enqueue(self, kind: str, payload: JsonObject) -> int:
        now = utcnow()
        with self.engine.begin() as conn:
            result = conn.execute(insert(TABLE).values(
                kind=kind, payload=json.dumps(payload, ensure_ascii=False), status="queued", attempts=0,
                progress="", created_at=now, updated_at=now))
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def claim(self, owner: str, kinds: list[str]) -> Job | None:
        """The oldest queued job (or a running one whose lease expired), leased to `owner`."""
        now = utcnow()
        free = or_(TABLE.c.status == "queued", (TABLE.c.status == "running") & (TABLE.c.lease_until < now))
        query = select(TABLE.c.id).where(TABLE.c.kind.in_(kinds), free).order_by(TABLE.c.id).limit(1)
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            job_id = conn.execute(query).scalar()
            if job_id is None:
                return None
            got = conn.execute(update(TABLE).where(TABLE.c.id == job_id, free).values(
                status="running", owner=owner, lease_until=now + timedelta(seconds=self.lease_s),
                updated_at=now)).rowcount
            if not got:
                return None
            row = conn.execute(select(TABLE.c.kind, TABLE.c.payload, TABLE.c.attempts)
                               .where(TABLE.c.id == job_id)).one()
            conn.execute(update(TABLE).where(TABLE.c.id == job_id).values(attempts=TABLE.c.attempts + 1))
        return Job(int(job_id), str(row.kind), json.loads(row.payload), int(row.attempts))

    def heartbeat(self, job_id: int, progress: str | None = None) -> None:
        """Extend the lease (and record progress) while the job runs."""
        values: dict[str, object] = {"lease_until": utcnow() + timedelta(seconds=self.lease_s), "updated_at": utcnow()}
        if progress is not None:
            values["progress"] = progress[:200]
        with self.engine.begin() as conn:
            conn.execute(update(TABLE).where(TABLE.c.id == job_id).values(**values))

    def finish(self, job_id: int, status: str, error: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(TABLE).where(TABLE.c.id == job_id).values(
                status=status, error=error[:300] if error else None, lease_until=None, updated_at=utcnow()))

    def release_dead(self) -> list[str]:
        """Jobs of this host's processes that died go back to the queue (they run again)."""
        return release_dead(self.engine, TABLE, status="queued")

    def get(self, job_id: int) -> dict[str, object] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(TABLE).where(TABLE.c.id == job_id)).mappings().first()
        return dict(row) if row is not None else None

    def counts(self) -> dict[str, int]:
        from sqlalchemy import func

        with self.engine.connect() as conn:
            rows = conn.execute(select(TABLE.c.status, func.count()).group_by(TABLE.c.status)).all()
        return {str(status): int(n) for status, n in rows}

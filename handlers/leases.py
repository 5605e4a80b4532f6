"""Leases of rows claimed by a process (outbox, inbox, jobs): owners are `<host>:<pid>[:<role>]`.

A lease held by a process that died is released at start-up when that process ran on this host
(its pid is gone, or it is our own pid, reused after a restart in a container); on other hosts the
lease simply expires.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable

from sqlalchemy import ColumnElement, Table, select, update
from sqlalchemy.engine import Engine


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # we just started: nothing is ours yet, whatever an earlier process left
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_owners(owners: list[str], host: str | None = None) -> list[str]:
    host = host or socket.gethostname()
    dead = []
    for owner in owners:
        parts = owner.split(":")
        if len(parts) >= 2 and parts[0] == host and parts[1].isdigit() and not _alive(int(parts[1])):
            dead.append(owner)
    return dead


def release_dead(engine: Engine, table: Table, *where: ColumnElement[bool], **values: object) -> list[str]:
    """Release the leases of this host's dead processes on the rows matching `where` (the caller's
    own rows: call it when the caller starts), setting `values` too; returns their owners."""
    leased = (table.c.lease_until.is_not(None), table.c.owner.is_not(None), *where)
    with engine.begin() as conn:
        owners = [str(o) for o in conn.execute(select(table.c.owner).where(*leased).distinct()).scalars()]
        dead = dead_owners(owners)
        if dead:
            conn.execute(update(table).where(table.c.owner.in_(dead), *leased)
                         .values(lease_until=None, owner=None, **values))
    return dead


async def take_over_dead(release: Callable[[], list[str]], what: str, log: logging.Logger) -> None:
    """At a worker's start: release what stopped processes of this host left leased (`release` runs
    in a thread), and say so. A failure is only logged: the leases then expire on their own."""
    try:
        dead = await asyncio.to_thread(release)
    except Exception as exc:
        log.warning("%s: could not release the work of stopped processes: %s", what, exc)
        return
    if dead:
        log.warning("%s: took over the work of stopped process(es) %s", what, dead)

"""Handle a webhook update exactly once across replicas, acknowledging only after the work is done.

"Accepted" for an ack-after-commit webhook (Zalo Bot Platform, Telegram) means: we answered 200,
which we do only once the dialog has handled the update and its replies were handed to the
platform. A replica killed before that answers nothing (or the connection drops), so the platform
retries — possibly on another replica. For that retry not to be dropped as a duplicate, the
shared deduper gives a *lease* (`claim`): `new` → handle it, then `complete`; `pending` → another
replica is on it right now, answer 503 so the platform retries later (if that replica dies, its
lease expires); `done` → a duplicate, answer 200 and do nothing.

With a deduper without leases (SQL, memory) the dialog's own `first_time` check is used instead.
This is the one implementation of that protocol: `run_once` for any work (Telegram feeds its
dispatcher), `handle_once` for an `Incoming` handed to the hub (Zalo).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import Literal, Protocol

from handlers.messages import Incoming, Reply
from handlers.state import Deduper, Leases

log = logging.getLogger(__name__)

Outcome = Literal["done", "duplicate", "busy"]


class Processor(Protocol):
    """The hub's entry point (bot.hub.Hub.process)."""

    async def process(self, msg: Incoming) -> list[Reply]: ...


def leases_of(deduper: Deduper | Leases | None) -> Leases | None:
    """The deduper's leases, or None when it has none (SQL, memory: the dialog deduplicates)."""
    return deduper if isinstance(deduper, Leases) else None


async def run_once(key: str, deduper: Deduper | Leases | None, work: Callable[[bool], Awaitable[object]]) -> Outcome:
    """Run `work(leased)` unless another worker did (or is doing) it for `key`. `leased` is True when
    the lease is the deduplication (the dialog must not see the update's id again)."""
    leases = leases_of(deduper)
    if leases is None:
        await work(False)
        return "done"
    state = await asyncio.to_thread(leases.claim, key)
    if state == "done":
        return "duplicate"
    if state == "pending":
        return "busy"
    try:
        await work(True)
    except BaseException:
        await asyncio.to_thread(leases.release, key)
        raise
    await asyncio.to_thread(leases.complete, key)
    return "done"


async def handle_once(hub: Processor, msg: Incoming, deduper: Deduper | Leases | None = None) -> Outcome:
    """Process `msg` through the hub unless another worker handled (or is handling) it."""
    if msg.update_id is None:
        await hub.process(msg)
        return "done"

    async def work(leased: bool) -> None:
        await hub.process(dataclasses.replace(msg, update_id=None) if leased else msg)

    return await run_once(f"{msg.channel}:{msg.update_id}", deduper, work)

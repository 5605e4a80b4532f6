"""Handle a webhook update exactly once across replicas, acknowledging only after the work is done.

"Accepted" for an ack-after-commit webhook (Zalo Bot Platform, Telegram) means: we answered 200,
which we do only once the dialog has handled the update and its replies were handed to the
platform. A replica killed before that answers nothing (or the connection drops), so the platform
retries — possibly on another replica. For that retry not to be dropped as a duplicate, the
shared deduper gives a *lease* (`claim`): `new` → handle it, then `complete`; `pending` → another
replica is on it right now, answer 503 so the platform retries later (if that replica dies, its
lease expires); `done` → a duplicate, answer 200 and do nothing.

With a deduper without leases (SQL, memory) the dialog's own `first_time` check is used instead.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Literal, Protocol

from handlers.messages import Incoming, Reply
from handlers.state import Deduper, Leases

log = logging.getLogger(__name__)

Outcome = Literal["done", "duplicate", "busy"]


class Processor(Protocol):
    """The hub's entry point (bot.hub.Hub.process)."""

    async def process(self, msg: Incoming) -> list[Reply]: ...


async def handle_once(hub: Processor, msg: Incoming, deduper: Deduper | None = None) -> Outcome:
    """Process `msg` through the hub unless another worker handled (or is handling) it."""
    if msg.update_id is None or not isinstance(deduper, Leases):
        await hub.process(msg)
        return "done"
    key = f"{msg.channel}:{msg.update_id}"
    state = await asyncio.to_thread(deduper.claim, key)
    if state == "done":
        return "duplicate"
    if state == "pending":
        return "busy"
    try:
        # the claim is the deduplication: the dialog must not see the key again
        await hub.process(dataclasses.replace(msg, update_id=None))
    except BaseException:
        await asyncio.to_thread(deduper.release, key)
        raise
    await asyncio.to_thread(deduper.complete, key)
    return "done"

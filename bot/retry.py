"""One retry policy for every outbound HTTP call of the channels (Telegram, Zalo Bot Platform, Zalo OA).

A call is written as one *attempt* (an async function) that raises `Retryable` when its failure
may be retried: the request surely had no effect (connection refused, HTTP 5xx, 429) or repeating
it is harmless (reads, idempotent methods). Anything else the attempt raises — a refusal a retry
cannot fix, or a send that may already have arrived (`MaybeDelivered`) — passes through at once.

`with_retries(attempt, policy)` then runs it:

- waits between tries grow exponentially (`base_s`, ×`factor`, at most `cap_s`) with a little
  random jitter (`jitter`, so that many chats retrying together spread out);
- a wait the server asks for (`Retryable.wait`: Telegram's `retry_after`, HTTP `Retry-After`) is
  honoured as given, unless it is longer than `max_wait_s`: then there is no point holding the
  caller, it gives up at once (the outbox retries later, honouring the same wait);
- at most `attempts` tries, and never past `deadline_s` seconds since the first one;
- when it gives up it raises `GaveUp` (the last `Retryable` as its cause); each channel turns that
  into its own error (`DeliveryFailed`, `ZaloApiError`, ...).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class Retryable(Exception):
    """Raised by one attempt: it failed, and trying again is safe."""

    def __init__(self, reason: str, *, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait
        """Seconds the server asked us to wait (429 `retry_after`, `Retry-After`); None: back off."""

    @property
    def retry_after(self) -> float | None:
        """The server's wait, read by the outbox (bot/outbox.py) when it schedules the next try."""
        return self.wait


class GaveUp(Exception):
    """Every try failed (or the server asked for a longer wait than the policy allows)."""

    def __init__(self, what: str, tries: int, last: Retryable) -> None:
        super().__init__(f"{what} failed after {tries} attempt{'s' if tries != 1 else ''}: {last.reason}")
        self.what = what
        self.tries = tries
        self.last = last

    @property
    def retry_after(self) -> float | None:
        return self.last.wait


def retry_after_header(value: str | None) -> float | None:
    """An HTTP `Retry-After` in seconds (the date form is not used by the platforms we call)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    """Tries in all (1: no retry)."""
    base_s: float = 0.5
    """The first back-off wait."""
    factor: float = 2.0
    cap_s: float = 30.0
    """The longest back-off wait (before jitter)."""
    jitter: float = 0.1
    """Each back-off wait is stretched by a random 0…jitter of itself."""
    max_wait_s: float = 300.0
    """A server-requested wait longer than this is not waited for: give up at once."""
    deadline_s: float | None = None
    """All tries together take at most this long (None: only `attempts` bounds them)."""

    def backoff(self, retry: int) -> float:
        """The wait before retry number `retry` (1, 2, ...), jitter included."""
        delay = min(self.base_s * self.factor ** (retry - 1), self.cap_s)
        return delay * (1 + random.random() * self.jitter)

    def wait_for(self, failure: Retryable, retry: int) -> float | None:
        """How long to wait before retry number `retry`, or None when the policy says give up."""
        if failure.wait is None:
            return self.backoff(retry)
        return failure.wait if failure.wait <= self.max_wait_s else None

    def with_attempts(self, attempts: int) -> RetryPolicy:
        return RetryPolicy(attempts, self.base_s, self.factor, self.cap_s, self.jitter, self.max_wait_s,
                           self.deadline_s)


NO_RETRY = RetryPolicy(attempts=1)


async def with_retries(attempt: Callable[[], Awaitable[T]], policy: RetryPolicy, *, what: str = "call",
                       logger: logging.Logger = log) -> T:
    """Run `attempt` until it returns, retrying `Retryable` failures as `policy` says (see the module)."""
    started = time.monotonic()
    tries = 0
    while True:
        tries += 1
        try:
            return await attempt()
        except Retryable as failure:
            wait = policy.wait_for(failure, tries) if tries < policy.attempts else None
            late = wait is not None and policy.deadline_s is not None and \
                time.monotonic() - started + wait > policy.deadline_s
            if late:
                wait = None
            if wait is None:
                raise GaveUp(what, tries, failure) from failure
            logger.warning("%s failed (%s); retry %d in %.1fs", what, failure.reason, tries, wait)
            await asyncio.sleep(wait)

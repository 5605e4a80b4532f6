"""The one retry policy (bot/retry.py): which failures are retried, how long it waits, when it gives up."""

from __future__ import annotations

import pytest

from bot.retry import GaveUp, Retryable, RetryPolicy, retry_after_header, with_retries
from handlers.messages import MaybeDelivered


class Script:
    """An attempt that fails as scripted (exceptions in order), then returns "ok"."""

    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


FAST = RetryPolicy(attempts=4, base_s=0.001, cap_s=0.004)


def test_backoff_grows_by_the_factor_up_to_the_cap_with_bounded_jitter() -> None:
    policy = RetryPolicy(base_s=0.5, factor=2.0, cap_s=3.0, jitter=0.1)
    for retry, plain in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (9, 3.0)):
        waits = [policy.backoff(retry) for _ in range(200)]
        assert all(plain <= w <= plain * 1.1 for w in waits), (retry, min(waits), max(waits))
    assert RetryPolicy(jitter=0.0).backoff(2) == 1.0


def test_a_server_wait_is_honoured_as_given_unless_it_is_longer_than_allowed() -> None:
    policy = RetryPolicy(max_wait_s=30.0)
    assert policy.wait_for(Retryable("429", wait=7.0), 1) == 7.0
    assert policy.wait_for(Retryable("429", wait=31.0), 1) is None  # give up: the outbox waits instead
    assert retry_after_header("12") == 12.0 and retry_after_header(None) is None
    assert retry_after_header("Wed, 21 Oct 2026 07:28:00 GMT") is None and retry_after_header("-3") is None


async def test_retryable_failures_are_retried_until_the_attempt_succeeds() -> None:
    attempt = Script(Retryable("HTTP 502"), Retryable("ConnectionReset"))
    assert await with_retries(attempt, FAST) == "ok" and attempt.calls == 3


async def test_other_errors_pass_through_at_once() -> None:
    for error in (MaybeDelivered("x", "timeout after the request went out"), ValueError("refused")):
        attempt = Script(error)
        with pytest.raises(type(error)):
            await with_retries(attempt, FAST)
        assert attempt.calls == 1


async def test_it_gives_up_after_the_attempts_with_the_last_failure_and_its_wait() -> None:
    attempt = Script(*[Retryable(f"HTTP 50{i}", wait=0.001) for i in range(6)])
    with pytest.raises(GaveUp) as err:
        await with_retries(attempt, FAST, what="sendMessage")
    assert attempt.calls == 4 and err.value.tries == 4
    assert err.value.last.reason == "HTTP 503" and err.value.retry_after == 0.001
    assert "sendMessage failed after 4 attempts: HTTP 503" in str(err.value)
    assert err.value.__cause__ is err.value.last


async def test_a_long_server_wait_gives_up_without_waiting() -> None:
    attempt = Script(Retryable("429", wait=600.0))
    with pytest.raises(GaveUp):
        await with_retries(attempt, RetryPolicy(attempts=5, max_wait_s=30.0))
    assert attempt.calls == 1


async def test_the_deadline_bounds_all_tries_together() -> None:
    attempt = Script(*[Retryable("HTTP 500", wait=0.05) for _ in range(10)])
    with pytest.raises(GaveUp):
        await with_retries(attempt, RetryPolicy(attempts=10, deadline_s=0.12))
    assert attempt.calls == 3  # at 0, 0.05 and 0.10 s: one more would end past 0.12 s


async def test_one_attempt_means_no_retry() -> None:
    attempt = Script(Retryable("HTTP 500"))
    with pytest.raises(GaveUp):
        await with_retries(attempt, FAST.with_attempts(1))
    assert attempt.calls == 1

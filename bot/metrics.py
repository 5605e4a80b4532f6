"""Prometheus metrics of one replica, read from the hub's counters at scrape time.

- `civicbot_updates_total{channel}`, `civicbot_replies_total{channel}`: this process.
- `civicbot_media_total{kind}`: voice messages, photos, stickers… received (this process).
- `civicbot_zalo_oa_quota_total{kind}`: OA messages sent by allowance (`reply` free, `sub_quota`,
  `paid`, ...); `civicbot_zalo_oa_refused_total{reason}`: refusals not retried (this process).
- `civicbot_errors_total{kind}`: dialog failures, send failures, undeliverable replies, and the
  failures the dialog answered with an apology: `infrastructure` (database, Redis, OS; logged with a
  traceback) and `internal` (bugs) (this process).
- `civicbot_slow_work_total`: slow work (an LLM answer, a download) the hub settled in its slow pool,
  off the dialog workers (this process).
- `civicbot_update_latency_seconds`: histogram, update received → replies delivered, or stored in the
  outbox for delivery under `civicbot run` (this process).
- `civicbot_answers_total`, `civicbot_abstentions_total`: questions answered / abstained, from the
  query log in the shared database, so they count ALL replicas (aggregate them with `max`, not `sum`).
- `civicbot_corpus_version{source="db"|"index"}`: the database's version and this replica's index.
- `civicbot_outbox_rows{status}`: replies in the outbox by status (pending, sent, undeliverable,
  expired), from the shared database (all replicas): a growing `pending` means delivery is stuck.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Protocol

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

from handlers.logs import ActivityLog
from handlers.outbox import Outbox
from knowledge.queries import corpus_version

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

    from retrieval.service import SearchService

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
ERROR_KEYS = {"errors_total": "dialog", "send_errors_total": "send", "undeliverable_total": "undeliverable"}
DIALOG_ERROR_KEYS = {"infrastructure_errors_total": "infrastructure", "internal_errors_total": "internal"}


class Observed(Protocol):
    """What /metrics reads of a hub (bot.hub.Hub): its counters, the dialog's, and update latencies
    (the list is replaced by one that also feeds the histogram)."""

    latencies_ms: list[float]

    @property
    def metrics(self) -> Mapping[str, int]: ...

    @property
    def dialog_metrics(self) -> Mapping[str, int]: ...


class _ObservedList(list[float]):
    """The hub appends each update's latency (ms) to a list; this one also feeds the histogram."""

    def __init__(self, histogram: Histogram, items: Iterable[float] = ()) -> None:
        super().__init__(items)
        self.histogram = histogram

    def append(self, value: float) -> None:
        self.histogram.observe(value / 1000.0)
        super().append(value)


class _HubCollector(Collector):
    def __init__(self, hub: Observed, engine: Engine | None = None, search: SearchService | None = None,
                 db_every_s: float = 5.0) -> None:
        self.hub = hub
        self.engine = engine
        self.search = search
        self.db_every_s = db_every_s
        self._db_cache: tuple[float, dict[str, int]] = (0.0, {})

    def collect(self) -> Iterator[Metric]:
        counters: dict[str, int] = dict(self.hub.metrics)
        updates = CounterMetricFamily("civicbot_updates", "Updates received", labels=["channel"])
        replies = CounterMetricFamily("civicbot_replies", "Replies delivered", labels=["channel"])
        errors = CounterMetricFamily("civicbot_errors", "Failures while handling updates", labels=["kind"])
        media = CounterMetricFamily("civicbot_media", "Non-text messages received (voice, photos, ...)",
                                    labels=["kind"])
        oa_quota = CounterMetricFamily("civicbot_zalo_oa_quota", "Zalo OA messages sent, by the allowance used",
                                       labels=["kind"])
        oa_refused = CounterMetricFamily("civicbot_zalo_oa_refused", "Zalo OA messages refused for good",
                                         labels=["reason"])
        labelled = {"media_total": media, "zalo_oa_quota_total": oa_quota, "zalo_oa_refused_total": oa_refused}
        for key, value in counters.items():
            name, _, channel = key.partition(":")
            if name in labelled and channel:
                labelled[name].add_metric([channel], value)
            elif name == "updates_total" and channel:
                updates.add_metric([channel], value)
            elif name == "replies_total" and channel:
                replies.add_metric([channel], value)
        for key, kind in ERROR_KEYS.items():
            errors.add_metric([kind], counters.get(key, 0))
        dialog_counters = self.hub.dialog_metrics
        for key, kind in DIALOG_ERROR_KEYS.items():
            errors.add_metric([kind], dialog_counters.get(key, 0))
        yield from (updates, replies, errors, media, oa_quota, oa_refused)
        yield CounterMetricFamily("civicbot_slow_work", "Slow work settled off the dialog workers (LLM, downloads)",
                                  value=counters.get("slow_work_total", 0))
        db = self._db_numbers()
        if "answered" in db:
            yield CounterMetricFamily("civicbot_answers", "Questions answered (all replicas)", value=db["answered"])
            yield CounterMetricFamily(
                "civicbot_abstentions", "Questions abstained (all replicas)", value=db["abstained"]
            )
        version = GaugeMetricFamily("civicbot_corpus_version", "Corpus version", labels=["source"])
        if "corpus_version" in db:
            version.add_metric(["db"], db["corpus_version"])
        if self.search is not None:
            version.add_metric(["index"], self.search.corpus_version)
        yield version
        outbox = GaugeMetricFamily("civicbot_outbox_rows", "Outbox rows by status (all replicas)", labels=["status"])
        for key, value in db.items():
            if key.startswith("outbox:"):
                outbox.add_metric([key.removeprefix("outbox:")], value)
        yield outbox

    def _db_numbers(self) -> dict[str, int]:
        at, cached = self._db_cache
        if self.engine is None or time.monotonic() - at < self.db_every_s:
            return cached
        try:
            numbers = db_counts(self.engine)
        except Exception as exc:  # a metrics scrape must not fail on a database hiccup
            log.warning("metrics: database counts unavailable: %s", exc)
            numbers = cached
        self._db_cache = (time.monotonic(), numbers)
        return numbers


def db_counts(engine: Engine) -> dict[str, int]:
    """Answered / abstained questions (all replicas), the corpus version and outbox rows by status."""
    numbers = dict(ActivityLog(engine).answer_counts())
    numbers["corpus_version"] = corpus_version(engine)
    numbers.update({f"outbox:{status}": n for status, n in Outbox(engine).counts().items()})
    return numbers


class Metrics:
    """One registry per process (several apps in one test process never clash)."""

    def __init__(self, hub: Observed, *, engine: Engine | None = None, search: SearchService | None = None) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "civicbot_update_latency_seconds", "Update received → replies delivered",
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        if not isinstance(hub.latencies_ms, _ObservedList):
            hub.latencies_ms = _ObservedList(self.latency, hub.latencies_ms)
        self.registry.register(_HubCollector(hub, engine, search))

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

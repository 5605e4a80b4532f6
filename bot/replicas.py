"""Keeping every replica's local search index in step with the shared database.

The database holds the corpus version (`kb_corpus_state`, bumped in the same transaction as every
knowledge-base change). Each replica polls it every few seconds and, when it moved, brings its own
index up to date (`SearchService.refresh()`: one cheap SELECT when unchanged; only new chunks are
embedded, their vectors usually already in the shared SQL embedding cache). No shared files: each
replica keeps its index snapshot in its own CIVICBOT_DATA_DIR.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 2.0


class Refreshable(Protocol):
    """A replica's search index (retrieval.service.SearchService)."""

    @property
    def corpus_version(self) -> int: ...

    def refresh(self) -> bool: ...


async def watch_corpus(search: Refreshable, stop: asyncio.Event, interval_s: float = DEFAULT_INTERVAL_S) -> None:
    """Call `search.refresh()` (in a worker thread) every `interval_s` seconds until `stop` is set."""
    failures = 0
    while not stop.is_set():
        try:
            changed = await asyncio.to_thread(search.refresh)
            failures = 0
            if changed:
                log.info("search index refreshed to corpus version %s", search.corpus_version)
        except Exception as exc:  # the database may be briefly unreachable; keep serving the old index
            failures += 1
            log.warning("corpus refresh failed (%d in a row): %s", failures, exc)
        wait = interval_s * min(2**failures, 16)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=wait)

"""Daily check of the eligibility tables: staff hear, in the staff chat, before the bot runs out of
poverty lines (the same warnings as `civicbot eligibility validate`).

Once a day (UTC date) the first replica to claim the day's key in the shared deduper sends one
message listing the regions whose rows end within 30 days or have ended. Nothing is sent when no
staff chat is configured or nothing is about to run out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from bot.hub import Notify
from handlers.i18n import Catalog
from handlers.messages import Reply, Target
from handlers.state import Deduper
from knowledge.eligibility.coverage import CoverageWarning, running_out
from knowledge.eligibility.registry import RuleRegistry

if TYPE_CHECKING:
    from bot.app import App
    from bot.hub import Hub

log = logging.getLogger(__name__)


def coverage_text(catalog: Catalog, lang: str, warnings: list[CoverageWarning], today: date) -> str | None:
    items = running_out(warnings)
    if not items:
        return None
    lines = [catalog.t(lang, "eligibility.staff.coverage_title")]
    for w in items:
        assert w.ends is not None
        key = "eligibility.staff.coverage_ended" if w.ends < today else "eligibility.staff.coverage_line"
        lines.append(catalog.t(lang, key, option=w.label, ends=w.ends.isoformat(), days=(w.ends - today).days,
                               quarter=w.last_quarter or "-", table=w.table))
    return "\n".join(lines)


@dataclass
class CoverageAlert:
    """The daily check: the rules it reads, the deduper that lets one replica a day send, where to."""

    rules: RuleRegistry
    deduper: Deduper
    notify: Notify
    catalog: Catalog
    target: Target | None
    """The staff chat (None: nothing is sent)."""
    lang: str
    """The staff language."""

    @classmethod
    def of(cls, app: App, hub: Hub) -> CoverageAlert:
        settings = app.settings
        return cls(app.rules, app.deduper, hub.notify, app.dialog.catalog, app.staff_target,
                   settings.staff_lang or settings.default_lang)

    async def check_once(self, today: date) -> bool:
        """Send today's warning to the staff chat if there is one and no replica sent it yet."""
        target = self.target
        if target is None:
            return False
        text = coverage_text(self.catalog, self.lang, self.rules.coverage(today), today)
        if text is None:
            return False
        claimed = await asyncio.to_thread(self.deduper.first_time, f"rule-coverage:{today.isoformat()}")
        if not claimed:
            return False
        await self.notify(target.channel, target.chat_id, [Reply(text)])
        return True

    async def watch(self, stop: asyncio.Event, interval_s: float = 3600.0,
                    clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        """Check every `interval_s` seconds; at most one message per day across replicas."""
        while not stop.is_set():
            try:
                await asyncio.to_thread(self.rules.refresh)
                await self.check_once(clock().date())
            except Exception:
                log.exception("the daily eligibility-table check failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_s)


async def watch_rule_coverage(app: App, hub: Hub, stop: asyncio.Event, interval_s: float = 3600.0,
                              clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:  # fmt: skip
    """The daily check of `civicbot run` (see `CoverageAlert.watch`)."""
    await CoverageAlert.of(app, hub).watch(stop, interval_s, clock)

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
from datetime import UTC, date, datetime
from typing import Any

from handlers.i18n import Catalog
from handlers.messages import Reply
from knowledge.eligibility.coverage import CoverageWarning, running_out

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


async def check_once(app: Any, hub: Any, today: date) -> bool:
    """Send today's warning to the staff chat if there is one and no replica sent it yet."""
    target = app.staff_target
    if target is None:
        return False
    text = coverage_text(app.dialog.catalog, _staff_lang(app), app.rules.coverage(today), today)
    if text is None:
        return False
    claimed = await asyncio.to_thread(app.deduper.first_time, f"rule-coverage:{today.isoformat()}")
    if not claimed:
        return False
    await hub.notify(target.channel, target.chat_id, [Reply(text)])
    return True


def _staff_lang(app: Any) -> str:
    lang = getattr(app.settings, "staff_lang", None) or app.settings.default_lang
    return str(lang)


async def watch_rule_coverage(app: Any, hub: Any, stop: asyncio.Event, interval_s: float = 3600.0,
                              clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:  # fmt: skip
    """Check every `interval_s` seconds; at most one message per day across replicas."""
    while not stop.is_set():
        try:
            await asyncio.to_thread(app.rules.refresh)
            await check_once(app, hub, clock().date())
        except Exception:
            log.exception("the daily eligibility-table check failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_s)

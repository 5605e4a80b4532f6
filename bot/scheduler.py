"""The reminder scheduler that runs inside the bot.

It keeps no jobs in memory: each tick asks the database which reminders are due
(`BookingService.due_reminders`), claims each one in a transaction (a unique row in
`bk_sent_reminder`) and only then delivers it. After a restart the next tick finds what is still
due, so nothing is lost; a claimed reminder is never claimed again, so nothing is sent twice, even
with several bot processes. A failed delivery releases the claim for the next tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from bookings.models import Booking
from bookings.service import BookingService
from bot.hub import Notify
from handlers.booking.views import reminder_replies, stored_id
from handlers.i18n import Catalog
from handlers.messages import MaybeDelivered, Reply, Target, Undeliverable

log = logging.getLogger(__name__)

Deliver = Notify


class ReminderScheduler:
    def __init__(
        self,
        service: BookingService,
        deliver: Deliver,
        offsets_h: Sequence[float] = (24.0, 2.0),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        catalog: Catalog | None = None,
        interval_s: float = 30.0,
        staff_target: Target | None = None,
        staff_lang: str = "vi",
    ) -> None:
        self.service = service
        self.deliver = deliver
        self.offsets_h = list(offsets_h)
        self.clock = clock
        self.catalog = catalog or Catalog.load()
        self.interval_s = interval_s
        self.staff_target = staff_target
        self.staff_lang = staff_lang

    async def tick(self, now: datetime | None = None) -> list[tuple[int, int]]:
        """Send every reminder due at `now`; returns the (booking id, offset minutes) sent."""
        at = (now or self.clock()).astimezone(UTC)
        due = await asyncio.to_thread(self.service.due_reminders, at, self.offsets_h)
        sent: list[tuple[int, int]] = []
        for item in due:
            b, offset = item.booking, item.offset_minutes
            booking_id = stored_id(b)
            claimed = await asyncio.to_thread(self.service.claim_reminder, booking_id, offset, at)
            if not claimed:
                continue
            try:
                replies = await asyncio.to_thread(reminder_replies, self.catalog, self.service, b, offset, at)
                await self.deliver(b.channel, b.chat_id, replies)
            except MaybeDelivered:  # it may have arrived: counted as sent, never sent twice
                log.warning("reminder for booking %s maybe delivered; not resent", b.id)
            except Undeliverable as refused:  # refused for good: recorded, staff told, never retried
                log.warning("reminder for booking %s undeliverable: %s", b.id, refused.reason)
                await asyncio.to_thread(self.service.mark_reminder_undelivered, booking_id, offset, at)
                await self._tell_staff(b, refused)
                continue
            except Exception as exc:
                # no traceback: a platform's error text may quote the chat id (the hub logs the send by pseudonym)
                detail = f"{type(exc).__name__}: {exc}".replace(b.chat_id, "<chat>") if b.chat_id else repr(exc)
                log.error("reminder for booking %s failed (%s); will retry", b.id, detail[:300])
                await asyncio.to_thread(self.service.release_reminder, booking_id, offset)
                continue
            await asyncio.to_thread(self.service.mark_reminder_sent, booking_id, offset, at)
            sent.append((booking_id, offset))
        return sent

    async def _tell_staff(self, booking: Booking, refused: Undeliverable) -> None:
        if self.staff_target is None:
            return
        t = self.catalog.t
        reason = t(self.staff_lang, f"zalo.reason_{refused.reason}") if refused.channel.startswith("zalo") else (
            refused.reason)
        note = t(self.staff_lang, "zalo.undelivered", user=f"#{booking.id}", channel=refused.channel, reason=reason)
        try:
            await self.deliver(self.staff_target.channel, self.staff_target.chat_id, [Reply(note)])
        except Exception as exc:
            log.warning("staff not told of an undelivered reminder: %s", type(exc).__name__)

    async def run(self, stop_event: asyncio.Event) -> None:
        """Tick every `interval_s` seconds until `stop_event` is set; errors are logged, not fatal."""
        while not stop_event.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("reminder tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), timeout=self.interval_s)

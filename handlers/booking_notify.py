"""Notices to requesters about decisions made outside their chat (a room closed from the CLI,
later the web console): one localized Reply per booking, addressed to the requester's chat.

The dialog returns such Replies with a `target`; the CLI hands them to `notify_requesters`
(bot/cli_bookings.py), the one place that delivers them.
"""

from __future__ import annotations

from typing import Any

from handlers import booking_views as views
from handlers.i18n import Catalog
from handlers.messages import Reply


def closure_notices(catalog: Catalog, svc: Any, bookings: list[Any]) -> list[Reply]:
    """For each booking a room closure cancelled: the notice in the requester's language, to their
    chat. Bookings made without a chat (from the CLI) get none."""
    notices: list[Reply] = []
    for b in bookings:
        target = views.requester_target(b)
        if target is None:
            continue
        reason = b.cancel_reason or catalog.t(b.lang, "booking.closed_no_reason")
        text = catalog.t(b.lang, "booking.closed_cancelled_user", reason=reason, **views.facts(catalog, b.lang, svc, b))
        notices.append(Reply(text, target=target))
    return notices

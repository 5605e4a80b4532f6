"""Room booking at the House of NGOs: the booking flow, staff decisions, views and notifications."""

from handlers.booking.flow import BookingFlow
from handlers.booking.notify import closure_notice, closure_notices, notify_closures, notify_decision

__all__ = ["BookingFlow", "closure_notice", "closure_notices", "notify_closures", "notify_decision"]

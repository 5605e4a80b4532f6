"""Staff work in the chat: documents, unanswered questions, replies, stats, alerts and languages."""

from handlers.staff.flow import StaffFlow
from handlers.staff.service import Relay, StaffService
from handlers.staff.stats import compute_stats

__all__ = ["Relay", "StaffFlow", "StaffService", "compute_stats"]

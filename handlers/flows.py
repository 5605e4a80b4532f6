"""The flows the dialog offers, in menu order."""

from __future__ import annotations

from handlers.ask import AskFlow
from handlers.booking import BookingFlow
from handlers.eligibility import EligibilityFlow
from handlers.flow import Flow
from handlers.staff import StaffFlow
from handlers.staff.web import WebFlow


def default_flows() -> list[Flow]:
    return [AskFlow(), EligibilityFlow(), BookingFlow(), StaffFlow(), WebFlow()]

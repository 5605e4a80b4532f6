"""The guided eligibility check: one question at a time, the rules' verdict explained."""

from handlers.eligibility.flow import EligibilityFlow

__all__ = ["EligibilityFlow"]

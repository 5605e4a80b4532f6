"""The flows the dialog offers, in menu order. A flow whose module is not present is skipped."""

from __future__ import annotations

import importlib

from handlers.flow import Flow

FLOW_CLASSES = (
    ("handlers.ask", "AskFlow"),
    ("handlers.eligibility", "EligibilityFlow"),
    ("handlers.booking", "BookingFlow"),
    ("handlers.staff", "StaffFlow"),
)


def default_flows() -> list[Flow]:
    flows: list[Flow] = []
    for module_name, class_name in FLOW_CLASSES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        flows.append(getattr(module, class_name)())
    return flows

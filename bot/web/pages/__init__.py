"""The console's page modules, in navigation order. Each exposes `register(routes, ctx)`:
see bot/web/README.md. Add yours with a plain import and one entry in PAGES, on the lines
reserved for your area below (they are kept apart so that merges do not collide)."""

from __future__ import annotations

from types import ModuleType

from bot.web.pages import home, kb, numbers, rules, unanswered  # kb, numbers, rules, unanswered: console-kb

# bookings (console-bookings): from bot.web.pages import bookings

PAGES: tuple[ModuleType, ...] = (
    home,
    # bookings (console-bookings)

    kb, unanswered, numbers, rules,  # console-kb

)

"""The console's page modules, in navigation order. Each exposes `register(routes, ctx)`:
see bot/web/README.md. Add yours with a plain import and one entry in PAGES."""

from __future__ import annotations

from types import ModuleType

from bot.web.pages import bookings, home, kb, numbers, rules, unanswered

PAGES: tuple[ModuleType, ...] = (home, bookings, kb, unanswered, numbers, rules)

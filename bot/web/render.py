"""Jinja2 pages in the request's language, with the catalog's `t()` and the console's layout.

Every template extends `base.html` (header, navigation, language switch, sign-out, `<main>`), and
gets: `t(key, **params)` (handlers/locales/<lang>/*.yaml), `lang`, `staff` (None on sign-in and
refusal pages), `csrf_field()` (the hidden input every POST form must contain), `csrf_token`,
`url(path)` (`/kb` → `/staff/kb`), `static(name)`, `areas`, `current` (the path under /staff).
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from bot.web.context import AREAS, PREFIX, STAFF_KEY, Staff, lang_of, url
from handlers.i18n import Catalog

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
LANG_NAMES = (("vi", "Tiếng Việt"), ("ru", "Русский"), ("en", "English"))
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class Renderer:
    def __init__(self, catalog: Catalog, templates: Path = TEMPLATES) -> None:
        self.catalog = catalog
        self.env = Environment(loader=FileSystemLoader(str(templates)), autoescape=select_autoescape(["html"]),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(url=url, static=lambda name: f"{PREFIX}/static/{name}", areas=AREAS,
                                langs=LANG_NAMES)

    def html(self, request: web.Request, template: str, /, **values: object) -> str:
        lang = lang_of(request)
        staff = request.get(STAFF_KEY)
        token = staff.csrf if isinstance(staff, Staff) else ""

        def t(key: str, /, **params: object) -> str:
            return self.catalog.t(lang, key, **params)

        path = request.path
        current = path[len(PREFIX):] if path.startswith(PREFIX) else path
        context: dict[str, object] = {
            "t": t, "lang": lang, "staff": staff if isinstance(staff, Staff) else None, "csrf_token": token,
            "csrf_field": lambda: Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">'),
            "current": current or "/",
        }
        context.update(values)
        return self.env.get_template(template).render(context)

    def page(self, request: web.Request, template: str, /, *, status: int = 200, **values: object) -> web.Response:
        return web.Response(text=self.html(request, template, **values), status=status,
                            content_type="text/html", charset="utf-8")

    def refusal(self, request: web.Request, status: int, reason: str, /, *, how: bool = True) -> web.Response:
        """The clear, localized refusal page: `reason` is a key under `web.refused.`."""
        return self.page(request, "refused.html", status=status, reason=f"web.refused.{reason}", how=how)

    def error(self, request: web.Request, status: int, reason: str) -> web.Response:
        return self.page(request, "error.html", status=status, reason=f"web.error.{reason}")

"""Errors become replies here, and only here.

Which failures are whose: domain errors (the user's input or the state of things) are
`knowledge.errors.CivicError` and nothing else; infrastructure errors are the database, Redis and
the operating system (network, files, time-outs); the rest are bugs ("internal"). Recognised by
type only: an exception that merely carries `code` and `params` attributes (SQLAlchemy's do:
`code = "9h9h"`) is not a domain error.

The mapping, by type (first match wins):

==========================  ===============================================================
`Stale` (an old button)     `common.stale_button`
`Refusal`                   its own `key` (a step's refusal: upload checks), its params
`CivicError`                `<area>.<code>` with its params when the catalogs have it, else
                            the area's fallback (the dialog: `error.generic_input`)
infrastructure              `sec.infrastructure_error` (logged with its traceback, counted)
anything else               `error.internal` (logged with its traceback, counted)
==========================  ===============================================================

An *area* is where a domain error is shown: the dialog (`error.<code>`) or a flow's own texts
for a step (uploads: `staff.upload.err.<code>`, fallback `staff.upload.err.other`).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.exc import SQLAlchemyError

from handlers.flow import Ctx, Stale
from handlers.i18n import Catalog
from handlers.messages import Reply
from knowledge.errors import CivicError

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a dependency; a trimmed install still works
    class RedisError(Exception):  # type: ignore[no-redef]
        """Stand-in when the redis package is absent."""

log = logging.getLogger(__name__)

INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, RedisError, OSError, TimeoutError)

Kind = Literal["domain", "infrastructure", "internal"]


def classify(exc: BaseException) -> Kind:
    if isinstance(exc, CivicError):
        return "domain"
    if isinstance(exc, INFRASTRUCTURE_ERRORS):
        return "infrastructure"
    return "internal"


@dataclass(frozen=True)
class Area:
    """Where domain errors are shown: the catalog prefix of their texts, and the text for a code
    that has none there."""

    prefix: str
    fallback: str


DIALOG = Area("error", "error.generic_input")
UPLOAD = Area("staff.upload.err", "staff.upload.err.other")


class Refusal(CivicError):
    """A step refused the user's input with a text of its own: `key` is the catalog text, `code`
    goes to the audit log (e.g. an upload of the wrong type: `staff.upload.bad_type`)."""

    def __init__(self, key: str, code: str, **params: object) -> None:
        super().__init__(code)
        self.params = dict(params)
        self.key = key


@dataclass(frozen=True)
class Explained:
    """What a failure means to the user: the catalog key, its params, and whose failure it was."""

    key: str
    params: dict[str, object] = field(default_factory=dict)
    kind: Kind | Literal["stale"] = "domain"


def explain(exc: BaseException, catalog: Catalog, lang: str, area: Area = DIALOG,
            counts: Counter[str] | None = None) -> Explained:
    """The mapping (module docstring). Failures that are not the user's are logged and, with
    `counts`, counted as `<kind>_errors_total`."""
    if isinstance(exc, Stale):
        return Explained("common.stale_button", kind="stale")
    if isinstance(exc, Refusal):
        return Explained(exc.key, dict(exc.params))
    if isinstance(exc, CivicError):
        key = f"{area.prefix}.{exc.code}"
        if catalog.has(key, "en") or catalog.has(key, lang):
            return Explained(key, dict(exc.params))
        log.warning("no catalog text for error code %s", exc.code)
        return Explained(area.fallback, dict(exc.params))
    kind = classify(exc)
    if counts is not None:
        counts[f"{kind}_errors_total"] += 1
    if kind == "infrastructure":
        log.error("infrastructure error handling an update (%s)", type(exc).__name__, exc_info=exc)
        return Explained("sec.infrastructure_error", kind=kind)
    log.error("unexpected error handling an update (%s)", type(exc).__name__, exc_info=exc)
    return Explained("error.internal", kind=kind)


def error_text(catalog: Catalog, lang: str, exc: BaseException, area: Area = DIALOG,
               counts: Counter[str] | None = None, **extra: object) -> str:
    """The localized text for `exc`; `extra` params are added (the error's own win)."""
    found = explain(exc, catalog, lang, area, counts)
    return catalog.t(lang, found.key, **{**extra, **found.params})


def error_reply(ctx: Ctx, exc: BaseException, area: Area = DIALOG) -> Reply:
    """The reply to `exc` in the user's language (see `error_text`)."""
    return Reply(error_text(ctx.catalog, ctx.lang, exc, area))

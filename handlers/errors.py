"""Which failures are whose: domain errors (the user's input or the state of things) are
`knowledge.errors.CivicError` and nothing else; infrastructure errors are the database, Redis and
the operating system (network, files, time-outs); the rest are bugs ("internal").

Recognised by type only: an exception that merely carries `code` and `params` attributes (SQLAlchemy's
do: `code = "9h9h"`) is not a domain error.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.exc import SQLAlchemyError

from knowledge.errors import CivicError

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a dependency; a trimmed install still works
    class RedisError(Exception):  # type: ignore[no-redef]
        """Stand-in when the redis package is absent."""

INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, RedisError, OSError, TimeoutError)

Kind = Literal["domain", "infrastructure", "internal"]


def classify(exc: BaseException) -> Kind:
    if isinstance(exc, CivicError):
        return "domain"
    if isinstance(exc, INFRASTRUCTURE_ERRORS):
        return "infrastructure"
    return "internal"

"""Zalo OA OAuth tokens, persisted: the refresh token is single-use and rotates on every refresh.

Zalo answers a refresh with a NEW refresh token and invalidates the old one, so it must be saved
before anything else happens — in the shared database, so every replica (and the next start) uses
the current one. `rotate()` runs under a row lock (`SELECT ... FOR UPDATE` on PostgreSQL,
`BEGIN IMMEDIATE` on SQLite): when two replicas see the access token expire at once, the second
finds the token already rotated by the first and uses it instead of burning the refresh token.

The environment's ZALO_OA_ACCESS_TOKEN / ZALO_OA_REFRESH_TOKEN only seed an empty table; after
that the database wins (the environment's refresh token is stale after the first rotation).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from bot import redact
from knowledge.models import utcnow


class ZaloOAToken(SQLModel, table=True):
    __tablename__ = "zalo_oa_token"

    app_id: str = Field(primary_key=True, max_length=100)
    access_token: str
    refresh_token: str
    expires_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in_s: int | None = None


@dataclass(frozen=True)
class TokenStatus:
    access_token: str
    expires_at: datetime | None
    """When the access token dies (None: unknown, e.g. seeded from the environment)."""
    refreshed_at: datetime
    """The last successful refresh (or the seeding): refresh tokens die ~3 months after it."""


Refresher = Callable[[str], Tokens]
"""refresh_token → new Tokens (raises on failure; nothing is saved then)."""


def _masked(tokens: Tokens) -> Tokens:
    """Tokens rotate at run time: each one the bot uses is masked in every log record (bot/redact.py)."""
    redact.add_secret(tokens.access_token)
    redact.add_secret(tokens.refresh_token)
    return tokens


class MemoryTokenStore:
    def __init__(self, initial: Tokens) -> None:
        self._tokens = initial
        self._lock = threading.Lock()
        self._refreshed_at = utcnow()

    def load(self) -> Tokens:
        with self._lock:
            return _masked(self._tokens)

    def rotate(self, failed_access_token: str, refresher: Refresher) -> Tokens:
        with self._lock:
            if self._tokens.access_token != failed_access_token:
                return self._tokens
            self._tokens = refresher(self._tokens.refresh_token)
            self._refreshed_at = utcnow()
            return _masked(self._tokens)

    def status(self) -> TokenStatus:
        with self._lock:
            t = self._tokens
            expires = self._refreshed_at + timedelta(seconds=t.expires_in_s) if t.expires_in_s else None
            return TokenStatus(t.access_token, expires, self._refreshed_at)


class SqlTokenStore:
    def __init__(self, engine: Engine, app_id: str, initial: Tokens | None = None) -> None:
        self.engine = engine
        self.app_id = app_id
        if initial is not None:
            self._seed(initial)

    def _seed(self, initial: Tokens) -> None:
        try:
            with Session(self.engine) as s:
                if s.get(ZaloOAToken, self.app_id) is None:
                    s.add(ZaloOAToken(app_id=self.app_id, access_token=initial.access_token,
                                      refresh_token=initial.refresh_token))
                    s.commit()
        except IntegrityError:  # another replica seeded it at the same moment
            pass

    def load(self) -> Tokens:
        with Session(self.engine) as s:
            row = s.get(ZaloOAToken, self.app_id)
            if row is None:
                raise LookupError(f"no Zalo OA tokens stored for app {self.app_id}")
            return _masked(Tokens(row.access_token, row.refresh_token))

    def status(self) -> TokenStatus:
        with Session(self.engine) as s:
            row = s.get(ZaloOAToken, self.app_id)
            if row is None:
                raise LookupError(f"no Zalo OA tokens stored for app {self.app_id}")
            return TokenStatus(row.access_token, row.expires_at, row.updated_at)

    def rotate(self, failed_access_token: str, refresher: Refresher) -> Tokens:
        with Session(self.engine) as s:
            stmt = select(ZaloOAToken).where(col(ZaloOAToken.app_id) == self.app_id).with_for_update()
            row = s.exec(stmt).first()
            if row is None:
                raise LookupError(f"no Zalo OA tokens stored for app {self.app_id}")
            if row.access_token != failed_access_token:  # another replica already rotated
                return _masked(Tokens(row.access_token, row.refresh_token))
            fresh = refresher(row.refresh_token)
            row.access_token, row.refresh_token = fresh.access_token, fresh.refresh_token
            row.expires_at = utcnow() + timedelta(seconds=fresh.expires_in_s) if fresh.expires_in_s else None
            row.updated_at = utcnow()
            s.add(row)
            s.commit()
            return _masked(fresh)

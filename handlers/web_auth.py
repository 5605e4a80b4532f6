"""Sign-in to the staff web console without passwords: one-time links and sessions in SQL.

A staff member gets a link (`/web` in the chat, `civicbot staff web-link USER`) holding a random
token; opening it and confirming turns it into a session whose token lives only in the browser's
cookie. The database keeps SHA-256 hashes of both, so links and sessions work across replicas
(PostgreSQL) and a leaked database signs nobody in. A link is valid `LINK_TTL` and once (the
update that marks it used is conditional, so two replicas cannot both accept it). A session ends
after `idle` without a request, at `lifetime` after sign-in, at sign-out, or when the user's role
is removed (handlers/roles.py calls `revoke_in` in the same transaction).

Roles are not checked here: the console (bot/web/auth.py) asks the role store on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from handlers.web_models import WebLink, WebSession
from knowledge.models import utcnow

LINK_TTL = timedelta(minutes=10)
TOUCH_EVERY = timedelta(seconds=60)
"""`last_seen` is written at most this often per session (one read per page otherwise)."""
MAX_TOKEN = 200


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class LinkCheck:
    """What a link is: `ok` (with its owner), `used`, `expired` or `unknown`."""

    status: str
    channel: str = ""
    user_id: str = ""
    lang: str = "vi"


@dataclass(frozen=True)
class SignedIn:
    """A session just created from a link: the raw token goes into the cookie, nowhere else."""

    token: str
    session: WebSession


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=utcnow().tzinfo)


class WebAuthStore:
    def __init__(self, engine: Engine, *, idle: timedelta = timedelta(minutes=60),
                 lifetime: timedelta = timedelta(hours=12), clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.idle = idle
        self.lifetime = lifetime
        self.clock = clock

    # ---- links ---------------------------------------------------------------------------
    def issue_link(self, channel: str, user_id: str, lang: str = "vi") -> str:
        """A new one-time link token for (channel, user_id); the caller checked the role."""
        token, now = new_token(), self.clock()
        with Session(self.engine) as s:
            s.add(WebLink(token_hash=token_hash(token), channel=channel, user_id=str(user_id), lang=lang,
                          created_at=now, expires_at=now + LINK_TTL))
            s.commit()
        return token

    def check_link(self, token: str) -> LinkCheck:
        """Look at a link without using it (the page that asks to confirm the sign-in)."""
        if not token or len(token) > MAX_TOKEN:
            return LinkCheck("unknown")
        with Session(self.engine) as s:
            row = s.get(WebLink, token_hash(token))
        return self._status(row)

    def _status(self, row: WebLink | None) -> LinkCheck:
        if row is None:
            return LinkCheck("unknown")
        if row.used_at is not None:
            return LinkCheck("used", row.channel, row.user_id, row.lang)
        if _aware(row.expires_at) <= self.clock():
            return LinkCheck("expired", row.channel, row.user_id, row.lang)
        return LinkCheck("ok", row.channel, row.user_id, row.lang)

    def redeem(self, token: str) -> tuple[LinkCheck, SignedIn | None]:
        """Use the link once and open a session; (why not, None) for a used, expired or unknown link."""
        if not token or len(token) > MAX_TOKEN:
            return LinkCheck("unknown"), None
        digest, now = token_hash(token), self.clock()
        table = WebLink.__table__  # type: ignore[attr-defined]
        with Session(self.engine) as s:
            taken = s.execute(update(table).where(table.c.token_hash == digest)
                              .where(table.c.used_at.is_(None)).where(table.c.expires_at > now)
                              .values(used_at=now))
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                s.rollback()
                return self._status(s.get(WebLink, digest)), None
            link = s.get(WebLink, digest)
            assert link is not None
            raw = new_token()
            session = WebSession(token_hash=token_hash(raw), channel=link.channel, user_id=link.user_id,
                                 lang=link.lang, created_at=now, last_seen=now, expires_at=now + self.lifetime)
            s.add(session)
            s.commit()
            s.refresh(session)
            check = LinkCheck("ok", link.channel, link.user_id, link.lang)
        return check, SignedIn(raw, session)

    # ---- sessions ------------------------------------------------------------------------
    def session(self, token: str | None) -> WebSession | None:
        """The live session of a cookie token (activity noted), else None (and an expired one is deleted)."""
        if not token or len(token) > MAX_TOKEN:
            return None
        digest, now = token_hash(token), self.clock()
        with Session(self.engine) as s:
            row = s.get(WebSession, digest)
            if row is None:
                return None
            if _aware(row.expires_at) <= now or _aware(row.last_seen) + self.idle <= now:
                s.delete(row)
                s.commit()
                return None
            if now - _aware(row.last_seen) >= TOUCH_EVERY:
                row.last_seen = now
                s.add(row)
                s.commit()
                s.refresh(row)
            s.expunge(row)
        return row

    def set_lang(self, digest: str, lang: str) -> None:
        table = WebSession.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            conn.execute(update(table).where(table.c.token_hash == digest).values(lang=lang))

    def sign_out(self, digest: str) -> bool:
        with self.engine.begin() as conn:
            gone = conn.execute(delete(WebSession).where(col(WebSession.token_hash) == digest))
        return bool(gone.rowcount)

    def revoke_user(self, channel: str, user_id: str, session: Session | None = None) -> int:
        """End every session and unused link of a user (their role was removed); how many sessions."""
        if session is not None:
            return revoke_in(session, channel, user_id)
        with Session(self.engine) as s:
            count = revoke_in(s, channel, user_id)
            s.commit()
        return count

    def sessions_of(self, channel: str, user_id: str) -> list[WebSession]:
        with Session(self.engine) as s:
            return list(s.exec(select(WebSession).where(WebSession.channel == channel)
                               .where(WebSession.user_id == str(user_id))).all())

    def purge(self) -> int:
        """Delete used or expired links and dead sessions (the retention job may call it)."""
        now = self.clock()
        with self.engine.begin() as conn:
            links = conn.execute(delete(WebLink).where(
                (col(WebLink.expires_at) <= now) | col(WebLink.used_at).is_not(None)))
            sessions = conn.execute(delete(WebSession).where(
                (col(WebSession.expires_at) <= now) | (col(WebSession.last_seen) <= now - self.idle)))
        return int(links.rowcount or 0) + int(sessions.rowcount or 0)


def revoke_in(s: Session, channel: str, user_id: str) -> int:
    """Within the caller's transaction: delete the sessions and unused links of a user."""
    gone = s.execute(delete(WebSession).where(col(WebSession.channel) == channel)
                     .where(col(WebSession.user_id) == str(user_id)))
    s.execute(delete(WebLink).where(col(WebLink.channel) == channel).where(col(WebLink.user_id) == str(user_id))
              .where(col(WebLink.used_at).is_(None)))
    return int(gone.rowcount or 0)  # type: ignore[attr-defined]

"""Tables of the staff web console's sign-in (bot/web/): one-time links and sessions.

Only SHA-256 hashes of the tokens are stored: a copy of the database signs nobody in. Rows name
the staff member by channel and user id, like `staff_role` (roles are per channel).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from handlers.privacy import OperationalTable, register_operational_table
from knowledge.models import utcnow


class WebLink(SQLModel, table=True):
    """A one-time sign-in link (`/web`, `civicbot staff web-link`): valid until `expires_at`, once."""

    __tablename__ = "web_signin_link"

    token_hash: str = Field(primary_key=True, max_length=64)
    channel: str = Field(max_length=30, index=True)
    user_id: str = Field(max_length=100, index=True)
    lang: str = Field(default="vi", max_length=8)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class WebSession(SQLModel, table=True):
    """A signed-in browser: the cookie's token hash, the staff member, the page language, activity."""

    __tablename__ = "web_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    channel: str = Field(max_length=30, index=True)
    user_id: str = Field(max_length=100, index=True)
    lang: str = Field(default="vi", max_length=8)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    """The latest moment the session may live, whatever the activity (a working day)."""


# raw channel user ids: `civicbot privacy forget` deletes a person's links and sessions, the retention purge old rows
register_operational_table(OperationalTable("web_signin_link", chat_columns=("user_id",)))
register_operational_table(OperationalTable("web_session", chat_columns=("user_id",)))

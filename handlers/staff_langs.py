"""Staff members' /lang choices per chat: the store behind `Services.staff_langs`.

Which language staff messages use is decided by `handlers.staff_chat.staff_lang` (shared by every
flow that writes to staff); this module only keeps the choices.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from knowledge.models import utcnow


class StaffLangChoice(SQLModel, table=True):
    """A staff member's last /lang choice in one chat."""

    __tablename__ = "staff_lang_choice"
    __table_args__ = (UniqueConstraint("channel", "chat_id", "user_id", name="uq_staff_lang_choice"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=30)
    chat_id: str = Field(max_length=100)
    user_id: str = Field(max_length=100)
    lang: str = Field(max_length=8)
    updated_at: datetime = Field(default_factory=utcnow)


class StaffLangStore:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.clock = clock

    def remember(self, channel: str, chat_id: str, user_id: str, lang: str) -> None:
        with Session(self.engine) as s:
            row = s.exec(select(StaffLangChoice).where(
                StaffLangChoice.channel == channel, StaffLangChoice.chat_id == chat_id,
                StaffLangChoice.user_id == user_id)).first()
            row = row or StaffLangChoice(channel=channel, chat_id=chat_id, user_id=user_id, lang=lang)
            row.lang, row.updated_at = lang, self.clock()
            s.add(row)
            s.commit()

    def for_chat(self, channel: str, chat_id: str) -> str | None:
        """The most recent staff choice in this chat, if any."""
        with Session(self.engine) as s:
            row = s.exec(select(StaffLangChoice).where(
                StaffLangChoice.channel == channel, StaffLangChoice.chat_id == chat_id,
            ).order_by(col(StaffLangChoice.updated_at).desc(), col(StaffLangChoice.id).desc())).first()
        return row.lang if row else None

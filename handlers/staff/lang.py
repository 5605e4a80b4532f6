"""The language of messages to staff (new booking requests, cancellations, knowledge alerts).

Staff have their own language, independent of `CIVICBOT_DEFAULT_LANG` (which is for citizens):
1. the language a staff member last chose with /lang in the chat the message goes to (the staff
   group, or a staff member's private chat) — the most recent choice in that chat wins;
2. else the `STAFF_LANG` setting (settings key `staff_lang`);
3. else Russian, the language of the House of NGOs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from handlers.flow import Services
from handlers.messages import Target
from knowledge.models import utcnow

FALLBACK_STAFF_LANG = "ru"


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


def staff_lang(services: Services, target: Target | None = None) -> str:
    """The language to write to staff in (see the module docstring); `target` defaults to the staff chat."""
    target = target or services.staff_target
    store = services.staff_langs
    if store is not None and target is not None:
        chosen = store.for_chat(target.channel, target.chat_id)
        if chosen:
            return chosen
    return services.settings.get("staff_lang") or FALLBACK_STAFF_LANG

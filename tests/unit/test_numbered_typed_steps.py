"""Text-only channels number every answer, also in steps that take typed input (the booking start
times were shown as `[09:00]` and typing `1` failed); Back / Cancel stay words there, so that a
typed `1` at "how many people?" is an answer. On Telegram a typed digit in such a step stays text."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.channels.render import numbered
from handlers.dialog import Dialog
from handlers.flow import Ctx, Flow, Services
from handlers.i18n import Catalog
from handlers.messages import Choice, Incoming, Reply
from handlers.state import MemoryRateLimiter, MemoryStateStore

SLOTS = Reply("Время?", choices=[[Choice("09:00", "t:slot:0900"), Choice("09:30", "t:slot:0930")],
                                 [Choice("◀ Назад", "t:back"), Choice("✖ Отмена", "t:cancel")]], input="text")


def test_typed_steps_number_their_answers_and_keep_back_cancel_as_words() -> None:
    lines = numbered(SLOTS).splitlines()
    assert lines[2:] == ["1. 09:00", "2. 09:30", "[◀ Назад]  [✖ Отмена]"]
    people = Reply("Сколько человек?", choices=[[Choice("◀ Назад", "t:back")]], input="text")
    assert numbered(people).splitlines()[2:] == ["[◀ Назад]"]


class TimeFlow(Flow):
    name = "t"
    commands = ("t",)

    def on_command(self, ctx: Ctx, command: str, args: str) -> list[Reply]:
        ctx.enter(self.name)
        return [SLOTS]

    def on_callback(self, ctx: Ctx, data: str) -> list[Reply]:
        return [Reply(f"picked {data}")]

    def on_text(self, ctx: Ctx, text: str) -> list[Reply]:
        return [Reply(f"typed {text}"), SLOTS]


def test_a_digit_picks_a_numbered_answer_only_where_answers_are_numbered() -> None:
    dialog = Dialog(Catalog.load(), Services(), [TimeFlow()], MemoryStateStore(), limiter=MemoryRateLimiter(1000),
                    clock=lambda: datetime(2026, 12, 1, tzinfo=UTC))
    for channel, expected in (("console", "picked t:slot:0900"), ("zalo_bot", "picked t:slot:0900"),
                              ("telegram", "typed 1")):
        dialog.handle(Incoming(channel, "c", "u", text="/t", language_code="ru"))
        assert dialog.handle(Incoming(channel, "c", "u", text="1", language_code="ru"))[0].text == expected
    dialog.handle(Incoming("console", "c", "u", text="/t", language_code="ru"))
    assert dialog.handle(Incoming("console", "c", "u", text="3", language_code="ru"))[0].text == "typed 3"

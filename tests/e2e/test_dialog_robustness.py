"""No input a user can send crashes the dialog: a seeded random walk over every flow of the real
composition (SQLite, sample knowledge base, hash embedder, rooms, rules), pressing the buttons the
bot offers, stale and forged buttons, free text, numbers, commands and media, in vi and ru, as a
user, a staff member and an admin. Every update must get readable replies and none an apology for
an internal error."""

from __future__ import annotations

import random

import pytest

from bot.app import App
from bot.settings import Settings
from handlers.messages import Attachment, Incoming
from handlers.roles import UserRef

TEXTS = [
    "ho ngheo duoc ho tro gi", "кто может получить АСП", "4", "0", "-3", "1,5 triệu", "35 тыс", "abc",
    "25.12", "ngày mai", "завтра", "10:00", "2", "quay lại", "hủy", "назад", "отмена", "", "   ",
    "x" * 5000, "<b>html</b> & 'quotes'", "😀", "+77011234567", "NGO A", "/start", "/lang", "/help",
    "/menu", "/cancel", "/book", "/mybookings", "/pending", "/check", "/eligibility", "/docs", "/stats",
    "/unanswered", "/staff list", "/staff add 1", "/remove nope", "/doc nope", "/reindex", "/nonsense",
]
FORGED = ["bk:room:999", "bk:day:1999-01-01", "elig:x", "ask:fb:up:999999", "ask:more:1", "staff:n:1",
          "lang:xx", "menu:nope", "zz:1", ":", "bk:ap:1", "bk:rj:1", "staff:docs:9", "elig:back"]
KINDS = ["sticker", "photo", "voice", "video", "location", "contact", "other"]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> App:
    from bookings.sample import load_rooms
    from bot.cli_kb import sample_paths

    tmp = tmp_path_factory.mktemp("robust")
    app = App(Settings(data_dir=tmp, embedder="hash", staff_chat_id="-100", admin_ids="900",
                       rate_limit_per_minute=100_000, redis_url=None, database_url=None))
    app.kb.add_paths(sample_paths())
    load_rooms(app.bookings)
    app.roles.add(UserRef("telegram", "800"), "staff")
    return app


@pytest.mark.parametrize("user", ["1", "800", "900"])
def test_random_walk_never_crashes(app: App, user: str) -> None:
    rng = random.Random(int(user))
    dialog = app.dialog
    offered: list[str] = []
    internal = {dialog.catalog.t(lang, "error.internal") for lang in ("vi", "ru", "en")}
    for step in range(250):
        roll = rng.random()
        if offered and roll < 0.45:
            msg = Incoming("telegram", user, user, kind="callback", callback=rng.choice(offered))
        elif roll < 0.55:
            msg = Incoming("telegram", user, user, kind="callback", callback=rng.choice(FORGED))
        elif roll < 0.62:
            msg = Incoming("telegram", user, user, kind=rng.choice(KINDS))  # type: ignore[arg-type]
        elif roll < 0.65:
            msg = Incoming("telegram", user, user, kind="document",
                           attachment=Attachment("f1", "x.exe", "application/octet-stream", 10))
        else:
            text = rng.choice(TEXTS)
            msg = Incoming("telegram", user, user, kind="command" if text.startswith("/") else "text", text=text,
                           language_code=rng.choice(["vi", "ru", None]))
        replies = dialog.handle(msg)
        for reply in replies:
            assert reply.text.strip(), (step, msg)
            assert reply.text not in internal, (step, msg)
        own = [c.data for r in replies if r.target is None for c in r.all_choices() if not c.url]
        if own:
            offered = own

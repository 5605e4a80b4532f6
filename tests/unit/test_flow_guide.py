"""docs/WRITING_A_FLOW.md is true: its example flow and catalog, as written there, plug into a real
Dialog through the flow contract only — alone (menu button, command, buttons, typed steps, back and
cancel words, a domain error, a note to the staff chat, an old button) and beside the default flows
(the menu, /help, a second registration refused)."""

from __future__ import annotations

import re
import types
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from handlers.dialog import Dialog
from handlers.flow import Flow, Services
from handlers.flows import default_flows
from handlers.i18n import Catalog
from handlers.messages import Incoming, Reply, Target
from handlers.registry import DuplicateRegistration
from handlers.state import MemoryRateLimiter, MemoryStateStore

DOC = Path(__file__).resolve().parents[2] / "docs" / "WRITING_A_FLOW.md"
STAFF = Target("telegram", "-100")


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        out.update(_flatten(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value})
    return out


def example() -> tuple[type[Flow], dict[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    code = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "class RatingFlow" in b)
    module = types.ModuleType("rating_example")
    exec(compile(code, str(DOC), "exec"), module.__dict__)
    texts = _flatten(yaml.safe_load(next(b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "rate:" in b)))
    return module.RatingFlow, texts


def make_dialog(*extra: Flow, beside_defaults: bool = True) -> tuple[Dialog, dict[str, str]]:
    """A dialog with the guide's flow, after the default flows (or alone), then `extra`."""
    rating, texts = example()
    catalog = Catalog.load()
    for lang in catalog.messages:
        catalog.messages[lang].update(texts)
    flows = [*(default_flows() if beside_defaults else []), rating(), *extra]
    dialog = Dialog(catalog, Services(staff_target=STAFF), flows, MemoryStateStore(),
                    limiter=MemoryRateLimiter(1000), clock=lambda: datetime(2026, 3, 2, 9, tzinfo=UTC))
    return dialog, texts


def say(dialog: Dialog, text: str = "", callback: str | None = None, channel: str = "telegram") -> list[Reply]:
    kind = "callback" if callback else "text"
    return dialog.handle(Incoming(channel, "7", "7", kind=kind, text=text or None, callback=callback,
                                  language_code="ru"))


def datas(reply: Reply) -> list[str]:
    return [c.data for c in reply.all_choices()]


# ---- the guide's flow alone ------------------------------------------------------------------
def test_the_guides_flow_runs_in_the_dialog_from_the_menu_to_the_staff_note() -> None:
    dialog, t = make_dialog(beside_defaults=False)
    menu = say(dialog, "/menu")[-1]
    assert "menu:rate" in datas(menu) and t["rate.menu"] in [c.label for c in menu.all_choices()]
    ask = say(dialog, callback="menu:rate")[0]
    assert ask.text == t["rate.ask_score"] and datas(ask)[:5] == [f"rate:score:{n}" for n in range(1, 6)]
    comment = say(dialog, callback="rate:score:4")[0]
    assert comment.text == t["rate.ask_comment"] and comment.input == "text"
    assert say(dialog, callback="rate:score:5")[0].text != t["rate.ask_comment"]  # pressed twice: stale
    assert [r.text for r in say(dialog, "12345")] == [t["error.rate.comment_words"]]  # still at the comment
    thanks, note = say(dialog, "Очень удобный зал")
    assert thanks.text == t["rate.thanks"].format(score=4) and thanks.target is None
    assert note.target == STAFF and note.text == t["rate.staff_note"].format(score=4, comment="Очень удобный зал")
    assert say(dialog, callback="rate:score:3")[0].text == dialog.catalog.t("ru", "common.stale_button")


def test_the_guides_flow_by_command_with_back_and_cancel_words_on_a_numbered_channel() -> None:
    dialog, t = make_dialog(beside_defaults=False)
    assert say(dialog, "/rate", channel="console")[0].text == t["rate.ask_score"]
    assert say(dialog, "2", channel="console")[0].text == t["rate.ask_comment"]  # the second button, typed
    assert say(dialog, "назад", channel="console")[0].text == t["rate.ask_score"]  # back to the score
    cancelled = say(dialog, "отмена", channel="console")
    assert cancelled[0].text == dialog.catalog.t("ru", "common.cancelled") and "menu:rate" in datas(cancelled[-1])


# ---- beside the default flows ----------------------------------------------------------------
def test_the_guide_s_flow_runs_beside_the_default_flows() -> None:
    dialog, t = make_dialog()
    menu = say(dialog, "/menu")[-1]
    assert datas(menu) == ["menu:rate", "ask:contact", "menu:help", "menu:lang"]
    assert t["rate.help"] in say(dialog, "/help")[0].text
    assert say(dialog, callback="menu:rate")[0].text == t["rate.ask_score"]
    assert say(dialog, callback="rate:score:4")[0].input == "text"
    assert [r.text for r in say(dialog, "12345")] == [t["error.rate.comment_words"]]
    assert say(dialog, "назад")[0].text == t["rate.ask_score"]
    say(dialog, callback="rate:score:5")
    thanks, note = say(dialog, "Очень удобный зал")
    assert thanks.text == t["rate.thanks"].format(score=5)
    assert note.target == STAFF and "Очень удобный зал" in note.text


def test_the_guide_s_flow_registered_twice_stops_the_start() -> None:
    rating, _ = example()
    with pytest.raises(DuplicateRegistration, match="'rate'"):
        make_dialog(rating())

"""Issue 12, "The dialog and the CLI": the terminal chat's language, dirty input, long messages."""

from __future__ import annotations

import io
import time
from pathlib import Path

from handlers.i18n import Catalog
from tests.e2e.test_eligibility_chat import Chat
from tests.e2e.test_personas import make_app, terminal, turns

CATALOG = Catalog.load()


def test_explicit_lang_wins_over_an_earlier_choice(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    first = turns(terminal(app, ["/lang", "2"]))
    assert CATALOG.t("ru", "common.lang_set") in first[2]  # Русский stored for the terminal user
    again = turns(terminal(app, []))
    assert CATALOG.t("ru", "common.greeting") in again[0]  # no --lang: the stored choice
    forced = turns(terminal(app, ["/help"], lang="vi"))
    assert CATALOG.t("vi", "common.greeting") in forced[0]  # `civicbot chat --lang vi` wins
    assert CATALOG.t("vi", "common.help") in forced[1]


def test_a_message_in_a_clear_language_wins_over_the_stored_one(tmp_path: Path) -> None:
    chat = Chat(tmp_path, lang="vi")
    chat(cb="lang:ru")
    out = chat("Tôi muốn hỏi về hộ nghèo")
    assert out[-1].text == CATALOG.t("vi", "menu.title")
    out = chat("Хочу спросить про субсидии на жильё")
    assert out[-1].text == CATALOG.t("ru", "menu.title")
    out = chat("ok")  # too short to tell: the last language stays (small talk answers it)
    assert out[-1].text == CATALOG.t("ru", "smalltalk.ok")


def test_invalid_utf8_and_a_paste_cut_at_4_kb_are_cleaned(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    cut = ("д" * 2047).encode() + b"\xd0"  # 4,095 bytes: the paste ends inside a character
    raw = b"/lang\n\xff\xfe2\n" + cut + b"\n/help\n/quit\n"
    stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="surrogateescape")
    out = turns(terminal(app, [], stdin=stdin))
    assert CATALOG.t("ru", "common.lang_set") in out[2]  # "\xff\xfe2" is read as "2"
    assert "Traceback" not in "".join(out) and "\ufffd" not in "".join(out)
    assert CATALOG.t("ru", "common.help") in out[4]  # the chat went on after the cut paste
    text_stream = io.StringIO("/lang\n2\udcff\n/quit\n")  # a text stream that kept a bad byte
    out = turns(terminal(app, [], stdin=text_stream))
    assert CATALOG.t("ru", "common.lang_set") in out[2]


def test_an_overlong_message_gets_a_polite_answer_fast(tmp_path: Path) -> None:
    chat = Chat(tmp_path, lang="vi")
    chat("/check vn-poverty")
    started = time.perf_counter()
    out = chat("hộ nghèo " * 2500)
    assert time.perf_counter() - started < 1.0
    assert [r.text for r in out] == [CATALOG.t("vi", "input.too_long", n=22500, max=1000)]
    out = chat(cb="elig:a:area:rural")  # the flow is where it was
    assert "Câu 2/15" in out[-1].text
    assert "Câu 3/15" in chat("4")[-1].text  # a normal answer still works

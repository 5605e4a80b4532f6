"""`civicbot run` serves at once from the saved index after a crash left the corpus ahead of it:
building the dialog does not re-embed, and no user search does; the background refresh catches up."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App
from bot.runner import make_durable
from bot.settings import load_settings

FIRST = "Hộ nghèo được Nhà nước đóng 100% bảo hiểm y tế theo Nghị định 75/2023."
SECOND = "Mỗi hộ nghèo được hỗ trợ tiền điện 46.000 đồng mỗi tháng, chi trả theo quý."


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("DATABASE_URL", "REDIS_URL", "TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN"):
        monkeypatch.delenv(key, raising=False)


def test_start_serves_the_saved_index_and_refreshes_in_the_background(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data", embedder="hash")
    before = App(settings)
    before.kb.add_text(FIRST, doc_id="bhyt", source="a.txt")
    before.search.refresh()  # the saved index: corpus version 1
    saved = before.search.corpus_version
    before.kb.add_text(SECOND, doc_id="tien-dien", source="b.txt")  # committed, then the process died

    app = App(settings)
    app.dialog  # noqa: B018 - built as `civicbot run` builds it
    make_durable(app, [])
    assert app.search.corpus_version == saved  # started without re-embedding the corpus
    app.search.search("tiền điện hộ nghèo")
    assert app.search.corpus_version == saved  # a user's search does not embed either
    assert app.search.refresh()  # the background refresh (corpus watcher) catches up
    assert any(h.doc_id == "tien-dien" for h in app.search.search("tiền điện hộ nghèo"))

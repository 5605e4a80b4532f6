"""What the console's knowledge-base pages show, from the real knowledge base and answerer: the
document list and chunks, and "what would the bot answer?" equal to `civicbot ask --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.web.kb_actions import upload
from bot.web.kb_data import ask_preview, document, documents
from bot.web.staff_ctx import StaffActions
from handlers.i18n import Catalog
from knowledge.types import DocMeta
from tests.unit.web_kb_support import NOTICE, QUESTION, STAFF_ACTOR, make_app


@pytest.fixture()
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, monkeypatch)
    meta = DocMeta(title="Chuẩn nghèo Pavlodar", lang="vi", region="pavlodar", program="kz-asp", doc_id="kz-line")
    app.kb.add_text("Chuẩn nghèo ở Pavlodar năm 2026 là 35.596 tenge mỗi người mỗi tháng.\n\nNguồn: akimat.", meta)
    upload(StaffActions(app, None, Catalog.load()), STAFF_ACTOR, "vi", "tien-dien.md", "text/markdown",
           NOTICE.encode())
    return app


def test_documents_carry_language_region_program_version_and_chunks(app) -> None:  # type: ignore[no-untyped-def]
    rows = documents(app.kb, "Asia/Ho_Chi_Minh")
    assert [r.doc_id for r in rows] == ["tien-dien", "kz-line"]  # newest first
    line = rows[1]
    assert (line.lang, line.region, line.program, line.version, line.kind) == (
        "vi", "pavlodar", "kz-asp", 1, "document")
    assert line.chunks == len(app.kb.chunks("kz-line")) > 0
    assert len(line.added) == 16 and rows[0].added_by == f"web:{STAFF_ACTOR}"


def test_a_document_shows_its_chunks_and_history(app) -> None:  # type: ignore[no-untyped-def]
    page = document(app.kb, "tien-dien", "Asia/Ho_Chi_Minh")
    assert page is not None and [c.text for c in page.chunks] == [c.text for c in app.kb.chunks("tien-dien")]
    assert "46.000 đồng" in " ".join(c.text for c in page.chunks)
    assert [h.status for h in page.history] == ["active"]
    app.kb.remove("tien-dien")
    gone = document(app.kb, "tien-dien", "Asia/Ho_Chi_Minh")
    assert gone is not None and gone.doc.status == "removed" and gone.chunks == []
    assert document(app.kb, "no-such-doc", "Asia/Ho_Chi_Minh") is None


def cli_ask(app, question: str, *args: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    result = CliRunner().invoke(cli, ["--data-dir", str(app.settings.data_dir), "ask", question, "--json", *args],
                                env={"CIVICBOT_EMBEDDER": "hash"})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_the_preview_is_civicbot_ask_json_and_the_users_reply(app) -> None:  # type: ignore[no-untyped-def]
    catalog = Catalog.load()
    preview = ask_preview(app, catalog, QUESTION, "vi", None, handoff=True)
    assert preview.outcome == "answered" and "46.000" in preview.reply
    assert [c.doc_id for c in preview.citations] == ["tien-dien"]
    assert preview.reply.endswith(f"{catalog.t('vi', 'ask.sources')}\n• {preview.citations[0].title}")
    assert preview.data == cli_ask(app, QUESTION, "--lang", "vi")


def test_an_unsure_preview_shows_the_closest_sources_and_abstains_like_the_cli(app) -> None:  # type: ignore[no-untyped-def]
    catalog = Catalog.load()
    question = "Как оформить пенсию по инвалидности в Астане?"
    preview = ask_preview(app, catalog, question, "ru", "KZ", handoff=False)
    assert preview.abstained and preview.outcome == "abstained" and preview.citations == []
    assert preview.data == cli_ask(app, question, "--lang", "ru", "--country", "KZ")
    assert preview.reply.startswith(catalog.t("ru", "ask.not_sure"))
    assert catalog.t("ru", "ask.offer_handoff") not in preview.reply  # no staff chat to hand over to
    assert [c.doc_id for c in preview.closest] == [c["doc_id"] for c in preview.data["closest"]] != []

"""Telegram end to end with the real composition: App (SQLite), the sample knowledge base, hybrid
search with the HashEmbedder and the real Answerer, through real aiogram and the fake Bot API."""

from __future__ import annotations

from pathlib import Path

from bot.app import App
from bot.settings import Settings
from handlers.i18n import Catalog
from tests.e2e.telegram_kit import STAFF_CHAT, running
from tests.fakes.bot_api import FakeBotAPI


def sample_app(tmp_path: Path) -> App:
    from bot.cli_kb import sample_paths

    app = App(Settings(data_dir=tmp_path, embedder="hash", staff_chat_id=str(STAFF_CHAT), default_lang="vi",
                       rate_limit_per_minute=1000, redis_url=None, database_url=None))
    app.kb.add_paths(sample_paths())
    return app


async def test_real_engine_answers_with_source_and_abstains_off_topic(tmp_path: Path) -> None:
    app = sample_app(tmp_path)
    catalog = Catalog.load()
    async with FakeBotAPI() as api, running(api, app.dialog):
        api.send_text(1, "Hộ nghèo có được Nhà nước đóng bảo hiểm y tế không?")
        answer = (await api.wait_sent(1, timeout=20))[0]
        api.send_text(2, "thoi tiet ha noi ngay mai the nao")
        unsure = (await api.wait_sent(2, timeout=20))[0]
    assert "bảo hiểm y tế" in answer.text.lower() and catalog.t("vi", "ask.sources") in answer.text
    assert "Bảo hiểm y tế cho hộ nghèo" in answer.text  # the cited document's title
    assert any(b["text"] == "👍" for b in answer.buttons())
    assert catalog.t("vi", "ask.not_sure") in unsure.text
    assert any(b.get("callback_data", "").startswith("ask:fwd:") for b in unsure.buttons())


async def test_staff_document_upload_downloads_through_the_bot_api(tmp_path: Path) -> None:
    notice = ("Hỗ trợ tiền điện cho hộ nghèo năm 2026\n\nMỗi hộ nghèo được hỗ trợ tiền điện 46.000 đồng mỗi "
              "tháng. Khoản hỗ trợ được chi trả theo quý tại Ủy ban nhân dân xã.\n").encode()
    app = App(Settings(data_dir=tmp_path, embedder="hash", staff_chat_id=str(STAFF_CHAT), admin_ids="900",
                        rate_limit_per_minute=1000, redis_url=None, database_url=None))
    async with FakeBotAPI() as api, running(api, app.dialog):
        file_id = api.add_file(notice, "documents/file_7.txt")
        doc = {"file_id": file_id, "file_unique_id": "u7", "file_name": "tien-dien.txt",
               "mime_type": "text/plain", "file_size": len(notice)}
        api.send_content(900, {"document": doc, "caption": "region=Hà Giang"})
        done = (await api.wait_sent(900, timeout=20))[0]
        api.send_text(3, "Mỗi hộ nghèo được hỗ trợ tiền điện bao nhiêu đồng mỗi tháng?")
        answer = (await api.wait_sent(3, timeout=20))[0]
    assert [c.params["path"] for c in api.calls_of("downloadFile")] == ["documents/file_7.txt"]
    assert "Hỗ trợ tiền điện cho hộ nghèo năm 2026" in done.text
    assert "46.000 đồng" in answer.text

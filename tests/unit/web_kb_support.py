"""The real app for the console's knowledge-base tests: SQLite in a temporary data dir, the hash
embedder, the real knowledge base, search, answerer, staff service and outbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App
from bot.settings import Settings

STAFF_ACTOR = "telegram:901"
STAFF_CHAT = "-100"
NOTICE = ("Hỗ trợ tiền điện cho hộ nghèo năm 2026\n\n"
          "Theo thông báo của Sở Lao động, mỗi hộ nghèo được hỗ trợ tiền điện 46.000 đồng mỗi tháng.\n")
QUESTION = "hộ nghèo được hỗ trợ tiền điện bao nhiêu mỗi tháng?"
ENV = ("ADMIN_IDS", "STAFF_CHAT_ID", "TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "LLM_BASE_URL", "LLM_MODEL",
       "ANSWER_THRESHOLD", "DATABASE_URL", "REDIS_URL", "CIVICBOT_DATA_DIR")


def make_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **settings: object) -> App:
    for key in ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    values: dict[str, object] = {"data_dir": tmp_path / "var", "embedder": "hash",
                                 "staff_chat_id": f"telegram:{STAFF_CHAT}", "admin_ids": "telegram:900"}
    values.update(settings)
    return App(Settings(**values))  # type: ignore[arg-type]

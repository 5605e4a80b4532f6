"""The console-kb pages over real HTTP (`civicbot web`'s app on a free port, SQLite, hash embedder):
documents with any id, the answer preview, removal only when confirmed, uploads (several files,
JSON for the progress script, size limit, only the uploader follows one), refusals of bad input."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest

from bot.app import App
from bot.http import start
from bot.web.app import standalone
from handlers.roles import UserRef
from handlers.web.auth import WebAuthStore
from knowledge.types import DocMeta
from tests.unit.web_kb_support import NOTICE, make_app

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
ODD_ID = "quyết định/số 1 (2026)"


@pytest.fixture()
async def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[App, str]]:
    app = make_app(tmp_path, monkeypatch, max_upload_mb=1, admin_ids="telegram:1")
    app.roles.add(UserRef("telegram", "2"), "staff")
    app.kb.add_text("Quyết định số 1 năm 2026 về hỗ trợ hộ nghèo.\n\nMỗi hộ nghèo được hỗ trợ 500.000 đồng.",
                    DocMeta(title="Quyết định số 1", lang="vi", doc_id=ODD_ID))
    runner = await start(standalone(app), "127.0.0.1", 0)
    try:
        yield app, f"http://127.0.0.1:{runner.addresses[0][1]}/staff"
    finally:
        await runner.cleanup()


async def signed_in(app: App, base: str, user: str = "telegram:1") -> tuple[aiohttp.ClientSession, str]:
    channel, user_id = user.split(":")
    token = WebAuthStore(app.engine).issue_link(channel, user_id, "en")
    http = aiohttp.ClientSession()
    async with http.post(f"{base}/signin/{token}", allow_redirects=False) as resp:
        assert resp.status == 303
        http.cookie_jar.update_cookies({"civicbot_staff": resp.cookies["civicbot_staff"].value})
    async with http.get(f"{base}/kb?lang=en") as resp:
        found = CSRF.search(await resp.text())
    assert found is not None
    return http, found.group(1)


async def test_documents_preview_and_confirmed_removal(served: tuple[App, str]) -> None:
    app, base = served
    http, csrf = await signed_in(app, base)
    async with http:
        async with http.get(f"{base}/kb") as resp:
            page = await resp.text()
        assert resp.status == 200 and f"/staff/kb/doc/{quote(ODD_ID, safe='/')}" in page
        async with http.get(f"{base}/kb/doc/{quote(ODD_ID, safe='/')}") as resp:
            assert resp.status == 200 and "500.000 đồng" in await resp.text()
        async with http.get(f"{base}/kb/doc/no-such-doc") as resp:
            assert resp.status == 404
        async with http.get(f"{base}/kb/ask") as resp:
            assert resp.status == 200 and "data-outcome" not in await resp.text()
        question = "Mỗi hộ nghèo được hỗ trợ bao nhiêu theo quyết định số 1?"
        async with http.get(f"{base}/kb/ask", params={"q": question}) as resp:
            assert resp.status == 200 and 'data-outcome="answered"' in await resp.text()
        async with http.get(f"{base}/kb/ask", params={"q": "x", "lang": "de"}) as resp:
            assert resp.status == 400
        async with http.get(f"{base}/kb/remove/{quote(ODD_ID, safe='/')}") as resp:
            assert resp.status == 200 and 'name="confirm" value="yes"' in await resp.text()
        async with http.post(f"{base}/kb/remove", data={"id": ODD_ID, "csrf_token": csrf}) as resp:
            assert resp.status == 400  # not through the confirmation page: nothing removed
        assert app.kb.get(ODD_ID) is not None
        async with http.post(f"{base}/kb/remove", data={"id": ODD_ID, "confirm": "yes", "csrf_token": csrf}) as resp:
            assert resp.status == 200 and "Removed «Quyết định số 1»" in await resp.text()
        assert app.kb.get(ODD_ID) is None


async def test_uploads_several_files_limits_and_owner(served: tuple[App, str]) -> None:
    app, base = served
    http, csrf = await signed_in(app, base)
    async with http:
        form = aiohttp.FormData()
        form.add_field("files", NOTICE.encode(), filename="tien-dien.md", content_type="text/markdown")
        form.add_field("files", b"x" * (1024 * 1024 + 5), filename="big.txt", content_type="text/plain")
        form.add_field("region", "Lạng Sơn; program=evil")
        async with http.post(f"{base}/kb/upload?csrf_token={csrf}", data=form,
                             headers={"Accept": "application/json"}) as resp:
            assert resp.status == 200
            uploads = (await resp.json())["uploads"]
        assert [u["file"] for u in uploads] == ["tien-dien.md", "big.txt"]
        assert all(u["finished"] and u["state"] == "done" for u in uploads)  # `civicbot web`: inline
        assert uploads[0]["messages"][0].startswith("✅ Added") and "too large" in uploads[1]["messages"][0]
        doc = next(d for d in app.kb.list_documents() if d.source == "web:tien-dien.md")
        assert doc.region == "Lạng Sơn program evil" and doc.program is None  # the caption cannot be forged
        async with http.get(uploads[0]["status_url"].replace("/staff", base, 1),
                            headers={"Accept": "application/json"}) as resp:
            assert resp.status == 200 and (await resp.json())["messages"] == uploads[0]["messages"]
        no_file = aiohttp.FormData({"region": "x"}, default_to_multipart=True)
        async with http.post(f"{base}/kb/upload?csrf_token={csrf}", data=no_file,
                             headers={"Accept": "application/json"}) as resp:
            assert resp.status == 400 and "Choose at least one file" in (await resp.json())["error"]
        async with http.post(f"{base}/kb/upload", data=b"{}", headers={"X-CSRF-Token": csrf,
                                                                       "Content-Type": "application/json"}) as resp:
            assert resp.status == 400
    other, _ = await signed_in(app, base, "telegram:2")
    async with other, other.get(uploads[0]["status_url"].replace("/staff", base, 1)) as resp:
        assert resp.status == 404  # another staff member does not follow my uploads


async def test_bad_input_on_the_other_pages(served: tuple[App, str]) -> None:
    app, base = served
    http, csrf = await signed_in(app, base, "telegram:2")
    async with http:
        for path in ("/unanswered", "/numbers", "/numbers?days=90", "/rules"):
            async with http.get(base + path) as resp:
                assert resp.status == 200, path
        async with http.get(f"{base}/numbers?days=abc") as resp:
            assert resp.status == 400
        async with http.post(f"{base}/unanswered/answer", data={"group": "G1x", "answer": "a", "csrf_token": csrf}) \
                as resp:
            assert resp.status == 400
        async with http.post(f"{base}/unanswered/dismiss", data={"group": "77", "csrf_token": csrf}) as resp:
            assert resp.status == 404
        async with http.post(f"{base}/rules/poverty-line", data={
                "region": "pavlodar", "quarter": "2027Q1", "value": "38k", "csrf_token": csrf}) as resp:
            assert resp.status == 400 and "«38k» is not a valid poverty line" in await resp.text()

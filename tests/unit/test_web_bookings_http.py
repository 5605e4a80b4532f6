"""The console's booking pages over real HTTP (aiohttp client → `civicbot web`'s app on a free port,
SQLite, sample rooms): every page answers in vi, ru and en with one <h1>, a label for every field
and no missing catalog text; forms need the session's CSRF token and change nothing without it;
bad form input gets a clear 400 page and changes nothing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

import bot.web.app as console_app
from bookings.sample import load_rooms
from bookings.service import Requester
from bot.app import App
from bot.http import start
from bot.settings import Settings
from bot.web.pages import bookings_data
from handlers.web.auth import WebAuthStore

ADMIN = "telegram:1"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
FIELDS = re.compile(r"<(?:input|select|textarea)\b(?![^>]*type=\"(?:hidden|submit)\")[^>]*>")


@pytest.fixture()
async def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[App, str]]:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    app = App(Settings(data_dir=tmp_path, embedder="hash", admin_ids=ADMIN, house_timezone="Asia/Almaty"))
    load_rooms(app.bookings)
    runner = await start(console_app.standalone(app), "127.0.0.1", 0)
    try:
        yield app, f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def _sign_in(http: aiohttp.ClientSession, app: App, base: str) -> str:
    token = WebAuthStore(app.engine).issue_link("telegram", "1", "en")
    async with http.post(f"{base}/staff/signin/{token}", allow_redirects=False) as resp:
        assert resp.status == 303
    async with http.get(f"{base}/staff/bookings") as resp:
        found = CSRF.search(await resp.text())
    assert found is not None
    return found.group(1)


def _ahead(weeks: int, weekday: int) -> date:
    today = datetime.now().date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks, days=weekday)


def _book(app: App, day: date, start: str = "10:00", end: str = "11:00", chat: str = "77") -> int:
    made = app.bookings.request(room="meeting-room", start=f"{day}T{start}", end=f"{day}T{end}", org="Org",
                                contact="Dana", phone="+7 701 000 11 22", attendees=4, purpose="Meeting",
                                requester=Requester("telegram", chat, chat, "ru"))
    return int(made[0].id)


def _outbox(app: App) -> int:
    return int(app.outbox.counts().get("pending", 0))


async def test_every_booking_page_in_every_language(served: tuple[App, str]) -> None:
    app, base = served
    day = _ahead(2, 1)
    booking = _book(app, day)
    app.bookings.close_day("coworking", day, "Holiday")
    pages = ["/bookings", f"/bookings?room=2&week={day}", "/bookings/day", f"/bookings/day?day={day}",
             "/bookings/queue", f"/bookings/{booking}", "/bookings/closures",
             f"/bookings/closures?room=3&day={day}&reason=x", "/bookings/export"]
    checked = 0
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await _sign_in(http, app, base)
        for lang in ("vi", "ru", "en"):
            for path in pages:
                sep = "&" if "?" in path else "?"
                async with http.get(f"{base}/staff{path}{sep}lang={lang}") as resp:
                    html = await resp.text()
                    assert resp.status == 200, (path, lang, html[-500:])
                assert f'<html lang="{lang}">' in html
                assert html.count("<h1") == 1, (path, lang)
                assert "web_bookings." not in html and "booking.status_" not in html, (path, lang)  # no raw key
                for field in FIELDS.findall(html):
                    found = re.search(r'id="([^"]+)"', field)
                    assert found is not None and f'for="{found.group(1)}"' in html, (path, lang, field)
                    checked += 1
    assert checked >= 3 * 10  # room, week, day (x2), reject reason, closure form (3), check reason, export (2)


async def test_forms_need_the_csrf_token(served: tuple[App, str]) -> None:
    app, base = served
    booking = _book(app, _ahead(2, 2))
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(f"{base}/staff/bookings/{booking}/approve", allow_redirects=False) as resp:
            assert resp.status == 401  # not signed in
        csrf = await _sign_in(http, app, base)
        for path, data in ((f"/bookings/{booking}/approve", {}), (f"/bookings/{booking}/reject", {"reason": "x"}),
                           ("/bookings/closures", {"room": "3", "day": str(_ahead(2, 2))})):
            async with http.post(f"{base}/staff{path}", data=data, allow_redirects=False) as resp:
                assert resp.status == 403 and 'data-reason="web.refused.csrf"' in await resp.text()
        assert app.bookings.get(booking).status == "pending" and _outbox(app) == 0
        assert app.bookings.closures(3, _ahead(2, 2), _ahead(2, 2)) == {}
        async with http.post(f"{base}/staff/bookings/{booking}/approve", data={"csrf_token": csrf, "back": "queue"},
                             allow_redirects=False) as resp:
            assert resp.status == 303
            assert resp.headers["Location"] == f"/staff/bookings/queue?done=approved&id={booking}&n=1"
    assert app.bookings.get(booking).status == "approved" and _outbox(app) == 1


async def test_bad_form_input_changes_nothing(served: tuple[App, str]) -> None:
    app, base = served
    booking = _book(app, _ahead(2, 3))
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        csrf = await _sign_in(http, app, base)
        form = {"csrf_token": csrf, "reason": "x" * 1001}  # past the textarea's maxlength, sent by hand
        async with http.post(f"{base}/staff/bookings/{booking}/reject?lang=en", data=form) as resp:
            assert resp.status == 400 and "That is too long: at most 1000 characters." in await resp.text()
        for data in ({"room": "abc", "day": "2030-01-07"}, {"room": "3", "day": "07.13.2030"},
                     {"room": "3", "day": "2020-01-06"}):
            async with http.post(f"{base}/staff/bookings/closures?lang=en", data={"csrf_token": csrf, **data}) as resp:
                assert resp.status == 400, data
        async with http.post(f"{base}/staff/bookings/closures?lang=en",
                             data={"csrf_token": csrf, "room": "999", "day": str(_ahead(2, 3))}) as resp:
            assert resp.status == 404 and "That room no longer exists" in await resp.text()
        async with http.get(f"{base}/staff/bookings/export/xlsx") as resp:
            assert resp.status == 404
        async with http.post(f"{base}/staff/bookings/999/approve?lang=en", data={"csrf_token": csrf}) as resp:
            assert resp.status == 404 and "Booking #999 was not found." in await resp.text()
    assert app.bookings.get(booking).status == "pending" and _outbox(app) == 0
    assert all(not app.bookings.closures(r.id, date(2020, 1, 1), date(2031, 1, 1)) for r in app.bookings.list_rooms())


async def test_the_queue_comes_in_pages(served: tuple[App, str], monkeypatch: pytest.MonkeyPatch) -> None:
    app, base = served
    monkeypatch.setattr(bookings_data, "QUEUE_PAGE", 2)
    day = _ahead(3, 1)
    made = [_book(app, day, f"{h}:00", f"{h}:30", chat=str(80 + h)) for h in (10, 11, 12)]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await _sign_in(http, app, base)
        async with http.get(f"{base}/staff/bookings/queue?lang=en") as resp:
            first = await resp.text()
        async with http.get(f"{base}/staff/bookings/queue?page=2&lang=en") as resp:
            second = await resp.text()
        async with http.get(f"{base}/staff/bookings/queue?page=x") as resp:
            assert resp.status == 200
    assert [f'/staff/bookings/{b}"' in first for b in made] == [True, True, False]
    assert [f'/staff/bookings/{b}"' in second for b in made] == [False, False, True]
    assert "Requests 1–2 of 3." in first and 'href="/staff/bookings/queue?page=2"' in first
    assert "Requests 3–3 of 3." in second and 'href="/staff/bookings/queue?page=1"' in second
    assert "Requests to decide (3)" in first  # the tab counts them all

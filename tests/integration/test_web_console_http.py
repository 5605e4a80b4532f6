"""The console over real HTTP (aiohttp client → the bot's web app on a free port, SQLite): cookie
flags behind https, security headers, rate-limited sign-in, CSRF by form field or htmx header,
admin-only routes, localized 404 and 500 pages, and the audit trail of sign-in and sign-out."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import bot.web.app as console_app
from bot.app import App
from bot.http import start
from bot.settings import Settings
from bot.web.context import Console, Routes
from bot.web.pages import home
from handlers.roles import UserRef
from handlers.web_auth import WebAuthStore

ADMIN, MEMBER = "telegram:1", "telegram:2"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def _test_pages(routes: Routes, ctx: Console) -> None:
    async def only_admins(request: web.Request) -> web.StreamResponse:
        return web.Response(text="admin page")

    async def broken(request: web.Request) -> web.StreamResponse:
        raise RuntimeError("a bug in a page")

    routes.post("/only-admins", only_admins, admin=True)
    routes.get("/broken", broken)


@pytest.fixture()
async def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[App, str]]:
    monkeypatch.setattr(console_app, "PAGES", (home, SimpleNamespace(register=_test_pages)))
    app = App(Settings(data_dir=tmp_path, embedder="hash", admin_ids=ADMIN, web_signin_per_minute=4,
                       public_url="https://console.example.org/"))
    app.roles.add(UserRef("telegram", "2"), "staff")
    runner = await start(console_app.standalone(app), "127.0.0.1", 0)
    try:
        yield app, f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def _link_token(app: App, user: str) -> str:
    channel, user_id = user.split(":")
    return WebAuthStore(app.engine).issue_link(channel, user_id, "en")


async def _sign_in(http: aiohttp.ClientSession, app: App, base: str, user: str) -> str:
    """Sign in; the CSRF token of the session (cookies are kept by the client's jar, Secure or not)."""
    async with http.post(f"{base}/staff/signin/{_link_token(app, user)}", allow_redirects=False) as resp:
        assert resp.status == 303 and resp.headers["Location"] == "/staff/"
        cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie and "Path=/staff" in cookie
    token = cookie.split(";", 1)[0].split("=", 1)[1]
    http.cookie_jar.update_cookies({"civicbot_staff": token})
    async with http.get(f"{base}/staff/") as resp:
        assert resp.status == 200
        found = CSRF.search(await resp.text())
    assert found is not None
    return found.group(1)


def _audit(app: App) -> list[dict[str, Any]]:
    return [{"actor": e.actor, "action": e.action, "outcome": e.outcome, **json.loads(e.details)}
            for e in reversed(app.staff.audit_entries(100))]


async def test_signin_cookie_headers_csrf_and_audit(served: tuple[App, str]) -> None:
    app, base = served
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        csrf = await _sign_in(http, app, base, ADMIN)
        async with http.get(f"{base}/staff/") as resp:
            assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
            assert resp.headers["X-Frame-Options"] == "DENY" and resp.headers["Cache-Control"] == "no-store"
            assert resp.headers["Referrer-Policy"] == "no-referrer"
        async with http.post(f"{base}/staff/only-admins", data={"csrf_token": csrf}) as resp:
            assert resp.status == 200 and await resp.text() == "admin page"  # the form field
        async with http.post(f"{base}/staff/only-admins", headers={"X-CSRF-Token": csrf}) as resp:
            assert resp.status == 200  # htmx sends the header
        async with http.post(f"{base}/staff/only-admins", data={"csrf_token": csrf[:-1] + "0"}) as resp:
            assert resp.status == 403 and 'data-reason="web.refused.csrf"' in await resp.text()
        async with http.post(f"{base}/staff/signout", headers={"X-CSRF-Token": csrf}) as resp:
            assert resp.status == 200 and "civicbot_staff=\"\"" in resp.headers["Set-Cookie"]
    trail = _audit(app)
    assert [(e["action"], e["outcome"]) for e in trail] == [
        ("web_signin", "ok"), ("web_request", "refused"), ("web_signout", "ok")]
    assert trail[0]["actor"] == "1" and trail[1]["reason"] == "csrf" and trail[2]["via"] == "web"


async def test_admin_only_routes_and_error_pages(served: tuple[App, str]) -> None:
    app, base = served
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        csrf = await _sign_in(http, app, base, MEMBER)
        async with http.post(f"{base}/staff/only-admins", data={"csrf_token": csrf}) as resp:
            assert resp.status == 403 and 'data-reason="web.refused.admin_only"' in await resp.text()
        async with http.get(f"{base}/staff/no-such-page?lang=ru") as resp:
            assert resp.status == 404 and "Такой страницы нет." in await resp.text()
        async with http.get(f"{base}/staff/broken") as resp:
            body = await resp.text()
            assert resp.status == 500 and "Something went wrong" not in body and "Ничего не изменено" in body
            assert "RuntimeError" not in body
    assert any(e["reason"] == "admin_only" and e["actor"] == "2" for e in _audit(app) if "reason" in e)


async def test_signin_attempts_are_rate_limited_per_address(served: tuple[App, str]) -> None:
    app, base = served
    async with aiohttp.ClientSession() as http:
        statuses = []
        for _ in range(6):
            async with http.get(f"{base}/staff/signin/guessed-token-{len(statuses)}") as resp:
                statuses.append(resp.status)
                body = await resp.text()
        assert statuses == [403, 403, 403, 403, 429, 429]
        assert 'data-reason="web.refused.rate_limited"' in body
        async with http.post(f"{base}/staff/signin/{_link_token(app, ADMIN)}", allow_redirects=False) as resp:
            assert resp.status == 429  # even a good link waits: no session was opened
    assert WebAuthStore(app.engine).sessions_of("telegram", "1") == []


async def test_without_a_session_everything_is_refused_but_static_files(served: tuple[App, str]) -> None:
    _, base = served
    async with aiohttp.ClientSession() as http:
        for path in ("/staff/", "/staff/kb", "/staff/no-such-page"):
            async with http.get(base + path, headers={"Accept-Language": "vi-VN,vi;q=0.9"}) as resp:
                assert resp.status == 401 and "Bạn chưa đăng nhập" in await resp.text()
        async with http.post(f"{base}/staff/only-admins") as resp:
            assert resp.status == 401
        async with http.get(f"{base}/staff/static/htmx.min.js") as resp:
            assert resp.status == 200 and (await resp.text()).startswith("/*! htmx 2.0.11")
        async with http.get(f"{base}/staff", allow_redirects=False) as resp:
            assert resp.status == 302 and resp.headers["Location"] == "/staff/"

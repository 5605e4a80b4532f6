"""Pieces of the console's guard: CSRF tokens, the client address for rate limits, the page language."""

from __future__ import annotations

from unittest.mock import MagicMock

from aiohttp.test_utils import make_mocked_request

from bot.web.auth import _client, csrf_token, request_lang


def _request(headers: dict[str, str] | None = None, path: str = "/staff/", remote: str = "127.0.0.1") -> object:
    transport = MagicMock()
    transport.get_extra_info.side_effect = lambda name, default=None: (remote, 5555) if name == "peername" else default
    return make_mocked_request("GET", path, headers=headers or {}, transport=transport)


def test_csrf_tokens_are_bound_to_the_session_and_the_key() -> None:
    token = csrf_token(b"key-one", "a" * 64)
    assert token == csrf_token(b"key-one", "a" * 64) and len(token) == 64
    assert token != csrf_token(b"key-one", "b" * 64)
    assert token != csrf_token(b"key-two", "a" * 64)


def test_the_client_address_trusts_forwarded_for_only_from_the_proxy() -> None:
    assert _client(_request(remote="93.184.216.34")) == "93.184.216.34"  # type: ignore[arg-type]
    spoofed = _request({"X-Forwarded-For": "10.9.9.9"}, remote="93.184.216.34")
    assert _client(spoofed) == "93.184.216.34"  # type: ignore[arg-type]
    proxied = _request({"X-Forwarded-For": "198.51.100.1, 198.51.100.7"}, remote="10.0.0.5")
    assert _client(proxied) == "198.51.100.7"  # type: ignore[arg-type]


def test_the_page_language_query_then_browser_then_fallback() -> None:
    assert request_lang(_request(path="/staff/?lang=ru"), "vi") == "ru"  # type: ignore[arg-type]
    assert request_lang(_request(path="/staff/?lang=fr", headers={"Accept-Language": "en-GB,en"}), "vi") == "en"  # type: ignore[arg-type]
    assert request_lang(_request(headers={"Accept-Language": "ru-RU,ru;q=0.9"}), "vi") == "ru"  # type: ignore[arg-type]
    assert request_lang(_request(headers={"Accept-Language": "de-DE"}), "vi") == "vi"  # type: ignore[arg-type]
    assert request_lang(_request(), "ru") == "ru"  # type: ignore[arg-type]

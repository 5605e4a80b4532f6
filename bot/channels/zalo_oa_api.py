"""The Zalo Official Account API: calls with the access token, its refresh, file uploads.

Every call: `POST <api_base><path>` with the `access_token` header. Network errors, 5xx and 429
are retried with the one policy of bot/retry.py. Error -216 (token expired/invalid) → refresh via
`POST <oauth_base>/v4/oa/access_token` and call again, once; the rotating refresh token is
persisted by the token store (bot/zalo_tokens.py), whose row lock makes exactly one replica call
Zalo. Refusals a retry cannot fix (`PERMANENT`, bot/channels/zalo_oa_out.py) become `Undeliverable`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Protocol, TypedDict, cast

import aiohttp
import httpx

from bot.channels.zalo_oa_out import PERMANENT, uploadable
from bot.retry import GaveUp, Retryable, RetryPolicy, retry_after_header, with_retries
from bot.zalo_tokens import Refresher, Tokens, TokenStatus
from handlers.messages import Undeliverable
from knowledge.jsontypes import JSONObject

log = logging.getLogger(__name__)

TOKEN_EXPIRED = -216


class ZaloOAError(Exception):
    def __init__(self, code: int | None, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(f"Zalo OA error {code}: {message}")
        self.code = code
        self.retry_after = retry_after


class Answer(TypedDict, total=False):
    """What the OA API answers (decoded JSON, read through these fields)."""

    error: int | str
    """0: done; else Zalo's error code (-216: the access token expired)."""
    message: str
    data: dict[str, object]


class TokenStore(Protocol):
    """bot/zalo_tokens.py: SqlTokenStore (shared by replicas) or MemoryTokenStore."""

    def load(self) -> Tokens: ...

    def rotate(self, failed_access_token: str, refresher: Refresher) -> Tokens: ...

    def status(self) -> TokenStatus: ...


class ZaloOAApi:
    def __init__(self, app_id: str, app_secret: str, tokens: TokenStore, api_base: str, oauth_base: str, *,
                 channel: str, policy: RetryPolicy, metrics: Counter[str]) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.tokens = tokens
        self.api_base = api_base.rstrip("/")
        self.oauth_base = oauth_base.rstrip("/")
        self.channel = channel
        self.policy = policy
        self.metrics = metrics
        self._access: str | None = None
        self._refresh_lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None

    async def call(self, path: str, payload: JSONObject | None = None, *,
                   form: aiohttp.FormData | None = None) -> dict[str, object]:
        """One OA API call (its `data`): retries transient failures, refreshes an expired token once,
        and turns refusals a retry cannot fix (PERMANENT) into Undeliverable."""
        refreshed = False
        while True:
            access = await self._access_token()

            async def attempt(token: str = access) -> Answer:
                return await self._post(f"{self.api_base}{path}", payload, token, form=form)

            try:
                answer = await with_retries(attempt, self.policy, what=f"{self.channel} {path}", logger=log)
            except GaveUp as exc:
                raise ZaloOAError(None, f"gave up after {exc.tries} attempts: {exc.last.reason}",
                                  retry_after=exc.retry_after) from None
            code = int(answer.get("error", 0) or 0)
            if code == 0:
                data = answer.get("data")
                return data if isinstance(data, dict) else {}
            if code == TOKEN_EXPIRED and not refreshed:
                await self.refresh(access)
                refreshed = True
                continue
            if code in PERMANENT:
                self.metrics[f"zalo_oa_refused_total:{PERMANENT[code]}"] += 1
                raise Undeliverable(self.channel, PERMANENT[code], f"Zalo OA error {code}")
            raise ZaloOAError(code, str(answer.get("message", "")))

    async def upload_file(self, file_name: str, data: bytes) -> str:
        """A PDF, DOC, DOCX or CSV file uploaded for a message; its token."""
        form = aiohttp.FormData()
        form.add_field("file", data, filename=file_name, content_type=uploadable(file_name, len(data)) or "")
        answer = await self.call("/v2.0/oa/upload/file", form=form)
        token = answer.get("token")
        if not token:
            raise ZaloOAError(None, "file upload gave no token")
        return str(token)

    def _client(self, timeout_s: float) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_s))
        return self._session

    async def _post(self, url: str, payload: JSONObject | None, access: str, *,
                    form: aiohttp.FormData | None = None) -> Answer:
        """One try; Retryable when it surely did nothing (or repeating it is harmless)."""
        session = self._client(20)
        headers = {"access_token": access}
        try:
            async with (session.post(url, headers=headers, data=form) if form is not None
                        else session.post(url, headers=headers, json=payload)) as resp:
                if resp.status == 429 or resp.status >= 500:
                    raise Retryable(f"HTTP {resp.status}", wait=retry_after_header(resp.headers.get("Retry-After")))
                answer = await resp.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            raise Retryable(type(exc).__name__) from None
        if not isinstance(answer, dict):
            raise Retryable("malformed answer")
        return cast(Answer, answer)

    async def _access_token(self) -> str:
        if self._access is None:
            self._access = (await asyncio.to_thread(self.tokens.load)).access_token
        return self._access

    async def refresh(self, failed_access_token: str) -> None:
        """Get new tokens (or the ones another replica already got) and persist the new refresh token."""
        async with self._refresh_lock:
            if self._access is not None and self._access != failed_access_token:
                return  # refreshed meanwhile by another task of this process
            fresh = await asyncio.to_thread(self.tokens.rotate, failed_access_token, self._call_oauth)
            self._access = fresh.access_token
            log.info("zalo_oa: access token refreshed")

    def _call_oauth(self, refresh_token: str) -> Tokens:
        """Runs in a worker thread, inside the token store's lock (sync HTTP on purpose)."""
        resp = httpx.post(
            f"{self.oauth_base}/v4/oa/access_token",
            data={"app_id": self.app_id, "refresh_token": refresh_token, "grant_type": "refresh_token"},
            headers={"secret_key": self.app_secret},
            timeout=20.0,
        )
        answer = resp.json()
        if not isinstance(answer, dict) or not answer.get("access_token") or not answer.get("refresh_token"):
            code = answer.get("error") if isinstance(answer, dict) else None
            raise ZaloOAError(code, "token refresh refused")
        expires = answer.get("expires_in")
        return Tokens(str(answer["access_token"]), str(answer["refresh_token"]),
                      int(str(expires)) if str(expires or "").isdigit() else None)

    async def download(self, url: str) -> bytes:
        async with self._client(60).get(url) as resp:
            resp.raise_for_status()
            return await resp.read()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

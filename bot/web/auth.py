"""The console's guard and sign-in: session cookie, role on every request, CSRF on every POST.

- `guard` (middleware of the console sub-app) runs before every handler: public handlers (sign-in,
  static files) pass; any other request needs a live session (handlers/web/auth.py) whose user has
  a staff role *now* (the role store is asked on every request, no caching); any method other than
  GET/HEAD needs the session's CSRF token (header `X-CSRF-Token` or form field `csrf_token`).
  Refusals are localized pages (401 no session, 403 not staff / bad token) and are audited.
- The sign-in link `GET /staff/signin/{token}` shows a confirmation button (a messenger's link
  preview must not use the link up); `POST` uses it once and sets the cookie: HttpOnly,
  SameSite=Strict, Path=/staff, Secure when PUBLIC_URL is https. Attempts are rate-limited per
  client address.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import time

from aiohttp import web

from bot.web.context import ADMIN, LANG_KEY, PREFIX, PUBLIC, STAFF_KEY, Console, Handler, Staff, url
from bot.web.render import CSRF_FIELD, CSRF_HEADER, SECURITY_HEADERS
from handlers.i18n import LANGS, pick_lang
from handlers.roles import ROLES

log = logging.getLogger(__name__)

COOKIE = "civicbot_staff"
CONSOLE_KEY = web.AppKey("console", Console)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def csrf_token(key: bytes, session_hash: str) -> str:
    """The session's CSRF token: bound to the session, unguessable without the server's key."""
    return hmac.new(key, b"console-csrf:" + session_hash.encode(), hashlib.sha256).hexdigest()


def request_lang(request: web.Request, fallback: str) -> str:
    """`?lang=` when given, else the browser's language (vi, ru, en), else `fallback`."""
    asked = request.query.get("lang", "")
    if asked in LANGS:
        return asked
    header = request.headers.get("Accept-Language", "")
    first = header.split(",", 1)[0].strip().lower()[:2]
    if first == "en":
        return "en"
    return pick_lang(first or None, default=fallback)


def _client(request: web.Request) -> str:
    """The client's address: behind our proxy (a private or loopback peer), the last X-Forwarded-For entry."""
    remote = request.remote or "unknown"
    forwarded = request.headers.get("X-Forwarded-For", "")
    try:
        behind_proxy = ipaddress.ip_address(remote).is_private
    except ValueError:
        behind_proxy = False
    if forwarded and behind_proxy:
        return forwarded.rsplit(",", 1)[-1].strip()[:64] or remote
    return remote


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    console = request.app[CONSOLE_KEY]
    fallback = console.app.settings.staff_lang or console.app.settings.default_lang
    request[LANG_KEY] = request_lang(request, fallback)
    try:
        response = await _guarded(console, request, handler)
    except web.HTTPNotFound:
        response = console.renderer.error(request, 404, "not_found")
    except web.HTTPException as exc:
        if exc.status >= 400:
            raise
        response = exc  # redirects
    except Exception:
        log.exception("console page %s failed", request.path)
        response = console.renderer.error(request, 500, "generic")
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.path.startswith(PREFIX + "/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    # the server's time for this request, session and role checks included (benchmarks/console_bench.py)
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
    return response


async def _guarded(console: Console, request: web.Request, handler: Handler) -> web.StreamResponse:
    access = console.access.get(request.match_info.handler)
    if access == PUBLIC or request.path.startswith(PREFIX + "/static/"):
        return await handler(request)
    session = await console.run(console.auth.session, request.cookies.get(COOKIE))
    if session is None:
        response = console.renderer.refusal(request, 401, "no_session")
        if COOKIE in request.cookies:
            response.del_cookie(COOKIE, path=PREFIX)
        return response
    role = await console.run(console.app.roles.role_of, session.channel, session.user_id)  # every request
    if role not in ROLES:
        await console.run(console.auth.sign_out, session.token_hash)
        await console.run(console.app.staff.audit, session.user_id, "web_request", channel=session.channel,
                          outcome="refused", reason="not_staff", path=request.path[:200])
        response = console.renderer.refusal(request, 403, "not_staff")
        response.del_cookie(COOKIE, path=PREFIX)
        return response
    lang = request.query.get("lang", "")
    if lang in LANGS and lang != session.lang:
        await console.run(console.auth.set_lang, session.token_hash, lang)
    lang = lang if lang in LANGS else session.lang
    request[LANG_KEY] = lang
    if not console.csrf_key:
        console.csrf_key = bytes(console.app.pseudonym_key)  # a secret of this deployment (PSEUDONYM_KEY)
    staff = Staff(session.channel, session.user_id, role or "staff", lang,
                  csrf_token(console.csrf_key, session.token_hash), session.token_hash)
    request[STAFF_KEY] = staff
    if request.method not in SAFE_METHODS and not await _csrf_ok(request, staff):
        await console.audit(request, "web_request", outcome="refused", reason="csrf", path=request.path[:200])
        return console.renderer.refusal(request, 403, "csrf", how=False)
    if access == ADMIN and role != "admin":
        await console.audit(request, "web_request", outcome="refused", reason="admin_only", path=request.path[:200])
        return console.renderer.refusal(request, 403, "admin_only", how=False)
    if request.match_info.http_exception is not None:
        raise request.match_info.http_exception
    return await handler(request)


async def _csrf_ok(request: web.Request, staff: Staff) -> bool:
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.content_type == "multipart/form-data":  # uploads: the body is left to the page
        sent = request.query.get(CSRF_FIELD, "")
    if not sent and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        value = (await request.post()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    return bool(sent) and hmac.compare_digest(sent.encode(), staff.csrf.encode())


# ---- sign-in and sign-out --------------------------------------------------------------------
async def signin_page(request: web.Request) -> web.StreamResponse:
    """GET: look at the link (not used yet) and ask to confirm."""
    console = request.app[CONSOLE_KEY]
    limited = await _limited(console, request)
    if limited is not None:
        return limited
    check = await console.run(console.auth.check_link, request.match_info["token"])
    if check.status != "ok":
        return await _refuse_link(console, request, check.status, check.channel, check.user_id)
    asked = request.query.get("lang", "")
    request[LANG_KEY] = asked if asked in LANGS else check.lang
    return console.renderer.page(request, "signin.html", user=f"{check.channel}:{check.user_id}")


async def signin(request: web.Request) -> web.StreamResponse:
    """POST: use the link once, check the role, set the session cookie."""
    console = request.app[CONSOLE_KEY]
    limited = await _limited(console, request)
    if limited is not None:
        return limited
    check, signed = await console.run(console.auth.redeem, request.match_info["token"])
    if signed is None:
        return await _refuse_link(console, request, check.status, check.channel, check.user_id)
    request[LANG_KEY] = check.lang
    role = await console.run(console.app.roles.role_of, check.channel, check.user_id)
    if role not in ROLES:
        await console.run(console.auth.sign_out, signed.session.token_hash)
        await console.run(console.app.staff.audit, check.user_id, "web_signin", channel=check.channel,
                          outcome="refused", reason="not_staff")
        return console.renderer.refusal(request, 403, "not_staff")
    await console.run(console.app.staff.audit, check.user_id, "web_signin", channel=check.channel, via="web")
    response = web.HTTPSeeOther(url("/"))
    response.set_cookie(COOKIE, signed.token, path=PREFIX, httponly=True, samesite="Strict",
                        secure=console.secure_cookie)
    return response


async def signout(request: web.Request) -> web.StreamResponse:
    """POST (CSRF-checked by the guard): end this session."""
    console = request.app[CONSOLE_KEY]
    staff: Staff = request[STAFF_KEY]
    await console.run(console.auth.sign_out, staff.session)
    await console.audit(request, "web_signout")
    request.pop(STAFF_KEY, None)
    response = console.renderer.page(request, "signed_out.html")
    response.del_cookie(COOKIE, path=PREFIX)
    return response


async def _limited(console: Console, request: web.Request) -> web.StreamResponse | None:
    if await console.run(console.limiter.allow, "web-signin:" + _client(request)):
        return None
    log.warning("sign-in attempts rate-limited")
    return console.renderer.refusal(request, 429, "rate_limited", how=False)


async def _refuse_link(console: Console, request: web.Request, status: str, channel: str,
                       user_id: str) -> web.StreamResponse:
    if user_id:
        await console.run(console.app.staff.audit, user_id, "web_signin", channel=channel, outcome="refused",
                          reason=f"link_{status}")
    else:
        await console.run(console.app.staff.audit, "web", "web_signin", channel="web", outcome="refused",
                          reason=f"link_{status}")
    return console.renderer.refusal(request, 403, f"link_{status}")

"""The console's sign-in and refusals, in a real chromium against a running civicbot: a /web link
signs in once; a reused or expired link, a forged cookie, a signed-out or non-staff session, a
missing or forged CSRF token are each refused with a clear page; removing the role ends the session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, Page
from sqlalchemy import text

from handlers.web_auth import token_hash
from tests.browser.harness import Civicbot
from tests.browser.pages import ConsolePage, sign_in

AREAS = ("/staff/bookings", "/staff/kb", "/staff/unanswered", "/staff/numbers", "/staff/rules")


def _sessions(civicbot: Civicbot, user_id: int) -> int:
    with civicbot.db.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM web_session WHERE channel = 'telegram' AND user_id = :u"),
                                {"u": str(user_id)}).scalar_one())


def test_signin_through_the_web_link_gives_a_strict_httponly_cookie(staff: ConsolePage) -> None:
    assert staff.h1() == "Trang quản trị"
    cookie = staff.cookie()
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/staff" and not cookie["secure"]  # PUBLIC_URL unset: plain http on 127.0.0.1
    hrefs = staff.page.locator("nav.areas a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert [h for h in hrefs if h != "/staff/"] == list(AREAS)
    staff.shot("home-vi")
    staff.goto("/staff/?lang=ru")
    assert staff.h1() == "Консоль сотрудников"
    staff.goto("/staff/")  # the choice is kept in the session
    assert staff.h1() == "Консоль сотрудников" and staff.page.locator("html").get_attribute("lang") == "ru"
    staff.goto("/staff/?lang=en")
    assert staff.h1() == "Staff console"
    staff.shot("home-en")


def test_a_used_link_is_refused(civicbot: Civicbot, browser: Browser, page: Page) -> None:
    link = civicbot.signin_link()
    first = ConsolePage(page, civicbot, "used-link")
    first.goto(link)
    with page.expect_navigation():
        page.locator("#signin").click()
    assert first.refusal() is None
    other = browser.new_context()
    try:
        again = ConsolePage(other.new_page(), civicbot, "used-link")
        response = again.goto(link)
        assert response is not None and response.status == 403
        assert again.refusal() == "web.refused.link_used"
        assert again.cookie() is None
        again.shot("refused")
        posted = other.request.post(link)  # using it by POST is refused the same way
        assert posted.status == 403 and again.cookie() is None
    finally:
        other.close()


def test_an_expired_link_is_refused(civicbot: Civicbot, console: ConsolePage) -> None:
    link = civicbot.signin_link()
    with civicbot.db.begin() as conn:
        conn.execute(text("UPDATE web_signin_link SET expires_at = :t WHERE token_hash = :h"),
                     {"t": datetime.now(UTC) - timedelta(seconds=1), "h": token_hash(link.rsplit("/", 1)[1])})
    response = console.goto(link)
    assert response is not None and response.status == 403
    assert console.refusal() == "web.refused.link_expired"
    console.shot("refused")


def test_an_unknown_link_and_a_forged_cookie_are_refused(civicbot: Civicbot, console: ConsolePage) -> None:
    response = console.goto("/staff/signin/not-a-real-token")
    assert response is not None and response.status == 403 and console.refusal() == "web.refused.link_unknown"
    console.page.context.add_cookies([{"name": "civicbot_staff", "value": "forged-" + "A" * 40,
                                       "url": civicbot.url("/staff/")}])
    response = console.goto("/staff/")
    assert response is not None and response.status == 401
    assert console.refusal() == "web.refused.no_session"
    assert "civicbot staff web-link" in console.page.locator("main").inner_text()
    console.shot("forged-cookie")


def test_a_non_staff_user_gets_no_link_and_a_session_without_a_role_is_refused(
        civicbot: Civicbot, page: Page) -> None:
    stranger = 7070
    since = len(civicbot.telegram.texts(stranger))
    civicbot.telegram.send(stranger, "/web")
    reply = civicbot.telegram.wait_text(stranger, "", since=since)
    assert "/staff/signin/" not in reply and reply == "Trang quản trị chỉ dành cho cán bộ."
    refused = civicbot.cli("staff", "web-link", f"telegram:{stranger}", check=False)
    assert refused.returncode != 0 and "no staff role" in refused.stderr and "/staff/signin/" not in refused.stdout
    member = 5151
    civicbot.cli("staff", "add", f"telegram:{member}")
    console = sign_in(civicbot, page, member, test_name="non-staff")
    with civicbot.db.begin() as conn:  # the role disappears outside the removal path (e.g. a restored backup)
        conn.execute(text("DELETE FROM staff_role WHERE channel = 'telegram' AND user_id = :u"), {"u": str(member)})
    response = console.goto("/staff/")
    assert response is not None and response.status == 403 and console.refusal() == "web.refused.not_staff"
    console.shot("refused")
    assert _sessions(civicbot, member) == 0  # that session is gone for good
    response = console.goto("/staff/")
    assert response is not None and response.status == 401


def test_a_post_without_or_with_a_forged_csrf_token_is_refused(staff: ConsolePage) -> None:
    signout = staff.page.locator("form.signout")
    signout.locator("input[name=csrf_token]").evaluate("input => input.remove()")
    with staff.page.expect_navigation():
        signout.locator("button").click()
    assert staff.refusal() == "web.refused.csrf"
    staff.shot("missing-csrf")
    staff.goto("/staff/")  # refused, not signed out
    assert staff.refusal() is None and staff.h1()
    staff.page.locator("form.signout input[name=csrf_token]").evaluate("input => { input.value = 'f'.repeat(64) }")
    with staff.page.expect_navigation():
        staff.page.locator("form.signout button").click()
    assert staff.refusal() == "web.refused.csrf"
    staff.goto("/staff/")
    assert staff.refusal() is None


def test_a_signed_out_session_is_refused(staff: ConsolePage, civicbot: Civicbot) -> None:
    cookie = staff.cookie()
    assert cookie is not None
    with staff.page.expect_navigation():
        staff.page.locator("form.signout button").click()
    assert staff.page.locator("main [role=status]").inner_text().startswith("Bạn đã đăng xuất")
    assert staff.cookie() is None
    staff.shot("signed-out")
    staff.page.context.add_cookies([cookie])  # the old cookie, kept by an attacker
    response = staff.goto("/staff/")
    assert response is not None and response.status == 401 and staff.refusal() == "web.refused.no_session"


def test_removing_the_role_in_the_chat_ends_the_sessions(civicbot: Civicbot, page: Page) -> None:
    member = 6262
    civicbot.cli("staff", "add", f"telegram:{member}")
    console = sign_in(civicbot, page, member, test_name="role-removed")
    assert _sessions(civicbot, member) == 1
    since = len(civicbot.telegram.texts(civicbot.admin))
    civicbot.telegram.send(civicbot.admin, f"/staff remove {member}")
    civicbot.telegram.wait_text(civicbot.admin, str(member), since=since)
    assert _sessions(civicbot, member) == 0
    response = console.goto("/staff/")
    assert response is not None and response.status == 401 and console.refusal() == "web.refused.no_session"


def test_the_layout_fits_a_phone_and_starts_with_a_skip_link(staff: ConsolePage) -> None:
    staff.page.set_viewport_size({"width": 360, "height": 740})
    staff.goto("/staff/")
    assert staff.page.evaluate("document.documentElement.scrollWidth") <= 360
    staff.page.keyboard.press("Tab")
    focused = staff.page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    assert staff.page.locator("main h1").count() == 1
    staff.shot("home-phone")

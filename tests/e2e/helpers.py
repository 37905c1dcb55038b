"""Signing in and out in the browser tests."""

from urllib.parse import urlparse

PASSWORD = "test-password-123"


def sign_out(page) -> None:
    """Forget who is signed in, as a new browser would.

    The page's own requests finish first. A response may renew the session cookie (the idle refresh, at most once a
    minute, or a view that changed the session), so a response that lands after the cookies are cleared (the bell's
    count is fetched after the page has loaded) signs the previous user back in, and the sign-in page then sends that
    user home without signing anyone in: a test would go on as the wrong person (failed twice in CI, under load)."""
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")
    page.context.clear_cookies()


def log_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Sign in with the password form and wait for the start page under /arenden/."""
    sign_out(page)
    page.goto(live_server.url + "/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    # The path, not the whole address: a sign-in page with ?next=/arenden/… is not a start page.
    page.wait_for_url(lambda url: urlparse(url).path.startswith("/arenden/"))
    page.wait_for_load_state()

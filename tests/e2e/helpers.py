"""Signing in and out in the browser tests, and the check that nothing scrolls sideways."""

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


# Every element that may scroll sideways: the document and each table's own scroll box (a table in a
# .table-responsive box does not widen the page, but a reader on a phone still has to scroll it sideways).
OVERFLOWS = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });  // what is folded away too
  const doc = document.documentElement;
  const boxes = [...document.querySelectorAll('.table-responsive')]
    .filter(b => b.scrollWidth > b.clientWidth).map(b => b.querySelector('caption')?.innerText || b.outerHTML.slice(0, 80));
  return {document: doc.scrollWidth > doc.clientWidth, boxes: boxes, count: document.querySelectorAll('.table-responsive').length};
}"""


def assert_nothing_scrolls_sideways(page, *, boxes_at_least: int = 1) -> None:
    """Neither the page nor any table's box scrolls sideways; at least `boxes_at_least` such boxes were there to check."""
    result = page.evaluate(OVERFLOWS)
    assert result["count"] >= boxes_at_least, result
    assert result == {"document": False, "boxes": [], "count": result["count"]}, page.url

"""The top menu at 1280 and 375 px: no button or name broken over two lines (review, issue 9)."""

import pytest

from tests.e2e.helpers import log_in
from tests.e2e.test_casepage_browser import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def one_line(locator):
    """True when the element's text stands on one line (its height is about one line's height)."""
    return locator.evaluate("el => el.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(el).lineHeight)")


def test_chef_menu_does_not_wrap_at_1280_and_opens_at_375(page, live_server, personas):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "chef")
    nav = page.get_by_role("navigation", name="Huvudmeny")
    assert one_line(nav.get_by_role("button", name="Logga ut"))
    assert one_line(nav.locator(".navbar-text"))
    for link in nav.locator(".nav-link").all():
        assert one_line(link)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(SCREENSHOTS / "navbar-chef-1280.png"))

    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_role("button", name="Visa menyn").click()
    logout = nav.get_by_role("button", name="Logga ut")
    page.locator("#main-nav.show").wait_for()
    assert one_line(logout)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(SCREENSHOTS / "navbar-chef-375.png"), full_page=True)

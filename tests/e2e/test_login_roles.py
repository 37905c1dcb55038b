"""Each demo role logs in through the real login form and lands on its own start page."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START_PAGES = {
    "hyresradgivare": ("/arenden/", "Mina ärenden"),
    "barn": ("/arenden/", "Mina ärenden"),
    "vuxna": ("/arenden/", "Mina ärenden"),
    "aldre": ("/arenden/", "Mina ärenden"),
    "ekbistand": ("/arenden/", "Mina ärenden"),
    "chef": ("/arenden/", "Mina ärenden"),
    "ordforande": ("/bosam/", "BOSAM"),
    "admin": ("/admin/", "Konfiguration och användare"),
    "styrgrupp": ("/avvikelser/", "Avvikelser"),
    "stad": ("/statistik/", "Statistik"),
}


@pytest.mark.parametrize("username", list(START_PAGES))
def test_each_role_lands_on_its_start_page(username, personas, live_server, page):
    path, heading = START_PAGES[username]
    page.goto(live_server.url + "/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill("test-password-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server.url}{path}*")
    assert heading in page.locator("h1").first.inner_text()
    assert page.get_by_role("button", name="Logga ut").is_visible() or username == "admin"

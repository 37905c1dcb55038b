"""Issue 12 item 8: our own 400/403/404/500 and CSRF pages, in Swedish and English, each with a way back; the 500
page without the database or context processors; the favicon."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from avhysning import views

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_an_unknown_address_is_our_404_in_swedish_with_the_way_home(client):
    response = client.get("/finns-inte/")
    content = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="sv">' in content
    assert "<h1>Sidan finns inte</h1>" in content
    assert 'href="/" data-testid="error-home"' in content
    assert "Not Found" not in content


def test_the_404_page_in_english(client):
    content = english(client).get("/finns-inte/").content.decode()
    assert '<html lang="en">' in content and "<h1>Page not found</h1>" in content and "To the start page" in content


def test_the_404_page_offers_the_page_one_came_from_but_never_another_site(client):
    response = client.get("/finns-inte/", HTTP_REFERER="http://testserver/arenden/")
    assert 'href="http://testserver/arenden/" data-testid="error-back"' in response.content.decode()
    response = client.get("/finns-inte/", HTTP_REFERER="https://elak.example/")
    assert "elak.example" not in response.content.decode()


def test_a_case_outside_ones_units_is_our_404_for_a_signed_in_user(client, personas):
    client.force_login(personas["barn"])
    response = client.get("/arenden/999999/")
    assert response.status_code == 404
    assert "hör till en enhet du inte har behörighet till" in response.content.decode()


def test_a_refused_role_is_our_403_with_the_reason(client, personas):
    client.force_login(personas["barn"])
    response = client.get(reverse("cases:intake_new"))
    content = response.content.decode()
    assert response.status_code == 403
    assert "Du har inte behörighet till sidan" in content
    assert "Endast hyresrådgivare kan registrera underrättelser." in content
    assert 'data-testid="error-home"' in content
    english(client)
    content = client.get(reverse("cases:intake_new")).content.decode()
    assert "You do not have access to this page" in content and "Only tenancy advisors can register notices." in content


def test_a_form_without_its_csrf_token_is_our_page(personas):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"}, HTTP_REFERER="http://testserver/konto/logga-in/")
    content = response.content.decode()
    assert response.status_code == 403
    assert "Formuläret kunde inte skickas" in content
    assert 'href="http://testserver/konto/logga-in/" data-testid="error-back"' in content
    assert "CSRF" not in content
    english(client)
    assert "The form could not be sent" in client.post(reverse("login"), {}).content.decode()


def test_a_fault_is_our_500_page(client, settings):
    settings.ROOT_URLCONF = "tests.error_urls"
    client.raise_request_exception = False
    response = client.get("/test-fel/")
    content = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Något gick fel</h1>" in content and 'href="/" data-testid="error-home"' in content
    assert "RuntimeError" not in content
    english(client)
    assert "<h1>Something went wrong</h1>" in client.get("/test-fel/").content.decode()


@pytest.mark.django_db(False)
def test_the_500_page_renders_without_the_database():
    """No django_db here: any query raises. The page uses no request context and no context processors."""
    response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Något gick fel" in response.content.decode()


def test_the_favicon_is_ours_and_vendored(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    content = client.get(reverse("login")).content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in content

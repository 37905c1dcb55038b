"""The top menu highlights the page's own item, or none (issue 9/12 review: "Mina ärenden" lit up everywhere)."""

import re

import pytest
from django.urls import reverse

ACTIVE = re.compile(r'<a class="nav-link text-nowrap active" href="([^"]+)" aria-current="page">')


def active_items(client, url):
    response = client.get(url)
    return ACTIVE.findall(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name, expected",
    [
        ("cases:my_cases", ["cases:my_cases"]),
        ("cases:unit_caseload", ["cases:unit_caseload"]),
        ("cases:notifications", []),
        ("cases:emergency_access", []),  # a 403 for the chef, under /arenden/
        ("cases:retention", []),  # a 403 for the chef, under /arenden/
        ("bosam:meeting_list", ["bosam:meeting_list"]),
    ],
)
def test_chef_menu_highlights_own_item_or_none(client, personas, url_name, expected):
    client.force_login(personas["chef"])
    assert active_items(client, reverse(url_name)) == [reverse(name) for name in expected]


@pytest.mark.django_db
def test_handlaggare_on_unit_caseload_403_highlights_nothing(client, personas):
    client.force_login(personas["barn"])
    response = client.get(reverse("cases:unit_caseload"))
    assert response.status_code == 403
    assert ACTIVE.findall(response.content.decode()) == []

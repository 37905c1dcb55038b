"""The case page names people by their full name, or "–"; never by a username (review, issue 9)."""

import pytest
from django.urls import reverse

from organisation.models import User
from tests.factories import register


@pytest.mark.django_db
def test_assignment_table_shows_full_name_or_dash_never_username(client, organisation, personas):
    advisor = personas["hyresradgivare"]
    case = register(organisation, advisor, children=("2018-03-01",)).case
    assignment = case.assignments.get(ended_at__isnull=True, unit__code="HYRESRADGIVNING")
    nameless = User.objects.create_user(username="xq_nameless_login", password="x-test-pw-123", organisation=organisation,
                                        unit=advisor.unit)
    assignment.user = nameless
    assignment.save()
    client.force_login(advisor)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "xq_nameless_login" not in html
    section = html.split('id="tilldelningar"', 1)[1].split("</section>", 1)[0]
    assert '<td data-label="Handläggare">–</td>' in section

    assignment.user = advisor
    assignment.save()
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert advisor.get_full_name() in html.split('id="tilldelningar"', 1)[1].split("</section>", 1)[0]


@pytest.mark.django_db
def test_a_nameless_registrar_is_not_named_by_username_on_the_case_page(client, organisation, make_user):
    nameless = make_user("xq_registrar_login", "hyresradgivare", "HYRESRADGIVNING", first_name="", last_name="")
    case = register(organisation, nameless, children=("2018-03-01",)).case
    client.force_login(nameless)
    for url in (reverse("cases:detail", args=[case.pk]), reverse("cases:decision", args=[case.pk])):
        html = client.get(url).content.decode()
        body = html.split('<main', 1)[1]
        assert "xq_registrar_login" not in body, url

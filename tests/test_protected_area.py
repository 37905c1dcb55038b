"""Issue 10, defect 6: the area of a household with protected identity leaked."""

import re

import pytest
from django.urls import reverse

from tests.factories import household_data
from tests.test_workspace import _register, case_numbers, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def protected_case(organisation, personas):
    household = household_data(protected=True, serial=805, surname="Skyddsson", street="Hemliga gatan 7")
    household.area = "Hemlingby"
    return _register(organisation, personas["hyresradgivare"], household=household)


def test_filtering_the_overview_by_area_does_not_find_the_protected_case(client, organisation, personas, protected_case):
    """Defect 6: filtering the overview by the protected household's area found it."""
    client = login(client, personas["hyresradgivare"])
    for name in ("cases:overview", "cases:my_cases"):
        # An area known only through a protected household is not offered at all.
        page = client.get(reverse(name), {"status": "alla"})
        assert protected_case.number in case_numbers(page)  # the case itself is listed (address hidden)
        assert "Hemlingby" not in page.content.decode()
    # Once an ordinary household lives there too, the area is offered, and finds only that one.
    neighbour = household_data(serial=806, surname="Grannsson", street="Öppna gatan 1")
    neighbour.area = "Hemlingby"
    open_case = _register(organisation, personas["hyresradgivare"], household=neighbour)
    for name in ("cases:overview", "cases:my_cases"):
        response = client.get(reverse(name), {"area": "Hemlingby", "status": "alla"})
        assert case_numbers(response) == [open_case.number]


def test_the_add_a_notice_form_does_not_prefill_a_protected_area(client, personas, protected_case):
    """Defect 6: the "add a notice to an existing case" form pre-filled the area."""
    client = login(client, personas["hyresradgivare"])
    html = client.get(reverse("cases:intake_new"), {"case": protected_case.pk}).content.decode()
    assert "Hemlingby" not in html
    assert not re.search(r'name="area"[^>]*value="[^"]+"', html)


def test_the_area_choices_are_the_districts_own_in_order_without_an_area_only_a_protected_household_has(
    organisation, other_organisation, personas, make_user, protected_case,
):
    """Issue 16: the choices are read by jumping from area to area in the index; the same set as a DISTINCT over the
    district's households gave: sorted, no empty area, none of another district, none known only through a protected
    household (one with a protected and an ordinary household is offered)."""
    from cases.workspace.selectors import case_list_areas

    advisor = personas["hyresradgivare"]
    for serial, area in ((810, "Årsta"), (811, "Enskede"), (812, "Årsta"), (813, ""), (814, "Hemlingby")):
        household = household_data(serial=serial, surname=f"Områdesson{serial}", street=f"Gatan {serial}")
        household.area = area
        _register(organisation, advisor, household=household)
    protected_only = household_data(protected=True, serial=815, surname="Gömdsson", street="Dolda vägen 2")
    protected_only.area = "Ensligby"
    _register(organisation, advisor, household=protected_only)
    outsider = make_user("hr-skarholmen", "hyresradgivare", "HYRESRADGIVNING", org=other_organisation)
    elsewhere = household_data(serial=816, surname="Annansson", street="Bortavägen 3")
    elsewhere.area = "Bredäng"
    _register(other_organisation, outsider, household=elsewhere)

    from cases.models import Household
    from cases.protection import protected_household_ids

    distinct = list(Household.objects.filter(organisation=organisation).exclude(area="")
                    .exclude(pk__in=protected_household_ids()).order_by("area").values_list("area", flat=True).distinct())
    assert case_list_areas(advisor) == distinct
    assert {"Årsta", "Enskede", "Hemlingby"} <= set(distinct)
    assert not {"", "Ensligby", "Bredäng"} & set(distinct)
    assert case_list_areas(outsider) == ["Bredäng"]

"""The plan's [interpretation] choices are configuration (R10): edited by the system
administrator as a new version, used by routing, and stored with every decision."""

import pytest

from cases.models import PlanConfiguration, RoutingDecision
from cases.services import plan_config_for
from tests.factories import notice_data, register

ADMIN_ADD_URL = "/admin/cases/planconfiguration/add/"


def _form_data(organisation, **overrides):
    data = {
        "organisation": organisation.pk,
        "version": "2026.1",
        "elderly_age_limit": "70",
        "contact_window_working_days": "5",
        "urgency_fallback_days": "14",
        "lead_precedence": "MOTTAGNING_BARN_UNGA\nBARN_UNGA\nMOTTAGNING_VUXNA\nVUXNA\nEKONOMISKT_BISTAND",
        "special_housing_lead": "TRAINING_FLAT=BOSTAD\nTRIAL_FLAT=BOSTAD\nSHIS=BOSTAD",
        "task_due_working_days": "SEND_LETTER=2\nPHONE_CONTACT=2\nBOSAM_REVIEW=10",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_system_administrator_adds_a_plan_version_that_routing_then_uses(client, organisation, personas):
    client.force_login(personas["admin"])
    response = client.post(ADMIN_ADD_URL, _form_data(organisation))
    assert response.status_code == 302, response.content.decode()[:2000]
    active = PlanConfiguration.objects.get(organisation=organisation, is_active=True)
    assert active.version == "2026.1"
    config = plan_config_for(organisation)
    assert (config.version, config.elderly_age_limit, config.contact_window_working_days) == ("2026.1", 70, 5)

    # A 66-year-old is under the new limit of 70: R3b (hand-over to adult intake), not R3c.
    register(organisation, personas["hyresradgivare"], tenant_birth="19600101", serial=811)
    notice = register(organisation, personas["hyresradgivare"], tenant_birth="19600101", serial=811,
                      notice=notice_data("EVICTION_APPLICATION", received="2026-11-25", served=None))
    case = notice.case
    assert case.plan_version == "2026.1"
    assert case.lead_unit.code == "MOTTAGNING_VUXNA"
    assert set(RoutingDecision.objects.filter(case=case).values_list("plan_version", flat=True)) == {"2026.1"}


@pytest.mark.django_db
def test_a_second_version_replaces_the_first_and_both_are_kept(client, organisation, personas):
    client.force_login(personas["admin"])
    assert client.post(ADMIN_ADD_URL, _form_data(organisation)).status_code == 302
    assert client.post(ADMIN_ADD_URL, _form_data(organisation, version="2026.2", elderly_age_limit="67")).status_code == 302
    versions = dict(PlanConfiguration.objects.filter(organisation=organisation).values_list("version", "is_active"))
    assert versions == {"2026.1": False, "2026.2": True}
    assert plan_config_for(organisation).elderly_age_limit == 67


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lead_precedence", "MOTTAGNING_BARN_UNGA\nPÅHITTAD_ENHET", "Okända enhetskoder"),
        ("special_housing_lead", "SLOTT=BOSTAD", "Okända koder"),
        ("task_due_working_days", "SEND_LETTER=snart", "heltal"),
        ("task_due_working_days", "SEND_LETTER", "KOD=VÄRDE"),
        ("elderly_age_limit", "12", "50"),
    ],
)
def test_bad_configuration_gets_a_swedish_error_and_keeps_the_input(client, organisation, personas, field, value, message):
    client.force_login(personas["admin"])
    response = client.post(ADMIN_ADD_URL, _form_data(organisation, **{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "2026.1" in html  # the rest of the input is kept
    assert not PlanConfiguration.objects.exists()


@pytest.mark.django_db
def test_case_workers_cannot_edit_the_plan(client, personas):
    client.force_login(personas["barn"])
    response = client.get(ADMIN_ADD_URL)
    assert response.status_code in (302, 403)

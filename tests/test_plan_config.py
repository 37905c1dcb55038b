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


@pytest.mark.django_db
def test_the_legal_step_settings_are_edited_and_recorded_in_the_version(client, organisation, personas):
    """Issue 11: every new setting is editable in the plan configuration and stored with the version."""
    client.force_login(personas["admin"])
    response = client.post(ADMIN_ADD_URL, _form_data(
        organisation, urgency_fallback_days="3", escalation_lead_working_days="7", recovery_period_start="RECEIVED",
        report_of_concern_deviation_working_days="8", eviction_child_residences=["LIVING", "VISITING"],
        payment_decision_working_days="4", elderly_investigation_unit="MOTTAGNING_VUXNA",
    ))
    assert response.status_code == 302, response.content.decode()[:2000]
    settings = PlanConfiguration.objects.get(organisation=organisation, is_active=True).settings
    assert settings["urgency_fallback_days"] == 3
    assert settings["escalation_lead_working_days"] == 7
    assert settings["recovery_period_start"] == "RECEIVED"
    assert settings["report_of_concern_deviation_working_days"] == 8
    assert settings["eviction_child_residences"] == ["LIVING", "VISITING"]
    assert settings["payment_decision_working_days"] == 4
    assert settings["elderly_investigation_unit"] == "MOTTAGNING_VUXNA"
    config = plan_config_for(organisation)
    assert config.eviction_child_residences == ("LIVING", "VISITING") and config.recovery_period_start == "RECEIVED"
    # The edit page of the version shows what it holds.
    page = client.get(f"/admin/cases/planconfiguration/{PlanConfiguration.objects.get(is_active=True).pk}/change/").content.decode()
    assert 'name="escalation_lead_working_days" value="7"' in page
    # A unit code the organisation does not have is refused with the field named, and nothing is saved.
    versions = PlanConfiguration.objects.count()
    refused = client.post(ADMIN_ADD_URL, _form_data(organisation, version="2026.9", elderly_investigation_unit="FINNS_INTE"))
    assert refused.status_code == 200 and "Okända enhetskoder: FINNS_INTE" in refused.content.decode()
    assert PlanConfiguration.objects.count() == versions


@pytest.mark.django_db
def test_changing_the_urgency_setting_changes_urgency(organisation, personas):
    """urgency_fallback_days is the "within N working days" rule (issue 11; it was unused before)."""
    from cases import services

    # No BOSAM meeting planned: "within N working days" decides, as the date is beyond the 14-day horizon.
    def case_urgent(days: int) -> bool:
        PlanConfiguration.objects.filter(organisation=organisation).delete()
        PlanConfiguration.objects.create(organisation=organisation, version=f"t{days}", settings={"urgency_fallback_days": days})
        notice = register(organisation, personas["hyresradgivare"], serial=820 + days,
                          notice=notice_data("EVICTION_DATE", received="2026-11-20", served=None, eviction_date="2026-12-14"))
        services.run_daily_checks(today=D("2026-11-23"), organisation=organisation)
        notice.case.refresh_from_db()
        return notice.case.urgent

    import datetime as dt
    D = dt.date.fromisoformat
    # 2026-12-14 is 15 working days after 2026-11-23 and 21 calendar days away.
    assert case_urgent(5) is False
    assert case_urgent(15) is True


@pytest.mark.django_db
def test_automatic_registration_of_landlords_submissions_is_a_plan_setting(client, organisation, personas):
    """Issue 14 §2: off by default; the system administrator turns it on where the other settings are edited."""
    assert plan_config_for(organisation).submissions_auto_register is False
    client.force_login(personas["admin"])
    page = client.get(ADMIN_ADD_URL).content.decode()
    assert 'name="submissions_auto_register"' in page
    assert client.post(ADMIN_ADD_URL, _form_data(organisation, submissions_auto_register="on")).status_code == 302
    assert plan_config_for(organisation).submissions_auto_register is True
    active = PlanConfiguration.objects.get(organisation=organisation, is_active=True)
    change = client.get(f"/admin/cases/planconfiguration/{active.pk}/change/").content.decode()
    assert 'name="submissions_auto_register" checked' in change or 'checked name="submissions_auto_register"' in change \
        or ('id="id_submissions_auto_register" checked' in change)
    assert client.post(ADMIN_ADD_URL, _form_data(organisation, version="2026.3")).status_code == 302
    assert plan_config_for(organisation).submissions_auto_register is False

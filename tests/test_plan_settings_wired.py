"""Settings that used to do nothing (issue 9): each one wired or removed, and shown to change the behaviour."""

import dataclasses
import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from cases import services
from cases.models import PlanConfiguration, Task, TaskKind
from cases.rules import routing
from cases.rules.workdays import add_working_days
from tests.factories import household_data, notice_data
from tests.test_bosam_scenario import build_scenario

TODAY = dt.date(2026, 11, 23)  # a Monday


def _case(organisation, personas):
    result = services.notice_register(
        organisation=organisation, user=personas["hyresradgivare"], household=household_data(), notice=notice_data()
    )
    return result.case


@pytest.mark.django_db
@pytest.mark.parametrize("days", [3, 7])
def test_the_consultation_due_date_follows_the_plan(organisation, personas, days):
    config = routing.PlanConfig()
    due = tuple((kind, days if kind == TaskKind.CONSULT_TENANCY_ADVISOR else n) for kind, n in config.task_due_working_days)
    PlanConfiguration.objects.filter(organisation=organisation).update(is_active=False)
    PlanConfiguration.objects.create(organisation=organisation, version=f"test-{days}",
                                     settings=dataclasses.replace(config, task_due_working_days=due).to_dict())
    case = _case(organisation, personas)
    task = services.consult_tenancy_advisor(case=case, user=personas["barn"], question="Avbetalningsplan?", today=TODAY)
    assert task.due_date == add_working_days(TODAY, days)
    assert Task.objects.get(pk=task.pk).due_date == add_working_days(TODAY, days)


def test_the_default_consultation_due_date_is_three_working_days():
    assert routing.PlanConfig().due_days("CONSULT_TENANCY_ADVISOR") == 3


def test_housing_unit_is_gone_and_old_plan_settings_still_load():
    """`housing_unit` was never read (R7 names its units in special_housing_lead): removed, not left to mislead."""
    assert "housing_unit" not in {f.name for f in dataclasses.fields(routing.PlanConfig)}
    assert routing.PlanConfig.from_dict({"housing_unit": "BOSTAD", "elderly_age_limit": 67}).elderly_age_limit == 67


@pytest.mark.django_db
@pytest.mark.parametrize("site_url", ["https://avhysning.example.se", "https://bosam.stockholm.example/"])
def test_the_agenda_mail_links_absolutely_to_site_url(organisation, personas, site_url):
    with override_settings(SITE_URL=site_url):
        mail.outbox.clear()
        scenario = build_scenario(organisation, personas)  # prepares the agenda and tells the participants
    assert len(mail.outbox) == 1
    link = site_url.rstrip("/") + reverse("bosam:meeting_detail", args=[scenario.meeting.pk])
    assert f"dagordningen: {link}\n" in mail.outbox[0].body


@pytest.mark.django_db
def test_without_configuration_the_link_is_still_absolute(organisation, personas, settings):
    """SITE_URL comes from the environment with a development default; the mail never carries a relative link."""
    assert settings.SITE_URL.startswith("http")
    mail.outbox.clear()
    scenario = build_scenario(organisation, personas)
    path = reverse("bosam:meeting_detail", args=[scenario.meeting.pk])
    assert f"dagordningen: {settings.SITE_URL.rstrip('/')}{path}\n" in mail.outbox[0].body
    assert f"dagordningen: {path}" not in mail.outbox[0].body

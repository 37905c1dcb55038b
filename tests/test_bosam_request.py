"""Issue 12 item 5: a unit assigned to the case asks for it at BOSAM; the next prepared agenda lists it in section 2."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bosam import pdf, selectors, services
from bosam.models import AgendaSection, Meeting, MeetingDocument
from cases import services as case_services
from cases.models import AuditAction, AuditEvent, BosamRequest
from tests.factories import household_data, notice_data, register
from tests.test_bosam_pdf import text_of
from tests.test_bosam_scenario import D, build_scenario

pytestmark = pytest.mark.django_db


def _section(content, code):
    return next(s for s in content["sections"] if s["code"] == code)["items"]


@pytest.fixture
def quiet_case_and_agenda(organisation, personas):
    """A case that needs no forum (a disturbance warning, no deadline) and the prepared agenda that leaves it out."""
    scenario = build_scenario(organisation, personas)
    warned = register(organisation, personas["hyresradgivare"], household=household_data(serial=834, surname="Stilla", street="Tyst 1"),
                      notice=notice_data("DISTURBANCE_WARNING", received="2026-11-25", served=None, debt=None)).case
    services.meeting_close(meeting=scenario.meeting, user=personas["ordforande"], carry_over_item_ids=[])
    later = scenario.meeting.series.meetings.get(date=D("2026-12-15"))
    # The listener refreshes the agendas of meetings from today on: keep this one ahead of the real date.
    Meeting.objects.filter(pk=later.pk).update(date=max(later.date, timezone.localdate() + dt.timedelta(days=1)))
    later.refresh_from_db()
    services.agenda_prepare(meeting=later, today=D("2026-12-11"))
    assert warned.number not in [i["number"] for i in _section(selectors.agenda_content(later), AgendaSection.AT_RISK)]
    return warned, later


def test_a_units_request_puts_the_case_in_section_two_of_the_prepared_agenda(
    quiet_case_and_agenda, personas, django_capture_on_commit_callbacks,
):
    case, meeting = quiet_case_and_agenda
    advisor = personas["hyresradgivare"]  # the hyresrådgivning is the lead of this case
    with django_capture_on_commit_callbacks(execute=True):
        case_services.bosam_request(case=case, user=advisor, reason="Hyresvärden vill inte vänta längre.")
    content = selectors.agenda_content(meeting)
    items = {i["number"]: i for i in _section(content, AgendaSection.AT_RISK)}
    assert case.number in items
    assert items[case.number]["requests"] == [{"unit": advisor.unit.name, "reason": "Hyresvärden vill inte vänta längre."}]
    assert AuditEvent.objects.filter(case=case, action=AuditAction.CASE_CHANGE, detail__startswith="BOSAM_REQUEST").exists()


def test_only_a_unit_assigned_to_the_case_may_request(quiet_case_and_agenda, personas, client):
    case, _meeting = quiet_case_and_agenda
    outsider = personas["vuxna"]
    assert not case.assignments.filter(unit=outsider.unit, ended_at__isnull=True).exists()
    with pytest.raises(case_services.BosamRequestRefused):
        case_services.bosam_request(case=case, user=outsider, reason="Vill ha upp det.")
    client.force_login(outsider)
    data = {"bosam-reason": "Vill ha upp det.", "bosam-version": case.version}
    response = client.post(reverse("cases:bosam_request", args=[case.pk]), data)
    assert response.status_code in (403, 404)
    assert not BosamRequest.objects.exists()


def test_the_case_page_offers_the_request_and_the_chair_sees_it_on_the_agenda_and_pdf(
    quiet_case_and_agenda, personas, client, django_capture_on_commit_callbacks,
):
    case, meeting = quiet_case_and_agenda
    client.force_login(personas["hyresradgivare"])
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Begär att ärendet tas upp på BOSAM" in page
    url = reverse("cases:bosam_request", args=[case.pk])
    empty = client.post(url, {"bosam-reason": "", "bosam-version": case.version})
    assert empty.status_code == 400 and not BosamRequest.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"bosam-reason": "Familjen riskerar att bli hemlös.", "bosam-version": case.version})
    assert response.status_code == 302
    page = client.get(reverse("cases:detail", args=[case.pk]) + "?visa=bosam").content.decode()
    assert "begärde att ärendet tas upp på BOSAM" in page and "Familjen riskerar att bli hemlös." in page
    client.force_login(personas["ordforande"])
    html = client.get(reverse("bosam:meeting_detail", args=[meeting.pk])).content.decode()
    assert f"begärt av {personas['hyresradgivare'].unit.name}: Familjen riskerar att bli hemlös." in html
    text = " ".join(text_of(pdf.document_pdf(meeting, MeetingDocument.Kind.AGENDA))[0].split())
    assert f"begärt av {personas['hyresradgivare'].unit.name}: Familjen riskerar att bli hemlös." in text



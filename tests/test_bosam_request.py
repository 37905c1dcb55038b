"""Issue 12 item 5: a unit assigned to the case asks for it at BOSAM. The request stands (section 2 of every
prepared agenda) until a meeting discusses the case, is then handled (who, when, which meeting), can be
withdrawn by its unit while open, and shows on the agenda only as its unit and its coded reason."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from bosam import pdf, selectors, services
from bosam.models import AgendaSection, Meeting, MeetingDocument, MeetingStatus
from cases import services as case_services
from cases.models import AuditAction, AuditEvent, BosamRequest, BosamRequestReason, BosamRequestStatus
from tests.factories import household_data, notice_data, register
from tests.test_bosam_pdf import text_of
from tests.test_bosam_scenario import D, build_scenario

# A request reaches the prepared agendas through the worker (bosam.tasks.refresh_agendas_for_cases_task), run here at
# once as the worker runs it.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_worker_inline")]
DETAILS = "Hyresvärden Kalle Anka vill inte vänta längre."


def _section(content, code):
    return next(s for s in content["sections"] if s["code"] == code)["items"]


def _numbers(meeting):
    return [i["number"] for s in selectors.agenda_content(meeting)["sections"] for i in s["items"]]


def _ahead(meeting, today):
    """The listener refreshes the agendas of meetings from today on: keep the meeting ahead of the real date."""
    Meeting.objects.filter(pk=meeting.pk).update(date=max(meeting.date, timezone.localdate() + dt.timedelta(days=1)))
    meeting.refresh_from_db()
    services.agenda_prepare(meeting=meeting, today=today)
    return meeting


@pytest.fixture
def quiet_case_and_agenda(organisation, personas):
    """A case that needs no forum (a disturbance warning, no deadline) and the prepared agenda that leaves it out."""
    scenario = build_scenario(organisation, personas)
    warned = register(organisation, personas["hyresradgivare"], household=household_data(serial=834, surname="Stilla", street="Tyst 1"),
                      notice=notice_data("DISTURBANCE_WARNING", received="2026-11-25", served=None, debt=None)).case
    services.meeting_close(meeting=scenario.meeting, user=personas["ordforande"], carry_over_item_ids=[])
    later = _ahead(scenario.meeting.series.meetings.get(date=D("2026-12-15")), D("2026-12-11"))
    assert warned.number not in _numbers(later)
    return warned, later


def _request(case, user, reason=BosamRequestReason.EVICTION_DATE_NEAR, details="", capture=None):
    if capture is None:
        return case_services.bosam_request(case=case, user=user, reason=reason, details=details)
    with capture(execute=True):
        return case_services.bosam_request(case=case, user=user, reason=reason, details=details)


def test_a_units_request_puts_the_case_in_section_two_with_its_coded_reason(
    quiet_case_and_agenda, personas, django_capture_on_commit_callbacks,
):
    case, meeting = quiet_case_and_agenda
    advisor = personas["hyresradgivare"]  # the hyresrådgivning is the lead of this case
    _request(case, advisor, details=DETAILS, capture=django_capture_on_commit_callbacks)
    items = {i["number"]: i for i in _section(selectors.agenda_content(meeting), AgendaSection.AT_RISK)}
    assert items[case.number]["requests"] == [
        {"unit": advisor.unit.name, "reason": "EVICTION_DATE_NEAR", "reason_label": "Avhysningen är nära"},
    ]
    detail = "BOSAM_REQUEST HYRESRADGIVNING EVICTION_DATE_NEAR"
    assert AuditEvent.objects.filter(case=case, action=AuditAction.CASE_CHANGE, detail=detail).exists()


def test_only_a_unit_assigned_to_the_case_may_request(quiet_case_and_agenda, personas, client):
    case, _meeting = quiet_case_and_agenda
    outsider = personas["vuxna"]
    assert not case.assignments.filter(unit=outsider.unit, ended_at__isnull=True).exists()
    with pytest.raises(case_services.BosamRequestRefused):
        _request(case, outsider)
    client.force_login(outsider)
    data = {"bosam-reason": "EVICTION_DATE_NEAR", "bosam-version": case.version}
    response = client.post(reverse("cases:bosam_request", args=[case.pk]), data)
    assert response.status_code in (403, 404)
    assert not BosamRequest.objects.exists()


def test_the_reason_is_a_code_and_other_needs_a_description(quiet_case_and_agenda, personas, client):
    case, _meeting = quiet_case_and_agenda
    advisor = personas["hyresradgivare"]
    with pytest.raises(case_services.BosamRequestRefused):
        _request(case, advisor, reason="Familjen riskerar att bli hemlös.")
    with pytest.raises(case_services.BosamRequestRefused):
        _request(case, advisor, reason=BosamRequestReason.OTHER)
    client.force_login(advisor)
    url = reverse("cases:bosam_request", args=[case.pk])
    for data in ({"bosam-reason": ""}, {"bosam-reason": "Familjen riskerar att bli hemlös."}, {"bosam-reason": "OTHER"}):
        response = client.post(url, {**data, "bosam-version": case.version})
        assert response.status_code == 400, data
    assert not BosamRequest.objects.exists()
    # The database holds the invariants too.
    for bad in ({"reason": "FREE TEXT"}, {"reason": "OTHER", "details": ""}):
        with pytest.raises(IntegrityError), transaction.atomic():
            BosamRequest.objects.create(case=case, unit=advisor.unit, **{"details": "x", **bad})


def test_one_open_request_per_case_and_unit(quiet_case_and_agenda, personas, client):
    case, _meeting = quiet_case_and_agenda
    advisor = personas["hyresradgivare"]
    _request(case, advisor)
    with pytest.raises(case_services.BosamRequestRefused):
        _request(case, advisor, reason=BosamRequestReason.CHILDREN_WITHOUT_CONTACT)
    with pytest.raises(IntegrityError), transaction.atomic():
        BosamRequest.objects.create(case=case, unit=advisor.unit, reason=BosamRequestReason.NEEDS_OTHER_UNIT_DECISION)
    # Handled or withdrawn requests do not count: the unit can ask again.
    BosamRequest.objects.update(status=BosamRequestStatus.WITHDRAWN, withdrawn_at=timezone.now())
    _request(case, advisor, reason=BosamRequestReason.CHILDREN_WITHOUT_CONTACT)
    assert BosamRequest.objects.filter(status=BosamRequestStatus.OPEN).count() == 1
    # The case page no longer offers a second request while one is open.
    client.force_login(advisor)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Återkalla begäran" in page and 'name="bosam-reason"' not in page


def test_the_request_stands_until_a_meeting_discusses_the_case(
    quiet_case_and_agenda, personas, django_capture_on_commit_callbacks, client,
):
    case, meeting = quiet_case_and_agenda
    advisor, chair = personas["hyresradgivare"], personas["ordforande"]
    made = _request(case, advisor, capture=django_capture_on_commit_callbacks)
    assert case.number in _numbers(meeting)
    # The meeting does not get to it: carried over, the request stays open and the next agenda has the case.
    services.meeting_close(meeting=meeting, user=chair)
    made.refresh_from_db()
    assert made.status == BosamRequestStatus.OPEN
    following = meeting.series.meetings.filter(date__gt=meeting.date, status=MeetingStatus.PLANNED).order_by("date").first()
    following = _ahead(following, following.date - dt.timedelta(days=4))
    item = following.items.get(case=case)
    entry = next(i for i in _section(selectors.agenda_content(following), AgendaSection.AT_RISK) if i["number"] == case.number)
    assert [r["reason"] for r in entry["requests"]] == ["EVICTION_DATE_NEAR"]
    # Discussed there: handled by that meeting, by the chair.
    with django_capture_on_commit_callbacks(execute=True):
        services.item_discussed_set(item=item, user=chair, discussed=True)
    made.refresh_from_db()
    assert (made.status, made.handled_meeting_id, made.handled_meeting_date, made.handled_by) == (
        BosamRequestStatus.HANDLED, following.pk, following.date, chair)
    assert made.handled_at is not None
    assert AuditEvent.objects.filter(case=case, detail__startswith=f"BOSAM_REQUEST_HANDLED {following.date}").exists()
    # The minutes still show the request this meeting handled; the case page says so.
    services.meeting_close(meeting=following, user=chair)
    following.refresh_from_db()
    entry = next(i for s in following.minutes["sections"] for i in s["items"] if i["number"] == case.number)
    assert entry["requests"] == [{"unit": advisor.unit.name, "reason": "EVICTION_DATE_NEAR", "reason_label": "Avhysningen är nära"}]
    client.force_login(advisor)
    page = client.get(reverse("cases:detail", args=[case.pk]) + "?visa=bosam").content.decode()
    assert f"Behandlad på BOSAM-mötet {following.date.isoformat()}" in page
    # A later agenda does not take the case for the handled request.
    after = following.series.meetings.filter(date__gt=following.date, status=MeetingStatus.PLANNED).order_by("date").first()
    assert case.pk not in selectors.open_request_case_ids(after)


def test_undoing_behandlad_opens_the_request_again(quiet_case_and_agenda, personas):
    case, meeting = quiet_case_and_agenda
    chair = personas["ordforande"]
    made = _request(case, personas["hyresradgivare"])
    services.agenda_prepare(meeting=meeting, today=D("2026-12-11"))
    item = meeting.items.get(case=case)
    services.item_discussed_set(item=item, user=chair, discussed=True)
    made.refresh_from_db()
    assert made.status == BosamRequestStatus.HANDLED
    services.item_discussed_set(item=item, user=chair, discussed=False)
    made.refresh_from_db()
    assert (made.status, made.handled_at, made.handled_meeting_id) == (BosamRequestStatus.OPEN, None, None)


def test_a_note_or_an_activity_handles_the_request_and_locking_handles_what_the_chair_unticked(
    quiet_case_and_agenda, personas, organisation,
):
    case, meeting = quiet_case_and_agenda
    chair, advisor = personas["ordforande"], personas["hyresradgivare"]
    other = register(organisation, advisor, household=household_data(serial=835, surname="Tyst", street="Tyst 2"),
                     notice=notice_data("DISTURBANCE_WARNING", received="2026-11-26", served=None, debt=None)).case
    third = register(organisation, advisor, household=household_data(serial=836, surname="Lugn", street="Tyst 3"),
                     notice=notice_data("DISTURBANCE_WARNING", received="2026-11-26", served=None, debt=None)).case
    requests = {c.pk: _request(c, advisor) for c in (case, other, third)}
    services.agenda_prepare(meeting=meeting, today=D("2026-12-11"))
    services.item_note_save(item=meeting.items.get(case=case), user=chair, note="Följs upp av enheten.")
    assert BosamRequest.objects.get(pk=requests[case.pk].pk).status == BosamRequestStatus.HANDLED
    assert BosamRequest.objects.get(pk=requests[other.pk].pk).status == BosamRequestStatus.OPEN
    # Locked with `other` unticked (discussed after all) and `third` carried over.
    services.meeting_close(meeting=meeting, user=chair, carry_over_item_ids=[meeting.items.get(case=third).pk])
    assert BosamRequest.objects.get(pk=requests[other.pk].pk).status == BosamRequestStatus.HANDLED
    assert BosamRequest.objects.get(pk=requests[third.pk].pk).status == BosamRequestStatus.OPEN


def test_the_requesting_unit_withdraws_after_confirming(
    quiet_case_and_agenda, personas, client, django_capture_on_commit_callbacks,
):
    case, meeting = quiet_case_and_agenda
    advisor = personas["hyresradgivare"]
    made = _request(case, advisor, capture=django_capture_on_commit_callbacks)
    assert case.number in _numbers(meeting)
    case.refresh_from_db()
    url = reverse("cases:bosam_request_withdraw", args=[case.pk])
    data = {"bosam-withdraw-version": case.version, "bosam-withdraw-request": made.pk}
    client.force_login(advisor)
    unconfirmed = client.post(url, data)
    assert unconfirmed.status_code == 400 and BosamRequest.objects.get(pk=made.pk).is_open
    # Another unit on the case cannot withdraw it.
    case_services.assignment_change(case=case, user=advisor, unit=personas["vuxna"].unit, role="ASSIGNED", reason="Samarbete")
    with pytest.raises(case_services.BosamRequestRefused):
        case_services.bosam_request_withdraw(case=case, user=personas["vuxna"], bosam_request_id=made.pk)
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "bosam-withdraw-version": case.version, "bosam-withdraw-confirm": "on"})
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.status, made.withdrawn_by) == (BosamRequestStatus.WITHDRAWN, advisor) and made.withdrawn_at is not None
    assert case.number not in _numbers(meeting)  # the prepared agenda let it go
    page = client.get(reverse("cases:detail", args=[case.pk]) + "?visa=bosam").content.decode()
    assert "Återkallad" in page and 'name="bosam-reason"' in page  # it can be asked for again


def test_the_details_stay_on_the_case_page_and_the_agenda_shows_the_label(
    quiet_case_and_agenda, personas, client, django_capture_on_commit_callbacks,
):
    case, meeting = quiet_case_and_agenda
    client.force_login(personas["hyresradgivare"])
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Begär att ärendet tas upp på BOSAM" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:bosam_request", args=[case.pk]),
                               {"bosam-reason": "OTHER", "bosam-details": DETAILS, "bosam-version": case.version})
    assert response.status_code == 302
    page = client.get(reverse("cases:detail", args=[case.pk]) + "?visa=bosam").content.decode()
    assert "begärde att ärendet tas upp på BOSAM" in page and DETAILS in page
    client.force_login(personas["ordforande"])
    unit = personas["hyresradgivare"].unit.name
    html = client.get(reverse("bosam:meeting_detail", args=[meeting.pk])).content.decode()
    assert f"begärt av {unit}: Annat" in html and "Kalle Anka" not in html
    text = " ".join(text_of(pdf.document_pdf(meeting, MeetingDocument.Kind.AGENDA))[0].split())
    assert f"begärt av {unit}: Annat" in text and "Kalle" not in text


def test_minutes_locked_with_a_free_text_reason_show_only_the_label(quiet_case_and_agenda, personas):
    """Minutes frozen before the reasons were codes held the unit's text: it is not shown any more."""
    _case, meeting = quiet_case_and_agenda
    services.meeting_close(meeting=meeting, user=personas["ordforande"], carry_over_item_ids=[])
    meeting.refresh_from_db()
    minutes = meeting.minutes
    entry = minutes["sections"][1]["items"][0] if minutes["sections"][1]["items"] else minutes["sections"][0]["items"][0]
    entry["requests"] = [{"unit": "Hyresrådgivningen", "reason": DETAILS}]
    Meeting.objects.filter(pk=meeting.pk).update(minutes=minutes)
    meeting.refresh_from_db()
    shown = next(i for s in selectors.agenda_content(meeting)["sections"] for i in s["items"] if i["number"] == entry["number"])
    assert shown["requests"] == [{"unit": "Hyresrådgivningen", "reason": "OTHER", "reason_label": "Annat"}]

"""The landlords' channel (issue 14 §2): receipts, the queue, registering through the intake service, the boundaries."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from cases.models import AuditAction, AuditEvent, Notice, NoticeChannel
from organisation.models import ApiScope, ApiToken
from submissions import services
from submissions.models import Submission, SubmissionStatus
from tests.factories import register
from tests.submission_fixtures import PASSWORD, submission_body, token_client

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/submissions/"


def register_url(pk: int) -> str:
    return f"/api/v1/submissions/{pk}/register/"


def post_json(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def staff_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


# --- receiving ---------------------------------------------------------------------------------


def test_a_landlord_token_submits_and_gets_a_receipt_with_the_sender_fixed(landlords):
    api = token_client(landlords["familjebostader"])
    response = post_json(api, LIST_URL, submission_body())
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {"id", "status", "received_at"} and data["status"] == "RECEIVED"
    submission = Submission.objects.get(pk=data["id"])
    # The body named another landlord and a unit: the sender is the token's landlord, the units are dropped.
    assert submission.landlord.org_number == "556035-8672"
    assert submission.payload["landlord"] == {"name": "AB Familjebostäder", "org_number": "556035-8672", "reference": "H-77"}
    assert submission.payload["household"]["active_units"] == []
    assert (submission.channel, submission.payload["channel"], submission.payload["sender_kind"]) == ("API", "API", "LANDLORD")
    assert submission.missing == []
    assert AuditEvent.objects.filter(action=AuditAction.SUBMISSION_RECEIVE, user=landlords["familjebostader"]).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([1, 2], "non_field_errors"),
        ("text", "non_field_errors"),
        ({}, "household"),
        ({**submission_body(), "notice_type": "EVICTION_DATE"}, "notice_type"),
        ({**submission_body(), "debt_amount": "-1"}, "debt_amount"),
        ({**submission_body(), "served_date": "2026-02-30"}, "served_date"),
        ({**submission_body(), "household": {**submission_body()["household"], "members": [
            {"name": "X", "personal_identity_number": "19860314-0000", "role": "TENANT"}]}}, "household"),
        ({**submission_body(), "description": "a\x00b"}, "description"),
    ],
)
def test_an_invalid_body_is_400_with_field_errors_and_stores_nothing(landlords, body, field):
    api = token_client(landlords["familjebostader"])
    response = post_json(api, LIST_URL, body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Submission.objects.exists()


def test_a_termination_without_recovery_amount_or_served_date_is_flagged_komplettering_begard(landlords, personas):
    api = token_client(landlords["familjebostader"])
    response = post_json(api, LIST_URL, submission_body(served=False, recovery=False))
    assert response.status_code == 201
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.missing == ["RECOVERY_AMOUNT", "SERVED_DATE"] and submission.completion_requested
    listed = api.get(LIST_URL).json()["results"]
    assert listed[0]["completion_requested"] is True
    # The landlord's receipt says so in words; the queue flags it to staff.
    client = Client()
    client.force_login(landlords["familjebostader"])
    assert "Komplettering begärd" in client.get(f"/hyresvard/{submission.pk}/").content.decode()
    staff = Client()
    staff.force_login(personas["hyresradgivare"])
    page = staff.get(f"/arenden/inkomna/{submission.pk}/").content.decode()
    assert "Delgivningsdatum saknas" in page and "Belopp för att återvinna hyresrätten saknas" in page
    # One click is refused; the API says what is missing.
    response = staff_client(personas["hyresradgivare"]).post(register_url(submission.pk), format="json")
    assert response.status_code == 400 and response.json()["missing"] == ["RECOVERY_AMOUNT", "SERVED_DATE"]


def test_submissions_are_rate_limited_per_token(landlords, settings):
    settings.SUBMISSIONS_API_RATE = "3/min"
    api = token_client(landlords["familjebostader"])
    statuses = [post_json(api, LIST_URL, submission_body(serial=801 + i)).status_code for i in range(4)]
    assert statuses == [201, 201, 201, 429]
    # Another landlord's token has its own budget.
    assert post_json(token_client(landlords["stockholmshem"]), LIST_URL, submission_body(serial=900)).status_code == 201


# --- who sees what ------------------------------------------------------------------------------


def test_one_landlords_submissions_are_invisible_to_another_on_the_web_and_in_the_api(landlords):
    mine = services.submission_receive(user=landlords["familjebostader"], channel="API", body=submission_body())
    theirs = services.submission_receive(user=landlords["stockholmshem"], channel="API", body=submission_body(serial=802))
    api = token_client(landlords["stockholmshem"])
    ids = [row["id"] for row in api.get(LIST_URL).json()["results"]]
    assert ids == [theirs.pk]
    assert set(api.get(LIST_URL).json()["results"][0]) == {"id", "status", "received_at", "completion_requested", "rejected_reason"}
    client = Client()
    client.force_login(landlords["stockholmshem"])
    assert client.get(f"/hyresvard/{mine.pk}/").status_code == 404
    assert client.get(f"/hyresvard/{theirs.pk}/").status_code == 200
    assert mine.reference not in client.get("/hyresvard/").content.decode()
    # Nor can it register anything.
    assert api.post(register_url(theirs.pk), format="json").status_code == 403


def test_the_queue_never_shows_another_organisations_submissions(landlords, personas):
    ours = services.submission_receive(user=landlords["familjebostader"], channel="API", body=submission_body())
    other = services.submission_receive(user=landlords["skarholmen"], channel="API", body=submission_body(serial=803))
    staff = staff_client(personas["hyresradgivare"])
    assert [row["id"] for row in staff.get(LIST_URL).json()["results"]] == [ours.pk]
    assert staff.get(LIST_URL + "?status=ALL").json()["count"] == 1
    assert staff.post(register_url(other.pk), format="json").status_code == 404
    page = Client()
    page.force_login(personas["hyresradgivare"])
    html = page.get("/arenden/inkomna/").content.decode()
    assert ours.reference in html and other.reference not in html
    assert page.get(f"/arenden/inkomna/{other.pk}/").status_code == 404
    # The menu counts the organisation's waiting submissions only.
    assert 'Inkomna underrättelser <span class="badge text-bg-light">1<' in html


def test_a_notices_submit_token_reads_no_case_and_no_staff_endpoint(landlords, personas):
    from tests.test_access_matrix import all_routes

    case = register(personas["hyresradgivare"].organisation, personas["hyresradgivare"]).case
    user = landlords["familjebostader"]
    for scopes in (["notices:submit"], ["staff"], ["notices:submit", "staff"]):
        api = token_client(user, scopes)
        for route in all_routes():
            if not route.name.startswith(("api-", "bosam-api")) or route.name == "api-submission-list":
                continue
            from django.urls import reverse

            kwargs = {name: case.pk for name in route.params}
            url = reverse(route.name, kwargs=kwargs)
            for method in ("get", "post"):
                response = getattr(api, method)(url, data={}, format="json")
                assert response.status_code in (403, 405), f"{scopes} {method} {url}: {response.status_code}"
                assert case.number not in response.content.decode()
    assert not AuditEvent.objects.filter(case=case, user=user).exists()
    # The one endpoint it has: the list answers the landlord's own submissions only when the token may submit.
    assert token_client(user, ["staff"]).get(LIST_URL).status_code == 403
    assert token_client(user).get(LIST_URL).status_code == 200


def test_a_hyresradgivare_with_a_notices_submit_token_gets_no_queue(personas):
    api = token_client(personas["hyresradgivare"])
    assert api.get(LIST_URL).status_code == 403
    assert post_json(api, LIST_URL, submission_body()).status_code == 403


# --- registering --------------------------------------------------------------------------------


def test_registering_by_api_makes_the_case_through_the_intake_service(landlords, personas):
    submission = services.submission_receive(user=landlords["familjebostader"], channel="API", body=submission_body())
    staff = staff_client(personas["hyresradgivare"])
    response = staff.post(register_url(submission.pk), format="json")
    assert response.status_code == 201, response.content
    case = response.json()["case"]
    # The same <case> as POST /api/v1/notices/ answers.
    assert {"id", "number", "status", "lead_unit", "assignments", "tasks", "explanation", "recovery_deadline"} <= set(case)
    assert case["lead_unit"] and case["tasks"] and case["recovery_deadline"]
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REGISTERED and submission.notice.case_id == case["id"]
    notice = Notice.objects.get(pk=submission.notice_id)
    assert (notice.channel, notice.landlord.org_number, notice.landlord_reference) == (NoticeChannel.API, "556035-8672", "H-77")
    assert notice.registered_by == personas["hyresradgivare"]
    # A second click is a conflict, not a second case.
    assert staff.post(register_url(submission.pk), format="json").status_code == 409
    assert Notice.objects.count() == 1
    listed = token_client(landlords["familjebostader"]).get(LIST_URL).json()["results"]
    assert listed[0]["status"] == "REGISTERED" and "case" not in listed[0]


def test_allow_missing_registers_a_flagged_submission_and_the_case_is_flagged(landlords, personas):
    submission = services.submission_receive(user=landlords["familjebostader"], channel="API", body=submission_body(served=False))
    response = staff_client(personas["hyresradgivare"]).post(register_url(submission.pk), {"allow_missing": True}, format="json")
    assert response.status_code == 201
    assert "SERVED_DATE_MISSING" in response.json()["case"]["flags"]


def test_the_queue_registers_in_one_click_and_the_landlord_sees_registered(landlords, personas):
    submission = services.submission_receive(user=landlords["familjebostader"], channel="PORTAL", body=submission_body())
    staff = Client()
    staff.force_login(personas["hyresradgivare"])
    detail = staff.get(f"/arenden/inkomna/{submission.pk}/")
    assert detail.status_code == 200 and "Registrera underrättelsen" in detail.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.SUBMISSION_VIEW, user=personas["hyresradgivare"]).count() == 1
    response = staff.post(f"/arenden/inkomna/{submission.pk}/registrera/")
    submission.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == f"/arenden/{submission.notice.case_id}/beslut/"
    assert submission.notice.channel == NoticeChannel.PORTAL
    landlord = Client()
    landlord.force_login(landlords["familjebostader"])
    receipt = landlord.get(f"/hyresvard/{submission.pk}/").content.decode()
    assert "REGISTERED" in receipt and submission.notice.case.number not in receipt


def test_the_prefilled_form_registers_what_the_advisor_completed(landlords, personas):
    submission = services.submission_receive(user=landlords["familjebostader"], channel="PORTAL", body=submission_body(served=False))
    staff = Client()
    staff.force_login(personas["hyresradgivare"])
    page = staff.get(f"/arenden/inkomna/{submission.pk}/formular/")
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["landlord_org_number"] == "556035-8672" and form.initial["recovery_amount"] == "18450.00"
    assert page.context["formset"].initial[0]["name"] == "Test Testsson"
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update({"served_date": submission.payload["termination_date"], "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0",
                 "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "30", "members-0-name": "Test Testsson",
                 "members-0-personal_identity_number": submission.payload["household"]["members"][0]["personal_identity_number"],
                 "members-0-role": "TENANT"})
    response = staff.post(f"/arenden/inkomna/{submission.pk}/formular/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    submission.refresh_from_db()
    assert submission.status == "REGISTERED" and submission.notice.served_date.isoformat() == submission.payload["termination_date"]
    assert submission.notice.channel == NoticeChannel.PORTAL


def test_rejecting_needs_a_reason_the_landlord_then_reads(landlords, personas):
    submission = services.submission_receive(user=landlords["familjebostader"], channel="API", body=submission_body())
    staff = Client()
    staff.force_login(personas["hyresradgivare"])
    staff.post(f"/arenden/inkomna/{submission.pk}/avvisa/", {"reason": ""})
    submission.refresh_from_db()
    assert submission.status == "RECEIVED"
    staff.post(f"/arenden/inkomna/{submission.pk}/avvisa/", {"reason": "Adressen ligger i en annan stadsdel."})
    submission.refresh_from_db()
    assert submission.status == "REJECTED"
    rows = token_client(landlords["familjebostader"]).get(LIST_URL).json()["results"]
    assert rows[0]["status"] == "REJECTED" and rows[0]["rejected_reason"] == "Adressen ligger i en annan stadsdel."


def test_the_database_holds_the_invariants(landlords):
    from django.db import IntegrityError, transaction

    submission = services.submission_receive(user=landlords["familjebostader"], channel="API", body=submission_body())
    for changes in ({"status": "REGISTERED"}, {"status": "REJECTED"}, {"status": "DONE"}, {"channel": "POST"},
                    {"rejected_reason": "x"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Submission.objects.filter(pk=submission.pk).update(**changes)


# --- automatic registration ---------------------------------------------------------------------


def _auto_on(organisation):
    from cases.plan_admin import plan_configuration_activate

    plan_configuration_activate(organisation=organisation, version="2026.auto", settings={"submissions_auto_register": True})


def test_the_plan_setting_registers_complete_submissions_automatically_once(landlords, organisation, django_capture_on_commit_callbacks,
                                                                            monkeypatch):
    from submissions import tasks

    queued = []
    monkeypatch.setattr(tasks.submission_auto_register_task, "delay", lambda pk: queued.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        off = services.submission_receive(user=landlords["familjebostader"], channel="API", body=submission_body())
    assert queued == []
    _auto_on(organisation)
    with django_capture_on_commit_callbacks(execute=True):
        complete = services.submission_receive(user=landlords["familjebostader"], channel="API", body=submission_body(serial=805))
        flagged = services.submission_receive(user=landlords["familjebostader"], channel="API",
                                              body=submission_body(serial=806, served=False))
    assert queued == [complete.pk]
    # The task itself, run twice: one notice.
    assert tasks.submission_auto_register_task(complete.pk) is not None
    assert tasks.submission_auto_register_task(complete.pk) is None
    assert tasks.submission_auto_register_task(flagged.pk) is None
    complete.refresh_from_db(), flagged.refresh_from_db(), off.refresh_from_db()
    assert (complete.status, flagged.status, off.status) == ("REGISTERED", "RECEIVED", "RECEIVED")
    assert complete.notice.registered_by is None and complete.notice.channel == "API"


# --- statistics ---------------------------------------------------------------------------------


def test_a_registered_submission_counts_as_its_channel_in_statistics(landlords, personas, organisation):
    import datetime as dt

    from django.utils import timezone

    from followup import statistics
    from followup.statistics import Scope

    submission = services.submission_receive(user=landlords["familjebostader"], channel="PORTAL", body=submission_body())
    services.submission_register(submission=submission, user=personas["hyresradgivare"])
    today = timezone.localdate()
    figures = statistics.compute(Scope(organisation_ids=(organisation.pk,)), today - dt.timedelta(days=1), today).extra
    assert figures["notices_by_channel"]["PORTAL"] == 1 and figures["notices_by_channel"]["API"] == 0


# --- accounts and tokens ------------------------------------------------------------------------


def test_create_api_token_for_a_landlord_account_defaults_to_notices_submit(landlords, capsys):
    call_command("create_api_token", "familjebostader")
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=landlords["familjebostader"])
    assert token.scopes == [ApiScope.NOTICES_SUBMIT]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert post_json(api, LIST_URL, submission_body()).status_code == 201
    with pytest.raises(CommandError):
        call_command("create_api_token", "familjebostader", "--scope", "staff")


def test_the_admin_binds_hyresvard_to_one_landlord_and_nobody_else(landlords, personas, organisation):
    from django.contrib import admin
    from django.contrib.auth.models import Group
    from django.test import RequestFactory

    from cases.models import Landlord
    from organisation.models import User

    landlord = Landlord.objects.get(organisation=organisation, org_number="556035-8672")
    hyresvard, advisor = Group.objects.get(name="hyresvard"), Group.objects.get(name="hyresradgivare")

    def form_for(user, **changes):
        request = RequestFactory().get("/admin/")
        request.user = personas["admin"]
        form_class = admin.site._registry[User].get_form(request, user)
        data = {"username": user.username, "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00", "is_active": "on",
                "groups": [g.pk for g in user.groups.all()], "landlord": user.landlord_id or "", **changes}
        return form_class(data=data, instance=user)

    target = landlords["familjebostader"]
    assert form_for(target).is_valid(), form_for(target).errors
    assert "landlord" in form_for(target, landlord="").errors
    assert "groups" in form_for(target, groups=[hyresvard.pk, advisor.pk]).errors
    assert "landlord" in form_for(personas["barn"], landlord=landlord.pk).errors


def test_the_landlord_reaches_its_area_and_signs_in_to_it(landlords):
    client = Client()
    response = client.post("/konto/logga-in/", {"username": "familjebostader", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/")["Location"] == "/hyresvard/"
    page = client.get("/hyresvard/").content.decode()
    assert "Mina underrättelser" in page and "Mina ärenden" not in page
    assert client.get("/arenden/").status_code == 403
    assert client.get("/arenden/notiser/").status_code == 403


def test_the_portal_form_uses_the_intake_forms_rules_and_messages(landlords):
    client = Client()
    client.force_login(landlords["familjebostader"])
    page = client.get("/hyresvard/ny/")
    assert page.status_code == 200
    fields = set(page.context["form"].fields)
    assert {"notice_type", "served_date", "recovery_amount"} <= fields
    assert not fields & {"sender_kind", "channel", "landlord_name", "received_date", "active_units", "kronofogden_reference"}
    data = {"notice_type": "RENT_ARREARS_TERMINATION", "street_address": "Sockenvägen 290", "apartment_number": "11",
            "housing_type": "ORDINARY", "debt_amount": "100", "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "30", "members-0-name": "Test Testsson",
            "members-0-personal_identity_number": "19860314-9801", "members-0-role": "TENANT"}
    response = client.post("/hyresvard/ny/", data)
    assert response.status_code == 400
    assert "Lägenhetsnumret ska ha fyra siffror." in response.content.decode()
    data["apartment_number"] = "1102"
    response = client.post("/hyresvard/ny/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    submission = Submission.objects.get()
    assert response["Location"] == f"/hyresvard/{submission.pk}/"
    assert submission.channel == "PORTAL" and submission.missing == ["RECOVERY_AMOUNT", "SERVED_DATE"]
    assert submission.payload["household"]["members"][0]["personal_identity_number"] == "198603149801"


def test_a_rejected_submission_is_deleted_by_the_retention_run_after_its_days_and_a_waiting_one_is_kept(
        landlords, personas, settings):
    import datetime as dt

    from django.utils import timezone

    from cases.services.retention import retention_run

    settings.SUBMISSION_RETENTION_DAYS = 90
    rejected = services.submission_receive(user=landlords["familjebostader"], channel="API", body=submission_body())
    services.submission_reject(submission=rejected, user=personas["hyresradgivare"], reason="Fel stadsdel.")
    waiting = services.submission_receive(user=landlords["familjebostader"], channel="API", body=submission_body())
    old = timezone.now() - dt.timedelta(days=120)
    Submission.objects.filter(pk__in=[rejected.pk, waiting.pk]).update(received_at=old)
    recent = services.submission_receive(user=landlords["familjebostader"], channel="API", body=submission_body())
    services.submission_reject(submission=recent, user=personas["hyresradgivare"], reason="Fel stadsdel.")
    today = timezone.localdate()

    dry = retention_run(today=today, execute=False)
    assert dry.other.get("submissions_rejected_due") == 1
    assert Submission.objects.count() == 3
    done = retention_run(today=today, execute=True)
    assert done.other.get("submissions_rejected_deleted") == 1
    assert set(Submission.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}
    again = retention_run(today=today, execute=True)
    assert "submissions_rejected_deleted" not in again.other

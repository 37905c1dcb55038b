"""Intake in the browser (server side): search, the form and its Swedish errors, saving, the decision page."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import (
    Assignment,
    AuditAction,
    AuditEvent,
    Case,
    Household,
    Landlord,
    Notice,
    Person,
    RoutingDecision,
    Task,
)
from tests.factories import household_data, notice_data, register
from tests.factories import pin_for as make_pin
from tests.pdfs import sound_pdf

TODAY = timezone.localdate()
RECEIVED = TODAY - dt.timedelta(days=2)
SERVED = TODAY - dt.timedelta(days=3)
TENANT_PIN = make_pin("19860314", 801)
SEARCH_URL = reverse("cases:intake_search")
NEW_URL = reverse("cases:intake_new")


def form_data(*, members=None, **overrides):
    """A valid POST for a family: one tenant and one child (override any field)."""
    if members is None:
        members = [
            {"name": "Test Testsson", "personal_identity_number": TENANT_PIN, "role": "TENANT"},
            {"name": "Barn Testsson", "birth_date": "2015-09-16", "role": "CHILD", "child_residence": "LIVING"},
        ]
    data = {
        "notice_type": "RENT_ARREARS_TERMINATION", "sender_kind": "LANDLORD", "channel": "POST",
        "landlord_name": "AB Familjebostäder", "landlord_org_number": "556035-8672", "landlord_reference": "H-1234",
        "received_date": RECEIVED.isoformat(), "document_date": (RECEIVED - dt.timedelta(days=2)).isoformat(),
        "served_date": SERVED.isoformat(), "debt_amount": "18450.00", "recovery_amount": "18450.00",
        "street_address": "Sockenvägen 290", "apartment_number": "1102", "postal_code": "120 40", "city": "Årsta",
        "area": "Årsta", "housing_type": "ORDINARY", "phone": "070-1234567",
        "members-TOTAL_FORMS": str(max(3, len(members))), "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "30",
    }
    for i, member in enumerate(members):
        for key, value in member.items():
            data[f"members-{i}-{key}"] = value
    data.update(overrides)
    return data


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Case, Notice, Household, Person, Landlord, Task, Assignment, RoutingDecision)
    }


@pytest.fixture
def advisor(make_user):
    return make_user("hyresradgivare", "hyresradgivare", "HYRESRADGIVNING", phone="08-508 14 000", email="hr@example.se")


@pytest.fixture
def advisor_client(client, advisor):
    client.force_login(advisor)
    return client


# --- who may register --------------------------------------------------------------


@pytest.mark.parametrize("persona", ["barn", "vuxna", "ekbistand", "chef", "ordforande", "admin"])
def test_only_the_tenancy_advisor_reaches_intake(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(SEARCH_URL).status_code == 403
    assert client.post(SEARCH_URL, {"q": "Testsson"}).status_code == 403
    assert client.get(NEW_URL).status_code == 403
    before = counts()
    assert client.post(NEW_URL, form_data()).status_code == 403
    assert counts() == before


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(SEARCH_URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- saving --------------------------------------------------------------------------


def test_family_not_aktuell_creates_case_tasks_and_decision(advisor_client, advisor):
    response = advisor_client.post(NEW_URL, form_data())
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:decision", args=[case.pk])
    assert case.lead_unit.code == "HYRESRADGIVNING"
    assert case.children_count == 1
    kinds = set(case.tasks.values_list("kind", flat=True))
    assert {"SEND_LETTER", "PHONE_CONTACT", "NOTIFY_CHILD_INTAKE", "REPORT_OF_CONCERN", "BOSAM_REVIEW"} <= kinds
    household = case.household
    assert (household.street_address, household.apartment_number, household.postal_code) == ("Sockenvägen 290", "1102", "12040")
    tenant = household.members.get(role="TENANT")
    assert tenant.personal_identity_number == TENANT_PIN
    notice = case.notices.get()
    assert notice.landlord.org_number == "556035-8672"
    assert notice.registered_by == advisor
    assert AuditEvent.objects.filter(case=case, action=AuditAction.NOTICE_REGISTER, user=advisor).exists()

    page = advisor_client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert case.number in html
    assert "Familj med barn som inte är aktuell: hyresrådgivaren ansvarar (R2)." in html
    assert "Kontakta Mottagningsenheten barn och unga" in html
    assert "Gör en orosanmälan" in html
    letter_task = case.tasks.get(kind="SEND_LETTER")
    assert reverse("cases:letter_pdf", args=[letter_task.pk]) in html
    assert AuditEvent.objects.filter(case=case, action=AuditAction.CASE_VIEW, user=advisor).exists()


def test_aktuell_household_gets_the_aktuell_unit_as_lead(advisor_client, units):
    data = form_data(members=[{"name": "Ensam Person", "personal_identity_number": TENANT_PIN, "role": "TENANT"}])
    data["active_units"] = [str(units["EKONOMISKT_BISTAND"].pk)]
    assert advisor_client.post(NEW_URL, data).status_code == 302
    case = Case.objects.get()
    assert case.lead_unit.code == "EKONOMISKT_BISTAND"
    assert case.household.involvements.filter(unit__code="EKONOMISKT_BISTAND", ended__isnull=True).exists()


def test_case_worker_at_the_aktuell_unit_is_assigned(advisor_client, units, make_user):
    worker = make_user("eb", "handlaggare", "EKONOMISKT_BISTAND", first_name="Eva", last_name="Bistånd")
    unit = units["EKONOMISKT_BISTAND"]
    page = advisor_client.get(NEW_URL).content.decode()
    assert f'name="case_worker_{unit.pk}"' in page and "Eva Bistånd" in page
    data = form_data(members=[{"name": "Ensam Person", "personal_identity_number": TENANT_PIN, "role": "TENANT"}])
    data.update({"active_units": [str(unit.pk)], f"case_worker_{unit.pk}": str(worker.pk)})
    assert advisor_client.post(NEW_URL, data).status_code == 302
    lead = Assignment.objects.get(role="LEAD", ended_at__isnull=True)
    assert (lead.unit, lead.user) == (unit, worker)


def test_case_worker_without_the_unit_ticked_is_an_error(advisor_client, units, make_user):
    worker = make_user("eb", "handlaggare", "EKONOMISKT_BISTAND")
    unit = units["EKONOMISKT_BISTAND"]
    response = advisor_client.post(NEW_URL, form_data(**{f"case_worker_{unit.pk}": str(worker.pk)}))
    assert response.status_code == 400
    assert "Kryssa i enheten, eller välj ingen handläggare för den." in response.content.decode()
    assert Case.objects.count() == 0


def test_served_date_missing_is_flagged_on_the_decision_page(advisor_client):
    response = advisor_client.post(NEW_URL, form_data(served_date=""))
    case = Case.objects.get()
    assert "SERVED_DATE_MISSING" in case.flags
    html = advisor_client.get(response["Location"]).content.decode()
    assert "okänt, fråga hyresvärden" in html


def test_protected_identity_warning_on_the_decision_page(advisor_client):
    data = form_data(**{"members-0-protected_identity": "on"})
    response = advisor_client.post(NEW_URL, data)
    html = advisor_client.get(response["Location"]).content.decode()
    assert "Brevet måste skickas via Skatteverkets vidarebefordran" in html


def test_valid_pdf_attachment_is_stored(advisor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # A real one-page PDF: since issue 10 (defect 16) the header alone no longer passes.
    scan = SimpleUploadedFile("scan.pdf", sound_pdf(), content_type="application/pdf")
    response = advisor_client.post(NEW_URL, {**form_data(), "attachment": scan})
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert notice.attachment.name.endswith(".pdf")
    assert notice.attachment.read().startswith(b"%PDF-")


# --- validation: each error re-renders the form with the user's input and a Swedish message ---------

BAD_PIN = TENANT_PIN[:-1] + str((int(TENANT_PIN[-1]) + 1) % 10)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"received_date": (TODAY + dt.timedelta(days=1)).isoformat()}, "received_date",
         "Datumet då underrättelsen inkom kan inte ligga i framtiden."),
        ({"document_date": (RECEIVED + dt.timedelta(days=1)).isoformat()}, "document_date",
         "Handlingens datum kan inte vara senare än datumet då den inkom."),
        ({"members-0-personal_identity_number": BAD_PIN}, "members-0-personal_identity_number", "Kontrollsiffran stämmer inte."),
        ({"members-0-personal_identity_number": "12345"}, "members-0-personal_identity_number",
         "Personnumret ska ha 10 eller 12 siffror."),
        ({"members-1-birth_date": ""}, "members-1-personal_identity_number", "Ett barn behöver personnummer eller födelsedatum."),
        ({"members-0-role": "OTHER_ADULT"}, None, "Hushållet måste ha minst en kontraktsinnehavare."),
        ({"debt_amount": "-1"}, "debt_amount", "Beloppet kan inte vara negativt."),
        ({"recovery_amount": "-100.50"}, "recovery_amount", "Beloppet kan inte vara negativt."),
        ({"landlord_org_number": "556035-8673"}, "landlord_org_number", "Organisationsnumret är ogiltigt: kontrollsiffran stämmer inte."),
        ({"landlord_org_number": "5560"}, "landlord_org_number", "Organisationsnumret ska ha 10 siffror."),
        ({"apartment_number": "110"}, "apartment_number", "Lägenhetsnumret ska ha fyra siffror."),
        ({"street_address": ""}, "street_address", "Ange hushållets gatuadress."),
        ({"members-1-child_residence": ""}, "members-1-child_residence", "Ange var barnet bor."),
    ],
)
def test_invalid_input_rerenders_with_data_kept(advisor_client, overrides, field, message):
    before = counts()
    response = advisor_client.post(NEW_URL, form_data(**overrides))
    assert response.status_code == 400
    assert counts() == before
    html = response.content.decode()
    assert message in html
    assert 'id="error-summary"' in html
    # The user's input is still there (only the erroneous field may differ).
    for kept in ("AB Familjebostäder", "070-1234567", "Barn Testsson", "18450.00"):
        assert kept in html
    if field:
        assert f'href="#id_{field}"' in html
        if field.startswith("members-"):
            index, name = field.split("-")[1:]
            assert message in response.context["formset"].forms[int(index)].errors[name]
        else:
            assert message in response.context["form"].errors[field]
    else:
        assert message in response.context["formset"].non_form_errors()


@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        (b"GIF89a....", "image/gif", "Handlingen måste vara en PDF-fil."),
        (b"<html>not a pdf</html>", "application/pdf", "Filen är inte en giltig PDF."),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf", "Filen är för stor: högst 10 MB."),
    ],
)
def test_attachment_must_be_a_small_pdf(advisor_client, content, content_type, message):
    scan = SimpleUploadedFile("scan.pdf", content, content_type=content_type)
    response = advisor_client.post(NEW_URL, {**form_data(), "attachment": scan})
    assert response.status_code == 400
    assert message in response.context["form"].errors["attachment"]
    assert Case.objects.count() == 0


def test_empty_member_rows_are_ignored_and_a_tenant_is_enough(advisor_client):
    data = form_data(members=[{"name": "Ensam Person", "personal_identity_number": "198603149801", "role": "TENANT"}])
    data["members-TOTAL_FORMS"] = "4"
    assert advisor_client.post(NEW_URL, data).status_code == 302
    assert Person.objects.count() == 1


def test_deleted_member_row_is_not_saved(advisor_client):
    data = form_data(**{"members-1-DELETE": "on"})
    assert advisor_client.post(NEW_URL, data).status_code == 302
    assert list(Person.objects.values_list("role", flat=True)) == ["TENANT"]
    assert Case.objects.get().children_count == 0


# --- a second notice joins the open case ------------------------------------------------------------


def test_second_notice_joins_by_explicit_choice(advisor_client, organisation, advisor):
    first = register(organisation, advisor, today=RECEIVED, notice=notice_data(received=RECEIVED.isoformat(), served=SERVED.isoformat()),
                     children=("2015-09-16",)).case
    url = f"{NEW_URL}?case={first.pk}"
    page = advisor_client.get(url)
    assert page.status_code == 200
    assert 'value="Sockenvägen 290"' in page.content.decode()  # the household is prefilled
    assert AuditEvent.objects.filter(case=first, action=AuditAction.CASE_VIEW, user=advisor).exists()
    data = form_data(members=[], notice_type="EVICTION_APPLICATION", sender_kind="KRONOFOGDEN",
                     landlord_name="", landlord_org_number="", kronofogden_reference="KFM-1", served_date="")
    response = advisor_client.post(url, data)
    assert response.status_code == 302
    assert Case.objects.count() == 1
    assert Household.objects.count() == 1
    assert first.notices.count() == 2
    assert response["Location"] == reverse("cases:decision", args=[first.pk])


def test_second_notice_joins_by_personnummer(advisor_client, organisation, advisor):
    notice = notice_data(received=RECEIVED.isoformat(), served=SERVED.isoformat())
    first = register(organisation, advisor, today=RECEIVED, notice=notice).case
    # The factory's tenant has pin_for("19860314", 801); the form gives it in 10-digit form.
    ten_digit = TENANT_PIN[2:8] + "-" + TENANT_PIN[8:]
    response = advisor_client.post(NEW_URL, form_data(**{"members-0-personal_identity_number": ten_digit}))
    assert response.status_code == 302
    assert Case.objects.count() == 1
    assert first.notices.count() == 2


def test_joining_a_closed_case_is_refused(advisor_client, organisation, advisor):
    case = register(organisation, advisor, today=RECEIVED, notice=notice_data(received=RECEIVED.isoformat())).case
    services.case_close(case=case, user=advisor, outcome="PREVENTED_PAID")
    response = advisor_client.get(f"{NEW_URL}?case={case.pk}")
    assert response.status_code == 302
    assert response["Location"] == SEARCH_URL


# --- all or nothing --------------------------------------------------------------------------------


def test_fault_mid_transaction_leaves_nothing_behind(advisor_client, monkeypatch):
    """The routing step fails after the household, case and notice rows were written: all are rolled back."""

    def broken(*args, **kwargs):
        assert Notice.objects.count() == 1  # the fault really comes after the notice was created
        raise RuntimeError("injected fault")

    monkeypatch.setattr(services.intake, "case_reevaluate", broken)  # notice_register calls it from there
    before = counts()
    audit_before = AuditEvent.objects.filter(action=AuditAction.NOTICE_REGISTER).count()
    with pytest.raises(RuntimeError, match="injected fault"):
        advisor_client.post(NEW_URL, form_data())
    assert counts() == before
    assert AuditEvent.objects.filter(action=AuditAction.NOTICE_REGISTER).count() == audit_before


def test_fault_while_joining_leaves_the_open_case_as_it_was(advisor_client, organisation, advisor, monkeypatch):
    case = register(organisation, advisor, today=RECEIVED, notice=notice_data(received=RECEIVED.isoformat())).case
    version = Case.objects.get(pk=case.pk).version

    def broken(*args, **kwargs):
        raise RuntimeError("injected fault")

    monkeypatch.setattr(services.intake, "case_reevaluate", broken)  # notice_register calls it from there
    before = counts()
    data = form_data(members=[{"name": "Ny Vuxen", "role": "OTHER_ADULT", "birth_date": "1990-01-01"}],
                     notice_type="EVICTION_APPLICATION", sender_kind="KRONOFOGDEN", phone="070-7654321")
    with pytest.raises(RuntimeError):
        advisor_client.post(f"{NEW_URL}?case={case.pk}", data)
    assert counts() == before
    assert Case.objects.get(pk=case.pk).version == version


# --- search ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [TENANT_PIN, TENANT_PIN[:8] + "-" + TENANT_PIN[8:], TENANT_PIN[2:8] + "-" + TENANT_PIN[8:],
                                   TENANT_PIN[2:], "Testsson", "test TESTSSON", "sockenvägen"])
def test_search_finds_the_open_case(advisor_client, organisation, advisor, query):
    case = register(organisation, advisor, today=RECEIVED, notice=notice_data(received=RECEIVED.isoformat())).case
    response = advisor_client.post(SEARCH_URL, {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert case.number in html
    assert f"{NEW_URL}?case={case.pk}" in html
    assert "Lägg till underrättelsen i ärendet" in html
    assert TENANT_PIN[:8] + "-XXXX" in html
    results = html.split('id="open-heading"')[1].split("</section>")[0]
    assert TENANT_PIN not in results and TENANT_PIN[8:] not in results  # never the full number


def test_search_with_invalid_personnummer_says_why(advisor_client, db):
    response = advisor_client.post(SEARCH_URL, {"q": BAD_PIN})
    assert "Kontrollsiffran stämmer inte." in response.content.decode()


@pytest.mark.parametrize("query", ["", "  ", "a"])
def test_an_empty_search_says_what_to_type(advisor_client, db, query):
    response = advisor_client.post(SEARCH_URL, {"q": query})
    assert response.status_code == 200
    assert "Skriv minst två tecken att söka på" in response.content.decode()


def test_search_shows_closed_households_with_new_household_action(advisor_client, organisation, advisor):
    case = register(organisation, advisor, today=RECEIVED, notice=notice_data(received=RECEIVED.isoformat())).case
    services.case_close(case=case, user=advisor, outcome="PREVENTED_PAID")
    html = advisor_client.post(SEARCH_URL, {"q": "Testsson"}).content.decode()
    assert "Hushåll med avslutade ärenden" in html
    assert f"?case={case.pk}" not in html
    assert "Nytt hushåll" in html


def test_search_never_finds_another_organisations_household(advisor_client, other_organisation, make_user):
    outsider = make_user("annan", "hyresradgivare", "HYRESRADGIVNING", org=other_organisation)
    other_case = register(other_organisation, outsider, today=RECEIVED, notice=notice_data(received=RECEIVED.isoformat())).case
    for query in (TENANT_PIN, "Testsson", "Sockenvägen"):
        html = advisor_client.post(SEARCH_URL, {"q": query}).content.decode()
        assert other_case.number not in html
        assert "Ingen träff" in html
    # Nor can the form join it, nor the decision page show it.
    assert advisor_client.get(f"{NEW_URL}?case={other_case.pk}").status_code == 404
    assert advisor_client.get(reverse("cases:decision", args=[other_case.pk])).status_code == 404


def test_protected_household_is_not_found_by_address(advisor_client, organisation, advisor):
    case = register(organisation, advisor, today=RECEIVED, notice=notice_data(received=RECEIVED.isoformat()), protected=True).case
    assert case.number not in advisor_client.post(SEARCH_URL, {"q": "Sockenvägen"}).content.decode()
    html = advisor_client.post(SEARCH_URL, {"q": TENANT_PIN}).content.decode()
    assert case.number in html
    assert "Skyddade personuppgifter" in html
    assert "Årsta" not in html.split('id="open-heading"')[1].split("</table>")[0]  # no area either
    # Joining prefills the household without its address.
    form_html = advisor_client.get(f"{NEW_URL}?case={case.pk}").content.decode()
    assert "Sockenvägen 290" not in form_html


def test_decision_page_needs_case_access(client, personas, organisation):
    case = register(organisation, personas["hyresradgivare"], today=RECEIVED, notice=notice_data(received=RECEIVED.isoformat()),
                    household=household_data()).case
    url = reverse("cases:decision", args=[case.pk])
    client.force_login(personas["aldre"])  # individual under 65, not aktuell: no assignment for äldreomsorg
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.CASE_VIEW_DENIED, user=personas["aldre"]).exists()
    client.force_login(personas["barn"])  # not assigned for an individual either
    assert client.get(url).status_code == 404


def test_decision_page_query_count_does_not_grow_with_the_case(advisor_client, advisor, organisation, django_assert_max_num_queries):
    case = register(organisation, advisor, today=RECEIVED, children=("2015-09-16", "2017-01-01"),
                    notice=notice_data(received=RECEIVED.isoformat())).case
    register(organisation, advisor, today=RECEIVED, notice=notice_data("EVICTION_APPLICATION", received=RECEIVED.isoformat()))
    assert case.notices.count() == 2 and case.tasks.count() >= 5
    with django_assert_max_num_queries(25):
        assert advisor_client.get(reverse("cases:decision", args=[case.pk])).status_code == 200


def test_the_intake_form_takes_the_ground_and_the_dispatch_date(advisor_client):
    """Issue 11: an application for eviction on rent arrears, registered by hand, gives a recovery deadline; the
    landlord's dispatch date is kept and a date after receipt is refused with a Swedish message."""
    bad = advisor_client.post(NEW_URL, form_data(sent_date=(RECEIVED + dt.timedelta(days=1)).isoformat()))
    assert bad.status_code == 400
    assert "Avsändningsdatumet kan inte vara senare än mottagningsdatumet." in bad.content.decode()
    bad = advisor_client.post(NEW_URL, form_data(ground="RENT_ARREARS"))
    assert "Grund anges bara för ansökan om avhysning" in bad.content.decode()
    assert Case.objects.count() == 0
    response = advisor_client.post(NEW_URL, form_data(
        notice_type="EVICTION_APPLICATION", sender_kind="KRONOFOGDEN", ground="RENT_ARREARS",
        sent_date=(RECEIVED - dt.timedelta(days=1)).isoformat(),
    ))
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert (notice.ground, notice.sent_date) == ("RENT_ARREARS", RECEIVED - dt.timedelta(days=1))
    assert notice.case.recovery_deadline is not None

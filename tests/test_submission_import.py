"""A landlord's list of notices in /hyresvard/import/ (issue 14 §2): the staff import's reader and validation, a preview
of every row, the choice of what to send, submissions through the receipt's own path, and the boundaries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cases.models import AuditAction, AuditEvent
from imports.models import NoticeImport
from submissions import services
from submissions.imports import PREVIEW_LIFETIME
from submissions.models import LandlordImportPreview, Submission
from tests.import_files import HEADINGS, changed, csv_bytes, good_row
from tests.submission_fixtures import submission_body

pytestmark = pytest.mark.django_db

START = "/hyresvard/import/"
BAD_PIN = "19790521-0000"


def upload(client, content: bytes, name="lista.csv"):
    return client.post(START, {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def preview_url(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    assert re.fullmatch(r"/hyresvard/import/\d+/", response["Location"]), response["Location"]
    return response["Location"]


def rows_of(client, url) -> list[tuple[str, str, str]]:
    """(row number, status label, errors or note) of the preview's table."""
    html = client.get(url).content.decode()
    found = []
    for tr in re.findall(r'<tr data-testid="import-row".*?</tr>', html, re.S):
        cells = [re.sub(r"<[^>]+>", " ", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
        cells = [" ".join(c.split()) for c in cells]
        found.append((cells[0], cells[1], cells[5]))
    return found


@pytest.fixture
def landlord_client(landlords):
    client = Client()
    client.force_login(landlords["familjebostader"])
    return client


@pytest.fixture
def mixed_file(landlords):
    """Rows 2–9 of a file: two new, a duplicate of row 2, one submitted earlier, three bad, one naming another landlord."""
    today = timezone.localdate()
    earlier = good_row(4, today=today)
    document = (today - dt.timedelta(days=3)).isoformat()
    services.submission_receive(user=landlords["familjebostader"], channel="PORTAL", body=submission_body(
        document_date=document, termination_date=document, landlord={"reference": earlier[0]}))
    rows = [
        good_row(1, today=today),                                                       # row 2: new
        good_row(2, today=today),                                                       # row 3: new
        changed(good_row(1, today=today), Namn="Test Annansson"),                       # row 4: the same notice as row 2
        earlier,                                                                        # row 5: submitted earlier
        changed(good_row(5, today=today), Personnummer=BAD_PIN),                        # row 6: bad personnummer
        changed(good_row(6, today=today), Referens=""),                                 # row 7: no reference
        changed(good_row(7, today=today), Typ="EVICTION_DATE"),                         # row 8: Kronofogden's notice
        # row 9: new, though it names another landlord (with an organisationsnummer that is not even valid)
        changed(good_row(8, today=today), Hyresvärd="Någon annan AB", Organisationsnummer="556670-0450"),
    ]
    return csv_bytes(rows)


def test_the_preview_reports_every_row_and_writes_nothing(landlord_client, landlords, mixed_file):
    url = preview_url(upload(landlord_client, mixed_file))
    rows = rows_of(landlord_client, url)
    assert [(number, status) for number, status, _text in rows] == [
        ("2", "ny"), ("3", "ny"), ("4", "redan inskickad"), ("5", "redan inskickad"),
        ("6", "fel"), ("7", "fel"), ("8", "fel"), ("9", "ny"),
    ]
    texts = {number: text for number, _status, text in rows}
    assert texts["4"] == "Samma underrättelse som rad 2."
    assert texts["5"] == "Redan inskickad tidigare."
    assert texts["6"].startswith("Personnummer: ")
    assert texts["7"].startswith("Referens: Ange hyresvärdens referens")
    assert texts["8"] == "Typ: En hyresvärd kan lämna uppsägningar och tillsägelser, inte Kronofogdens underrättelser."
    html = landlord_client.get(url).content.decode()
    assert "Nya: 3" in html and "Redan inskickade: 2" in html and "Med fel: 3" in html
    # Personnummer are masked in the table.
    assert "-XXXX" in html and BAD_PIN not in html and not re.search(r"\d{8}-\d{4}", html)
    # Nothing was submitted (the earlier one only), nothing shows in the staff's imports.
    assert Submission.objects.count() == 1 and NoticeImport.objects.count() == 0
    assert LandlordImportPreview.objects.filter(created_by=landlords["familjebostader"]).count() == 1


def test_the_rows_have_the_staff_imports_messages(landlord_client, landlords, mixed_file, organisation, personas):
    """The same file through the staff's import: the rows the intake form refuses have the very same messages."""
    from imports import report
    from imports.services import import_create

    url = preview_url(upload(landlord_client, mixed_file))
    ours = {number: text for number, _status, text in rows_of(landlord_client, url)}
    staff = import_create(organisation=organisation, user=personas["hyresradgivare"],
                          upload=SimpleUploadedFile("lista.csv", mixed_file, content_type="text/csv"))
    theirs = {str(row.row_number): report.errors_text(row) for row in staff.rows.filter(outcome="ERROR")}
    # Row 9's organisationsnummer is refused by the staff; the landlord's import does not read it (the account's is used).
    assert set(theirs) == {"6", "7", "9"} and "Organisationsnummer" in theirs["9"] and ours["9"] == ""
    assert all(ours[number] == theirs[number] for number in ("6", "7")), (ours, theirs)


def test_send_all_is_refused_while_a_row_has_an_error(landlord_client, mixed_file):
    url = preview_url(upload(landlord_client, mixed_file))
    response = landlord_client.post(url, {"rows": "ALL"})
    assert response.status_code == 400
    assert "3 rader har fel, så alla rader kan inte skickas." in response.content.decode()
    assert 'id="error-summary"' in response.content.decode()
    assert Submission.objects.count() == 1


def test_the_valid_rows_become_submissions_of_the_account_landlord_and_a_second_upload_sends_nothing(
    landlord_client, landlords, mixed_file, personas,
):
    url = preview_url(upload(landlord_client, mixed_file))
    before = set(Submission.objects.values_list("pk", flat=True))
    events = AuditEvent.objects.filter(action=AuditAction.SUBMISSION_RECEIVE).count()
    response = landlord_client.post(url, {"rows": "VALID"})
    assert response.status_code == 302 and response["Location"] == "/hyresvard/"
    created = list(Submission.objects.exclude(pk__in=before).order_by("pk"))
    assert [s.payload["landlord"]["reference"] for s in created] == ["REF-00001", "REF-00002", "REF-00008"]
    familjebostader = landlords["familjebostader"].landlord
    for submission in created:
        assert (submission.landlord, submission.channel, submission.status) == (familjebostader, "PORTAL", "RECEIVED")
        assert submission.payload["landlord"]["org_number"] == familjebostader.org_number
        assert submission.payload["sender_kind"] == "LANDLORD" and submission.missing == []
        assert submission.submitted_by == landlords["familjebostader"]
    # One audit event for the list; the preview is gone.
    assert AuditEvent.objects.filter(action=AuditAction.SUBMISSION_RECEIVE).count() == events + 1
    assert not LandlordImportPreview.objects.exists()
    home = landlord_client.get("/hyresvard/").content.decode()
    assert "3 underrättelser mottagna." in home and all(s.reference in home for s in created)
    # The hyresrådgivare's queue has them.
    staff = Client()
    staff.force_login(personas["hyresradgivare"])
    queue = staff.get("/arenden/inkomna/").content.decode()
    assert all(s.reference in queue for s in created)

    # The same file again: every valid row is already submitted, nothing is sent.
    again = preview_url(upload(landlord_client, mixed_file))
    statuses = [status for _n, status, _t in rows_of(landlord_client, again)]
    assert statuses.count("redan inskickad") == 5 and statuses.count("ny") == 0
    count = Submission.objects.count()
    response = landlord_client.post(again, {"rows": "VALID"})
    assert response.status_code == 400 and "Listan har inga nya rader att skicka." in response.content.decode()
    assert Submission.objects.count() == count


def test_send_all_sends_every_row_of_a_clean_file(landlord_client):
    today = timezone.localdate()
    url = preview_url(upload(landlord_client, csv_bytes([good_row(i, today=today) for i in range(1, 4)])))
    response = landlord_client.post(url, {"rows": "ALL"})
    assert response.status_code == 302
    assert Submission.objects.count() == 3
    # Confirmed once: the preview cannot be sent again.
    assert landlord_client.post(url, {"rows": "ALL"}).status_code == 404


def test_a_missing_required_column_is_named_and_nothing_is_kept(landlord_client):
    today = timezone.localdate()
    headings = [h if h != "Referens" else "Något annat" for h in HEADINGS]
    response = upload(landlord_client, csv_bytes([good_row(1, today=today)], headings=headings))
    assert response.status_code == 400
    assert "Filen saknar en kolumn som krävs: Referens." in response.content.decode()
    assert not LandlordImportPreview.objects.exists() and not Submission.objects.exists()


def test_a_file_the_reader_refuses_is_an_error_on_the_field(landlord_client):
    response = upload(landlord_client, b"\x00\x01binary", name="lista.xlsx")
    assert response.status_code == 400 and "Filen är inte en giltig XLSX-fil." in response.content.decode()
    assert not LandlordImportPreview.objects.exists()


def test_an_old_preview_is_gone(landlord_client, mixed_file):
    url = preview_url(upload(landlord_client, mixed_file))
    LandlordImportPreview.objects.update(created_at=timezone.now() - PREVIEW_LIFETIME - dt.timedelta(minutes=1))
    assert landlord_client.get(url).status_code == 404


def test_only_the_account_that_uploaded_reaches_the_list(landlord_client, landlords, personas, mixed_file):
    url = preview_url(upload(landlord_client, mixed_file))
    other = Client()
    other.force_login(landlords["stockholmshem"])
    assert other.get(url).status_code == 404
    assert other.post(url, {"rows": "VALID"}).status_code == 404
    assert other.get(START).status_code == 200  # its own upload page
    staff = Client()
    staff.force_login(personas["hyresradgivare"])
    assert staff.get(START).status_code == 403
    assert staff.post(START, {}).status_code == 403
    assert staff.get(url).status_code == 404
    assert staff.post(url, {"rows": "VALID"}).status_code == 404
    assert staff.get("/hyresvard/import/mall.xlsx").status_code == 403
    assert Submission.objects.count() == 1


def test_the_landlord_downloads_the_staff_template(landlord_client):
    from imports import report

    response = landlord_client.get("/hyresvard/import/mall.csv")
    assert response.status_code == 200 and response.content == report.template_csv()
    assert landlord_client.get("/hyresvard/import/mall.xlsx").status_code == 200
    assert landlord_client.get("/hyresvard/import/mall.pdf").status_code == 404
    page = landlord_client.get(START).content.decode()
    assert 'href="/hyresvard/import/mall.xlsx"' in page and '<label class="form-label" for="id_file">' in page
    assert 'href="/hyresvard/import/"' in landlord_client.get("/hyresvard/").content.decode()


def test_a_thousand_rows_preview_in_a_few_seconds(landlord_client):
    import time

    today = timezone.localdate()
    content = csv_bytes([good_row(i, today=today) for i in range(1, 1001)])
    started = time.monotonic()
    url = preview_url(upload(landlord_client, content))
    elapsed = time.monotonic() - started
    assert len(LandlordImportPreview.objects.get().rows) == 1000
    assert "Nya: 1000" in landlord_client.get(url).content.decode()
    print(f"1,000 rows previewed in {elapsed:.1f} s")
    assert elapsed < 15, f"1,000 rows took {elapsed:.1f} s"
    started = time.monotonic()
    assert landlord_client.post(url, {"rows": "ALL"}).status_code == 302
    elapsed = time.monotonic() - started
    print(f"1,000 rows sent in {elapsed:.1f} s")
    assert Submission.objects.count() == 1000 and elapsed < 30, f"1,000 rows took {elapsed:.1f} s to send"


def test_the_reused_body_validator_judges_each_body_as_a_fresh_one(landlords):
    """The preview validates every row's body with one serializer (payload.BodyValidator): nothing one body leaves
    (data, errors, validated data) reaches the next."""
    from rest_framework import serializers

    from submissions import payload

    landlord = landlords["familjebostader"].landlord
    validator = payload.BodyValidator(organisation=landlord.organisation)
    good = submission_body()
    bad = [submission_body(notice_type="EVICTION_DATE"), submission_body(debt_amount="-1"), submission_body(served_date="2026-02-30"),
           {**submission_body(), "household": {**submission_body()["household"], "members": []}}]
    for body in [good, *bad, good, bad[1], good]:
        fixed = payload.fixed_body(body, landlord=landlord, channel="PORTAL", received_date=timezone.localdate())
        try:
            fresh = payload.body_validate(fixed, organisation=landlord.organisation).validated_data
        except serializers.ValidationError as exc:
            with pytest.raises(serializers.ValidationError) as reused:
                validator.validate(fixed)
            assert reused.value.detail == exc.detail
        else:
            assert validator.validate(fixed).validated_data == fresh


def test_missing_flags_and_automatic_registration_are_those_of_one_submission(
    landlord_client, organisation, django_capture_on_commit_callbacks, monkeypatch,
):
    from cases.plan_admin import plan_configuration_activate
    from submissions import tasks

    plan_configuration_activate(organisation=organisation, version="2026.auto", settings={"submissions_auto_register": True})
    queued = []
    monkeypatch.setattr(tasks.submission_auto_register_task, "delay", lambda pk: queued.append(pk))
    today = timezone.localdate()
    rows = [good_row(1, today=today), changed(good_row(2, today=today), Delgivningsdatum="")]
    url = preview_url(upload(landlord_client, csv_bytes(rows)))
    with django_capture_on_commit_callbacks(execute=True):
        assert landlord_client.post(url, {"rows": "ALL"}).status_code == 302
    complete, flagged = Submission.objects.order_by("pk")
    assert (complete.missing, flagged.missing) == ([], ["SERVED_DATE"])
    assert queued == [complete.pk]
    assert tasks.submission_auto_register_task(complete.pk) is not None
    complete.refresh_from_db()
    assert complete.status == "REGISTERED" and complete.notice.channel == "PORTAL"


def test_the_pages_are_translated(landlord_client, mixed_file, settings):
    landlord_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Import a list of notices" in landlord_client.get(START).content.decode()
    html = landlord_client.get(preview_url(upload(landlord_client, mixed_file))).content.decode()
    assert "already submitted" in html and "Send the valid rows and skip the rest" in html and "With errors: 3" in html


def test_retention_deletes_a_list_nobody_confirmed(landlord_client, mixed_file):
    from submissions.retention import retention_sweep

    preview_url(upload(landlord_client, mixed_file))
    assert retention_sweep(timezone.localdate(), execute=False) == {}
    LandlordImportPreview.objects.update(created_at=timezone.now() - PREVIEW_LIFETIME - dt.timedelta(minutes=1))
    assert retention_sweep(timezone.localdate(), execute=False) == {"landlord_import_previews_due": 1}
    assert retention_sweep(timezone.localdate(), execute=True) == {"landlord_import_previews_deleted": 1}
    assert not LandlordImportPreview.objects.exists()


def test_an_xlsx_list_and_an_empty_post(landlord_client):
    from tests.import_files import xlsx_bytes

    today = timezone.localdate()
    response = landlord_client.post(START, {"file": SimpleUploadedFile("lista.xlsx", xlsx_bytes([good_row(1, today=today)]))})
    url = preview_url(response)
    assert [status for _n, status, _t in rows_of(landlord_client, url)] == ["ny"]
    empty = landlord_client.post(START, {})
    assert empty.status_code == 400 and "Välj en fil att importera." in empty.content.decode()
    unchosen = landlord_client.post(url, {})
    assert unchosen.status_code == 400 and "Välj om alla rader eller bara de giltiga ska skickas." in unchosen.content.decode()
    assert not Submission.objects.exists()

"""The letter to the household: a real PDF, its text extracted with pypdf."""

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from pypdf import PdfReader

from cases.intake.letters import render_letter_pdf
from cases.models import AuditAction, AuditEvent, TaskKind
from tests.factories import notice_data, register

RECEIVED = timezone.localdate() - dt.timedelta(days=2)
SERVED = RECEIVED - dt.timedelta(days=1)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split())


def swedish_date(value: dt.date) -> str:
    with translation.override("sv"):
        return date_format(value, "j F Y")


@pytest.fixture
def advisor(make_user):
    return make_user("radgivare", "hyresradgivare", "HYRESRADGIVNING", first_name="Hanna", last_name="Rådgivare",
                     phone="08-508 14 000", email="hanna.radgivare@example.se")


def letter_task(case):
    return case.tasks.select_related("unit", "case__organisation", "case__household").get(kind=TaskKind.SEND_LETTER)


def test_letter_holds_contact_details_deadline_amount_and_address(organisation, advisor):
    case = register(organisation, advisor, today=RECEIVED, children=("2015-09-16",),
                    notice=notice_data(received=RECEIVED.isoformat(), served=SERVED.isoformat(), debt="18450.00")).case
    assert case.recovery_deadline is not None
    pdf = render_letter_pdf(letter_task(case), advisor)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)  # A4
    text = pdf_text(pdf)
    assert "Hanna Rådgivare" in text
    assert "08-508 14 000" in text
    assert "hanna.radgivare@example.se" in text
    assert swedish_date(case.recovery_deadline) in text
    assert "18 450 kr" in text
    assert "Test Testsson" in text
    assert "Sockenvägen 290, lgh 1102" in text
    assert "120 40 Årsta" in text
    assert case.number in text
    assert "ekonomiskt bistånd" in text
    if dump_dir := os.environ.get("LETTER_DUMP_DIR"):  # to look at the letter: LETTER_DUMP_DIR=/tmp pytest …
        Path(dump_dir, "letter.pdf").write_bytes(pdf)
    assert "Skatteverket" not in text


def test_protected_identity_prints_no_address(organisation, advisor):
    case = register(organisation, advisor, today=RECEIVED, protected=True,
                    notice=notice_data(received=RECEIVED.isoformat(), served=SERVED.isoformat())).case
    text = pdf_text(render_letter_pdf(letter_task(case), advisor))
    assert "Sockenvägen" not in text
    assert "1102" not in text
    assert "12040" not in text and "120 40" not in text
    assert "Årsta" not in text.replace(organisation.name, "")
    assert "Skatteverkets vidarebefordran" in text
    # The contact details and the deadline are still there.
    assert "08-508 14 000" in text
    assert swedish_date(case.recovery_deadline) in text


def test_unknown_deadline_is_explained(organisation, advisor):
    case = register(organisation, advisor, today=RECEIVED, notice=notice_data(received=RECEIVED.isoformat(), served=None)).case
    assert case.recovery_deadline is None
    text = pdf_text(render_letter_pdf(letter_task(case), advisor))
    assert "Vi vet ännu inte vilken dag som är sista dagen att betala" in text


def test_printed_by_someone_outside_the_unit_gives_the_units_details(organisation, advisor, make_user, units):
    unit = units["HYRESRADGIVNING"]
    unit.phone, unit.email = "08-508 10 000", "hyresradgivningen@example.se"
    unit.save()
    chef = make_user("chefen", "chef", "MOTTAGNING_BARN_UNGA", phone="08-111 11 111", email="chef@example.se")
    case = register(organisation, advisor, today=RECEIVED, notice=notice_data(received=RECEIVED.isoformat())).case
    text = pdf_text(render_letter_pdf(letter_task(case), chef))
    assert "08-508 10 000" in text and "hyresradgivningen@example.se" in text
    assert "Chefen" not in text and "08-111 11 111" not in text


def test_advisor_without_own_phone_falls_back_to_the_unit(organisation, make_user, units):
    unit = units["HYRESRADGIVNING"]
    unit.phone = "08-508 10 000"
    unit.save()
    advisor = make_user("utan", "hyresradgivare", "HYRESRADGIVNING", first_name="Utan", last_name="Telefon", email="u@example.se")
    case = register(organisation, advisor, today=RECEIVED, notice=notice_data(received=RECEIVED.isoformat())).case
    text = pdf_text(render_letter_pdf(letter_task(case), advisor))
    assert "Utan Telefon" in text and "08-508 10 000" in text and "u@example.se" in text


# --- the download view ------------------------------------------------------------------


def test_download_is_a_logged_pdf_attachment(client, organisation, advisor):
    case = register(organisation, advisor, today=RECEIVED, notice=notice_data(received=RECEIVED.isoformat())).case
    task = letter_task(case)
    client.force_login(advisor)
    response = client.get(reverse("cases:letter_pdf", args=[task.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert case.number in response["Content-Disposition"]
    assert "Hanna Rådgivare" in pdf_text(response.content)
    assert AuditEvent.objects.filter(action=AuditAction.LETTER_DOWNLOAD, case=case, user=advisor, detail=f"task={task.pk}").exists()


def test_download_needs_case_access(client, organisation, advisor, make_user, other_organisation):
    case = register(organisation, advisor, today=RECEIVED, notice=notice_data(received=RECEIVED.isoformat())).case
    url = reverse("cases:letter_pdf", args=[letter_task(case).pk])
    unassigned = make_user("vuxen", "handlaggare", "MOTTAGNING_VUXNA")
    outsider = make_user("annan", "hyresradgivare", "HYRESRADGIVNING", org=other_organisation)
    for user in (unassigned, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.LETTER_DOWNLOAD).exists()
    assert AuditEvent.objects.filter(action=AuditAction.CASE_VIEW_DENIED, user=unassigned).exists()


def test_only_letter_tasks_have_a_letter(client, organisation, advisor):
    case = register(organisation, advisor, today=RECEIVED, notice=notice_data(received=RECEIVED.isoformat())).case
    other = case.tasks.exclude(kind=TaskKind.SEND_LETTER).first()
    client.force_login(advisor)
    assert client.get(reverse("cases:letter_pdf", args=[other.pk])).status_code == 404
    assert client.get(reverse("cases:letter_pdf", args=[999999])).status_code == 404

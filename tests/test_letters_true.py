"""Letters that stay true (issue 11, defect 8): the right sender, no passed deadline given as an
instruction, no cancellation printed as the subject, precise legal wording, and a frozen copy of
what was actually sent. Every check reads the text extracted from the real PDF."""

import datetime as dt
import hashlib
import io
import os
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cases import services
from cases.intake.letters import render_letter_pdf
from cases.models import AuditAction, AuditEvent, TaskKind, TaskStatus
from tests.factories import household_data, notice_data, register

# Served Friday 16 October, received Monday 19 October 2026 -> recovery deadline Monday 9 November 2026.
RECEIVED = dt.date(2026, 10, 19)
SERVED = dt.date(2026, 10, 16)
DEADLINE = dt.date(2026, 11, 9)


def dump(name: str, pdf: bytes) -> None:
    """To look at a letter: LETTER_DUMP_DIR=/tmp/x pytest tests/test_letters_true.py, then pdftoppm -png."""
    if dump_dir := os.environ.get("LETTER_DUMP_DIR"):
        Path(dump_dir, name).write_bytes(pdf)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def advisor(make_user):
    return make_user("radgivare", "hyresradgivare", "HYRESRADGIVNING", first_name="Hanna", last_name="Rådgivare",
                     phone="08-508 14 000", email="hanna.radgivare@example.se")


def letter_task(case):
    return case.tasks.select_related("unit", "case__organisation", "case__household").get(kind=TaskKind.SEND_LETTER,
                                                                                            status=TaskStatus.OPEN)


def arrears_case(organisation, advisor):
    case = register(organisation, advisor, today=RECEIVED,
                    notice=notice_data(received=RECEIVED.isoformat(), served=SERVED.isoformat(), debt="18450.00")).case
    assert case.recovery_deadline == DEADLINE
    return case


def test_a_passed_deadline_is_never_printed_as_an_instruction(organisation, advisor):
    """Printed on 1 December, the letter said to pay 'senast den 9 november' to keep the home."""
    case = arrears_case(organisation, advisor)
    pdf = render_letter_pdf(letter_task(case), advisor, today=dt.date(2026, 12, 1))
    dump("letter-passed.pdf", pdf)
    text = pdf_text(pdf)
    assert "senast den 9 november" not in text
    assert "9 november 2026" in text
    assert "har passerat" in text
    assert "Kontakta oss omedelbart" in text
    # What can still be done: the JB 12:44 exception for illness or other unforeseen obstacles.
    assert "sjukdom" in text and "oförutsedd" in text


@pytest.mark.parametrize("today, passed", [
    (dt.date(2026, 11, 6), False),   # the Friday before
    (dt.date(2026, 11, 8), False),   # the Sunday before
    (DEADLINE, False),               # the last day itself: still an instruction
    (dt.date(2026, 11, 10), True),   # the day after
    (dt.date(2026, 11, 16), True),   # a week later
])
def test_deadline_wording_around_the_date(organisation, advisor, today, passed):
    case = arrears_case(organisation, advisor)
    text = pdf_text(render_letter_pdf(letter_task(case), advisor, today=today))
    assert ("senast den 9 november 2026" in text) is not passed
    assert ("har passerat" in text) is passed
    if today == DEADLINE:
        assert "i dag" in text


def test_precise_wording_and_debt_advice(organisation, advisor):
    organisation.debt_advice_phone = "08-508 12 345"
    organisation.debt_advice_email = "skuldradgivning@example.se"
    organisation.save()
    case = arrears_case(organisation, advisor)
    pdf = render_letter_pdf(letter_task(case), advisor, today=RECEIVED)
    dump("letter-arrears.pdf", pdf)
    text = pdf_text(pdf)
    # "får du bo kvar" promised more than the law does.
    assert "bo kvar" not in text
    assert "Hyra som förfaller" in text
    assert "andra skäl" in text
    assert "budget- och skuldrådgivning" in text.lower()
    assert "08-508 12 345" in text and "skuldradgivning@example.se" in text


def test_a_kronofogden_notice_is_not_attributed_to_the_landlord(organisation, advisor):
    notice = notice_data(notice_type="EVICTION_APPLICATION", received=RECEIVED.isoformat(), served=None)
    case = register(organisation, advisor, today=RECEIVED, notice=notice).case
    text = pdf_text(render_letter_pdf(letter_task(case), advisor, today=RECEIVED))
    assert "från din hyresvärd" not in text
    assert "från Kronofogden" in text


def test_a_rent_tribunal_notice_names_the_rent_tribunal(organisation, advisor):
    notice = notice_data(received=RECEIVED.isoformat(), served=SERVED.isoformat())
    notice.sender_kind = "RENT_TRIBUNAL"
    case = register(organisation, advisor, today=RECEIVED, notice=notice).case
    text = pdf_text(render_letter_pdf(letter_task(case), advisor, today=RECEIVED))
    assert "från hyresnämnden" in text
    assert "från din hyresvärd" not in text


def test_a_cancellation_is_never_the_subject_and_the_old_date_is_not_repeated(organisation, advisor):
    case = arrears_case(organisation, advisor)
    join = {"organisation": organisation, "user": advisor, "join_case": case}
    services.notice_register(notice=notice_data(notice_type="EVICTION_DATE", received="2026-10-21", served=None,
                                                eviction_date="2026-11-20"),
                             household=household_data(), today=dt.date(2026, 10, 21), **join)
    services.notice_register(notice=notice_data(notice_type="EVICTION_CANCELLED", received="2026-10-23", served=None),
                             household=household_data(), today=dt.date(2026, 10, 23), **join)
    text = pdf_text(render_letter_pdf(letter_task(case), advisor, today=dt.date(2026, 10, 26)))
    assert "återkallad" not in text and "inställd" not in text
    assert "20 november" not in text


def test_an_eviction_date_gets_the_eviction_letter(organisation, advisor):
    notice = notice_data(notice_type="EVICTION_DATE", received=RECEIVED.isoformat(), served=None, eviction_date="2026-11-12")
    notice.eviction_time = dt.time(9, 30)
    case = register(organisation, advisor, today=RECEIVED, notice=notice).case
    pdf = render_letter_pdf(letter_task(case), advisor, today=RECEIVED)
    dump("letter-eviction.pdf", pdf)
    text = pdf_text(pdf)
    assert "12 november 2026" in text
    assert "09.30" in text
    assert "från Kronofogden" in text
    assert "Kronofogden" in text and "0771-73 73 00" in text
    assert "Det här kan du fortfarande göra" in text
    assert "bo kvar" not in text


# --- freezing ---------------------------------------------------------------------------


def test_a_frozen_letter_does_not_change_when_the_case_does(client, organisation, advisor, settings, tmp_path):
    from cases.models import SentLetter

    settings.MEDIA_ROOT = str(tmp_path)
    case = arrears_case(organisation, advisor)
    task = letter_task(case)
    services.task_complete(task=task, user=advisor, today=dt.date(2026, 10, 20))
    sent = SentLetter.objects.get(task=task)
    stored = sent.file.read()
    assert hashlib.sha256(stored).hexdigest() == sent.sha256
    assert sent.sent_on == dt.date(2026, 10, 20)
    assert "18 450 kr" in pdf_text(stored)

    # The case changes afterwards: a new notice with another amount, and the letter printed later.
    services.notice_register(organisation=organisation, user=advisor, join_case=case, household=household_data(),
                             notice=notice_data(received="2026-11-02", served="2026-11-02", debt="25000.00"),
                             today=dt.date(2026, 11, 2))
    client.force_login(advisor)
    response = client.get(reverse("cases:letter_pdf", args=[task.pk]))
    assert response.status_code == 200
    served = b"".join(response.streaming_content) if response.streaming else response.content
    assert served == stored
    assert "18 450 kr" in pdf_text(served) and "25 000 kr" not in pdf_text(served)
    assert AuditEvent.objects.filter(action=AuditAction.LETTER_DOWNLOAD, case=case, detail__contains="sent").exists()
    # The case page links the letter as sent.
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:letter_pdf", args=[task.pk]) in page
    assert sent.sha256[:12] in page


def test_freezing_twice_keeps_the_first_letter(organisation, advisor, settings, tmp_path):
    from cases.models import SentLetter

    settings.MEDIA_ROOT = str(tmp_path)
    case = arrears_case(organisation, advisor)
    task = letter_task(case)
    services.task_complete(task=task, user=advisor, today=dt.date(2026, 10, 20))
    services.task_complete(task=task, user=advisor, today=dt.date(2026, 10, 22))
    assert SentLetter.objects.filter(task=task).count() == 1
    assert SentLetter.objects.get(task=task).sent_on == dt.date(2026, 10, 20)


def test_a_sent_letter_needs_case_access(client, organisation, advisor, make_user, settings, tmp_path):

    settings.MEDIA_ROOT = str(tmp_path)
    case = arrears_case(organisation, advisor)
    task = letter_task(case)
    services.task_complete(task=task, user=advisor, today=dt.date(2026, 10, 20))
    client.force_login(make_user("vuxen", "handlaggare", "MOTTAGNING_VUXNA"))
    assert client.get(reverse("cases:letter_pdf", args=[task.pk])).status_code == 404


def test_a_new_letter_is_a_new_task(client, organisation, advisor, settings, tmp_path):
    from cases.models import SentLetter

    settings.MEDIA_ROOT = str(tmp_path)
    case = arrears_case(organisation, advisor)
    first = letter_task(case)
    services.task_complete(task=first, user=advisor, today=dt.date(2026, 10, 20))
    client.force_login(advisor)
    url = reverse("cases:letter_new", args=[case.pk])
    assert url in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert client.post(url).status_code == 302
    second = letter_task(case)
    assert second.pk != first.pk
    # Only one open letter task at a time.
    client.post(url)
    assert case.tasks.filter(kind=TaskKind.SEND_LETTER, status=TaskStatus.OPEN).count() == 1
    services.task_complete(task=second, user=advisor, today=dt.date(2026, 11, 12))
    # The first letter is untouched; the second is its own file, worded for its own day.
    assert SentLetter.objects.filter(case=case).count() == 2
    text = pdf_text(SentLetter.objects.get(task=second).file.read())
    assert "har passerat" in text and "senast den 9 november" not in text


def test_a_letter_done_before_freezing_is_not_rebuilt(client, organisation, advisor):
    """A task marked done before letters were frozen has nothing stored: rendering it now would not be what was sent."""
    from django.utils import timezone

    case = arrears_case(organisation, advisor)
    task = letter_task(case)
    type(task).objects.filter(pk=task.pk).update(status=TaskStatus.DONE, completed_at=timezone.now())
    client.force_login(advisor)
    assert client.get(reverse("cases:letter_pdf", args=[task.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.LETTER_DOWNLOAD).exists()

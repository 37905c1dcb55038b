"""The agenda and minutes PDFs, read back with pypdf: what must be there, what must never be, and how fast."""

import datetime as dt
import io
import re
import time
from decimal import Decimal

import pytest
from pypdf import PdfReader

from bosam import pdf, services
from bosam.models import MeetingDocument
from cases.models import Case, Household, MemberRole, Person
from tests.test_bosam_scenario import STREET, D, build_scenario, make_series


def text_of(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


@pytest.fixture
def scenario(organisation, personas):
    return build_scenario(organisation, personas)


def test_agenda_pdf_has_the_cases_and_no_address_or_personnummer(scenario):
    data = pdf.document_pdf(scenario.meeting, MeetingDocument.Kind.AGENDA)
    assert data.startswith(b"%PDF")
    text, pages = text_of(data)
    c = scenario.cases
    for key in "ABCDE":
        assert c[key].number in text
    for key in "FG":  # cancelled, closed
        assert c[key].number not in text
    assert "Sekretess enligt OSL 26 kap. 1 §" in text
    assert f"Sida 1 av {pages}" in text
    assert "2026-12-01" in text
    # The running header repeats the title on every page, in plain text (no escape sequences).
    assert text.count(str(scenario.meeting.series)) >= pages and "\\u00" not in text
    assert "★" in text and "2 barn" in text  # children: a symbol and words, not colour
    assert "BRÅDSKANDE" in text
    compact = re.sub(r"\s+", "", text)
    assert STREET not in text and "Sockenvägen" not in compact
    assert "Bandhagen" not in compact  # protected identity: no area
    for pin in scenario.pins:
        assert pin not in compact and pin[2:] not in compact and f"{pin[2:8]}-{pin[8:]}" not in compact
    # The formal items first (issue 12), then the cases, the follow-up, the deviations and the next meeting.
    for heading in ("1. Mötets öppnande", "2. Närvaro", "3. Föregående protokoll", "4. Nya underrättelser", "5. Öppna ärenden",
                    "6. Barnfamiljer", "7. Uppföljning", "8. Avvikelser", "9. Nästa möte", "10. Mötets avslutande"):
        assert heading in text


def test_same_agenda_same_text_and_cached(scenario, monkeypatch, personas):
    first = pdf.document_pdf(scenario.meeting, MeetingDocument.Kind.AGENDA)
    content = pdf.agenda_content(scenario.meeting)
    assert text_of(pdf.render_pdf("AGENDA", content))[0] == text_of(first)[0]

    def fail(*args, **kwargs):
        raise AssertionError("rendered again although nothing changed")

    monkeypatch.setattr(pdf, "render_pdf", fail)
    assert pdf.document_pdf(scenario.meeting, MeetingDocument.Kind.AGENDA) == first
    monkeypatch.undo()
    # A change to the agenda gives a new PDF.
    services.agenda_item_remove(item=scenario.meeting.items.get(case=scenario.cases["B"]), user=personas["ordforande"], reason="Betald")
    changed, _pages = text_of(pdf.document_pdf(scenario.meeting, MeetingDocument.Kind.AGENDA))
    assert "Strukna från dagordningen" in changed and "Betald" in changed


def test_minutes_pdf_has_attendance_and_decisions(scenario):
    text, _pages = text_of(pdf.document_pdf(scenario.first, MeetingDocument.Kind.MINUTES))
    compact = re.sub(r"\s+", " ", text)
    assert "Protokoll" in text
    assert "Pröva ekonomiskt bistånd för hyresskulden" in compact
    assert "Nej – avvikelse" in text  # Äldreomsorg absent
    assert scenario.cases["D"].number in text


def _bulk_cases(organisation, n: int, received: dt.date) -> None:
    """n open cases straight into the tables (the routing is not what this measures), all with a notice since
    the previous meeting (section 1: section 2 lists only what needs the forum)."""
    unit = organisation.units.get(code="HYRESRADGIVNING")
    for i in range(n):
        household = Household.objects.create(organisation=organisation, street_address=f"Testgatan {i}", area="Årsta")
        Person.objects.create(household=household, name=f"Test Testsson{i}", role=MemberRole.TENANT)
        if i % 3 == 0:
            Person.objects.create(household=household, name=f"Barn Testsson{i}", role=MemberRole.CHILD, birth_date=D("2016-01-01"))
        case = Case.objects.create(
            organisation=organisation, household=household, number=f"2026-{9000 + i}", lead_unit=unit,
            children_count=1 if i % 3 == 0 else 0, debt_amount=Decimal("12345.00") + i,
            recovery_deadline=received + dt.timedelta(days=i % 40), latest_notice_type="RENT_ARREARS_TERMINATION",
        )
        case.notices.create(notice_type="RENT_ARREARS_TERMINATION", received_date=received - dt.timedelta(days=i % 10))


def test_150_case_agenda_renders_well_under_10_seconds(organisation, capsys):
    make_series(organisation)
    services.plan_meetings(today=D("2026-11-16"), organisation=organisation)
    meeting = organisation.meetings.get(date=D("2026-12-01"))
    _bulk_cases(organisation, 150, D("2026-11-27"))
    services.agenda_prepare(meeting=meeting, today=D("2026-11-27"))
    assert meeting.items.count() == 150
    started, cpu_started = time.perf_counter(), time.process_time()
    data = pdf.document_pdf(meeting, MeetingDocument.Kind.AGENDA)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    text, pages = text_of(data)
    with capsys.disabled():
        print(f"\n[bosam] agenda PDF, 150 cases, {pages} pages: {seconds:.2f} s wall, {cpu_seconds:.2f} s CPU (content + WeasyPrint)")
    assert "2026-9149" in text and f"Sida {pages} av {pages}" in text
    # CPU time: the wall clock also counts whatever else the machine runs (parallel test suites on a shared box).
    assert cpu_seconds < 10


def _agenda_prepare_queries(organisation, n: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    meeting = organisation.meetings.get(date=D("2026-12-01"))
    _bulk_cases(organisation, n, D("2026-11-27"))
    with CaptureQueriesContext(connection) as queries:
        services.agenda_prepare(meeting=meeting, today=D("2026-11-27"))
    assert meeting.items.count() == Case.objects.filter(organisation=organisation).count()
    return len(queries)


def test_agenda_preparation_queries_do_not_grow_with_the_number_of_cases(organisation, other_organisation):
    """The agenda is written in bulk: 5 cases and 40 cases cost the same number of queries."""
    for org in (organisation, other_organisation):
        make_series(org)
        services.plan_meetings(today=D("2026-11-16"), organisation=org)
    assert _agenda_prepare_queries(organisation, 5) == _agenda_prepare_queries(other_organisation, 40)

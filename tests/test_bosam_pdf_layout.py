"""Issue 12 item 5: the agenda and minutes PDFs of a 60-item meeting, rendered to PNG (a test artefact to look at)
and read back as text: no word broken inside a name, an area or a unit; formal items, justering, deviations
summarised by kind with the list as an appendix; "skyddad identitet", never the name."""

import datetime as dt
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from bosam import pdf, services
from bosam.models import MeetingDocument
from cases.models import BosamRequest, BosamRequestReason, Case, DeviationKind, Household, MemberRole, NoticeType, Person
from cases.services import deviation_raise_once
from tests.test_bosam_scenario import D, make_series

AREAS = ["Bandhagen", "Högdalen", "Rågsved", "Hagsätra", "Enskede gård", "Johanneshov", "Årsta", "Stureby", "Östberga"]
NEW_KINDS = ["RENT_ARREARS_TERMINATION", "DISTURBANCE_WARNING", "DISTURBANCE_TERMINATION", "OTHER_TERMINATION", "EVICTION_DATE"]
REQUEST_REASONS = ["NEEDS_OTHER_UNIT_DECISION", "EVICTION_DATE_NEAR", "CHILDREN_WITHOUT_CONTACT", "OTHER"]
ARTEFACTS = Path(__file__).resolve().parent.parent / "var" / "test-artifacts" / "bosam"


def sixty_items(organisation, n=60):
    """n (60) open cases: 2/3 with a notice since the previous meeting (section 4), 1/3 older at Kronofogden (section 5),
    spread over every unit and area; one household with protected identity; 25 deviations of three kinds."""
    series = make_series(organisation)
    services.plan_meetings(today=D("2026-11-16"), organisation=organisation)
    meeting = organisation.meetings.get(date=D("2026-12-01"))
    units = list(organisation.units.order_by("code"))
    for i in range(n):
        household = Household.objects.create(organisation=organisation, street_address=f"Testgatan {i}", area=AREAS[i % len(AREAS)])
        Person.objects.create(household=household, name=f"Anna Lindqvist{i}", role=MemberRole.TENANT, protected_identity=(i == 7))
        if i % 4 == 0:
            Person.objects.create(household=household, name=f"Barn Lindqvist{i}", role=MemberRole.CHILD, birth_date=D("2016-01-01"))
        new = i < n * 2 // 3
        kind = NEW_KINDS[i % len(NEW_KINDS)] if new else "EVICTION_APPLICATION"
        case = Case.objects.create(
            organisation=organisation, household=household, number=f"2026-{7000 + i}", lead_unit=units[i % len(units)],
            children_count=1 if i % 4 == 0 else 0, debt_amount=Decimal("123456.00") + i * 1000,
            recovery_deadline=D("2026-12-20") + dt.timedelta(days=i % 30), latest_notice_type=kind,
            eviction_date=D("2027-01-15") if not new else None,
        )
        case.notices.create(notice_type=kind, received_date=D("2026-11-25") if new else D("2026-10-01"))
        if i % 15 == 3:  # a unit's request (issue 12 §5): on the agenda as the unit and the reason's label
            BosamRequest.objects.create(case=case, unit=case.lead_unit, reason=REQUEST_REASONS[i % len(REQUEST_REASONS)],
                                        details="Kalle Anka ringer varje dag.")
    for i in range(25):
        deviation_raise_once(organisation=organisation, kind=[DeviationKind.TASK_OVERDUE, DeviationKind.NO_REPORT_OF_CONCERN,
                                                              DeviationKind.BOSAM_ABSENCE][i % 3],
                             key=f"layout-{i}", description="Obligatorisk uppgift försenad i testet.", occurred_on=D("2026-11-24"))
    services.agenda_prepare(meeting=meeting, today=D("2026-11-27"))
    assert meeting.items.filter(removed_at__isnull=True).count() == n
    return series, meeting, units


def _pages_as_png(data: bytes, name: str) -> list[Path]:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.pdf"
    path.write_bytes(data)
    for old in ARTEFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(path), str(ARTEFACTS / name)], check=True, timeout=60)
    pngs = sorted(ARTEFACTS.glob(f"{name}-*.png"))
    print(f"\n[bosam] {name}: {len(pngs)} pages as PNG under {ARTEFACTS}")
    return pngs


def _text(data: bytes, name: str) -> str:
    path = ARTEFACTS / f"{name}.pdf"
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True, timeout=60).stdout


def _assert_no_broken_words(text: str, names: list[str]) -> None:
    tokens = set(re.findall(r"\w+", text))
    for name in names:
        for word in re.findall(r"\w+", name):
            assert word in tokens, f"{word!r} (of {name!r}) is not whole in the PDF text"
    # No line ends with a hyphen after a letter (a word broken over two lines), except a name's own
    # hyphen ("försöks- och träningslägenheter").
    own = {w for name in names for w in re.findall(r"\w+-(?=\s)", name)}
    broken = [line for line in text.splitlines()
              if (m := re.search(r"(\w+-)\s*$", line)) and not m.group(1)[0].isdigit() and m.group(1) not in own]
    assert not broken, broken[:5]


@pytest.mark.django_db
def test_sixty_item_agenda_and_minutes_render_whole_words(organisation, personas):
    chair = personas["ordforande"]
    series, meeting, units = sixty_items(organisation)
    names = [u.name for u in units] + AREAS + [str(NoticeType(k).label) for k in [*NEW_KINDS, "EVICTION_APPLICATION"]]
    names += [str(BosamRequestReason(r).label) for r in REQUEST_REASONS]

    agenda = pdf.document_pdf(meeting, MeetingDocument.Kind.AGENDA)
    pngs = _pages_as_png(agenda, "agenda-60")
    text = _text(agenda, "agenda-60")
    _assert_no_broken_words(text, names)
    assert len(pngs) <= 12
    for heading in ("1. Mötets öppnande", "2. Närvaro", "3. Föregående protokoll", "4. Nya underrättelser",
                    "5. Öppna ärenden", "7. Uppföljning", "8. Avvikelser", "9. Nästa möte", "Bilaga 1. Avvikelser"):
        assert heading in text, heading
    # Deviations summarised by kind; the list only in the appendix, on its own page at the end.
    assert re.search(r"Obligatorisk uppgift försenad\s+9", text) and "25 avvikelser. Listan finns i bilaga 1." in text
    assert "Bilaga 1" in text.split("\f")[-2] or "Bilaga 1" in text.split("\f")[-1]
    # Protected identity: "skyddad identitet" (over two lines of its cell), never the name or its initials' row.
    assert re.search(r"skyddad\s+(\S+\s+)*?identitet", text) and "Lindqvist7" not in text
    # The requests: four, each as "begärt av <unit>: <label>", never the unit's own text.
    assert len(re.findall(r"begärt\s+av", text)) == 4 and "Kalle" not in text

    # The minutes: a note, an activity, attendance, the justering block.
    items = list(meeting.items.order_by("section", "position"))
    services.item_note_save(item=items[0], user=chair, note="Hyresvärden väntar med avhysningen till januari.")
    services.activity_create(item=items[1], user=chair, what="Hembesök", unit=units[0], due_date=D("2026-12-08"))
    services.attendance_record(meeting=meeting, user=chair, rows=[(d, True, "") for d in series.departments.all()])
    services.meeting_close(meeting=meeting, user=chair, minutes_keeper="Kim Protokollsson", minutes_checker="Jo Justerarsson")
    meeting.refresh_from_db()
    minutes = pdf.document_pdf(meeting, MeetingDocument.Kind.MINUTES)
    _pages_as_png(minutes, "minutes-60")
    text = _text(minutes, "minutes-60")
    _assert_no_broken_words(text, names)
    assert "Justering" in text and "Kim Protokollsson" in text and "Jo Justerarsson" in text
    assert "Vid protokollet" in text and "Justeras" in text
    assert "Ej behandlad – flyttad till mötet 2026-12-15." in text  # 58 items carried over, said in the minutes
    assert "Hembesök" in text and "Hyresvärden väntar" in text

"""Protected identity, both ways (issue 11, defect 10).

Agendas and minutes sent to every department printed the surname and initial of people with
protected identity, while the unit that must make the home visit could not see the address at all.
Agendas, minutes (web and PDF, text extracted) and lists outside the responsible unit now show the
case number and "skyddad identitet"; the lead unit and the units holding a HOME_VISIT or
ATTEND_EVICTION task may reveal the address by a logged action. One function decides "protected".
"""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from bosam import pdf, services
from bosam.models import Meeting, MeetingDocument
from bosam.selectors import agenda_content
from cases import services as case_services
from cases.models import AuditAction, AuditEvent, TaskKind
from tests.factories import notice_data, register
from tests.test_bosam_scenario import build_scenario

ROOT = Path(__file__).resolve().parent.parent


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def scenario(organisation, personas):
    return build_scenario(organisation, personas)


def _entry(content: dict, number: str) -> dict:
    return next(e for s in content["sections"] for e in s["items"] if e["number"] == number)


def _assert_no_name(text: str, number: str) -> None:
    # WeasyPrint hyphenates narrow columns ("Efter‐ namnE"): compare without spaces and hyphens.  # noqa: RUF003 (U+2010 is the hyphen WeasyPrint prints)
    compact = re.sub(r"[\s\u2010\u00ad-]+", "", text)
    assert number in text
    assert "EfternamnE" not in compact
    assert "skyddad identitet" in text
    assert "Bandhagen" not in compact  # nor the area
    # The other households are still named by surname and initial.
    assert "EfternamnA" in compact


def test_a_protected_person_is_absent_from_agenda_and_minutes_pdfs(scenario, personas):
    protected = scenario.cases["E"]
    _assert_no_name(pdf_text(pdf.document_pdf(scenario.meeting, MeetingDocument.Kind.AGENDA)), protected.number)
    services.meeting_close(meeting=scenario.meeting, user=personas["ordforande"])
    scenario.meeting.refresh_from_db()
    _assert_no_name(pdf_text(pdf.document_pdf(scenario.meeting, MeetingDocument.Kind.MINUTES)), protected.number)


def test_a_protected_person_is_absent_from_the_agenda_pages(client, scenario, personas):
    client.force_login(personas["ordforande"])
    for meeting in (scenario.meeting,):
        page = client.get(reverse("bosam:meeting_detail", args=[meeting.pk])).content.decode()
        assert scenario.cases["E"].number in page
        assert "EfternamnE" not in page
        assert "skyddad identitet" in page
    item = scenario.meeting.items.get(case=scenario.cases["E"])
    page = client.get(reverse("bosam:item_detail", args=[scenario.meeting.pk, item.pk])).content.decode()
    assert "EfternamnE" not in page and "skyddad identitet" in page


def test_minutes_locked_before_the_fix_are_masked_when_shown(scenario, personas):
    """Minutes frozen with a name in them (or before the person got protected identity) show no name."""
    services.meeting_close(meeting=scenario.meeting, user=personas["ordforande"])
    scenario.meeting.refresh_from_db()
    minutes = scenario.meeting.minutes
    for section in minutes["sections"]:
        for entry in section["items"]:
            if entry["number"] == scenario.cases["E"].number:
                entry["designation"] = "EfternamnE T."
                entry.pop("protected", None)
    Meeting.objects.filter(pk=scenario.meeting.pk).update(minutes=minutes)
    scenario.meeting.refresh_from_db()
    entry = _entry(agenda_content(scenario.meeting), scenario.cases["E"].number)
    assert entry["designation"] == "skyddad identitet"
    assert entry["area"] == ""


# --- lists ---------------------------------------------------------------------------------


def _protected_case(organisation, advisor, **kwargs):
    """A protected family aktuell at Ekonomiskt bistånd: that unit leads, the advisor only has a copy."""
    case = register(organisation, advisor, children=("2016-04-02",), protected=True, active_units=("EKONOMISKT_BISTAND",),
                    notice=notice_data(received="2026-11-20", served="2026-11-19"), today=dt.date(2026, 11, 20), **kwargs).case
    assert case.lead_unit.code == "EKONOMISKT_BISTAND"
    return case


def test_lists_outside_the_responsible_unit_show_no_name(client, organisation, personas):
    case = _protected_case(organisation, personas["hyresradgivare"])
    # The advisor sees every case, but is not the unit responsible for this one.
    client.force_login(personas["hyresradgivare"])
    page = client.get(reverse("cases:overview")).content.decode()
    assert case.number in page
    assert "Testsson T." not in page and "skyddad identitet" in page


def test_the_responsible_unit_sees_the_name_in_its_list(client, organisation, personas):
    case = _protected_case(organisation, personas["hyresradgivare"])
    client.force_login(personas["ekbistand"])
    page = client.get(reverse("cases:my_cases")).content.decode()
    assert case.number in page and "Testsson T." in page


def test_the_intake_search_outside_the_responsible_unit_shows_no_name(client, organisation, personas):
    case = _protected_case(organisation, personas["hyresradgivare"])
    client.force_login(personas["hyresradgivare"])
    html = client.post(reverse("cases:intake_search"), {"q": "Testsson"}).content.decode()
    assert case.number in html
    assert "Testsson T." not in html and "skyddad identitet" in html


# --- revealing the address -----------------------------------------------------------------


def test_the_lead_unit_reveals_the_address_by_a_logged_action(client, organisation, personas):
    case = _protected_case(organisation, personas["hyresradgivare"])
    lead_user = personas["ekbistand"]
    client.force_login(lead_user)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Sockenvägen" not in page
    assert reverse("cases:reveal_address", args=[case.pk]) in page
    response = client.post(reverse("cases:reveal_address", args=[case.pk]))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.ADDRESS_REVEAL, case=case, user=lead_user).exists()
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Sockenvägen 290" in page
    # Shown once: the next load hides it again.
    assert "Sockenvägen" not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_only_a_unit_with_a_home_visit_task_may_reveal_the_address(client, organisation, personas, units):
    case = _protected_case(organisation, personas["hyresradgivare"])
    advisor = personas["hyresradgivare"]
    client.force_login(advisor)
    # Without a HOME_VISIT or ATTEND_EVICTION task the advisor's unit may not.
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:reveal_address", args=[case.pk]) not in page
    assert client.post(reverse("cases:reveal_address", args=[case.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.ADDRESS_REVEAL).exists()
    case_services.task_create(case=case, user=advisor, kind=TaskKind.HOME_VISIT, unit=units["HYRESRADGIVNING"],
                              due_date=dt.date(2026, 11, 27))
    assert reverse("cases:reveal_address", args=[case.pk]) in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert client.post(reverse("cases:reveal_address", args=[case.pk])).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.ADDRESS_REVEAL, case=case, user=advisor).exists()
    assert "Sockenvägen 290" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_a_household_without_protected_identity_needs_no_reveal(client, organisation, personas):
    case = register(organisation, personas["hyresradgivare"], notice=notice_data(received="2026-11-20", served="2026-11-19"),
                    today=dt.date(2026, 11, 20)).case
    client.force_login(personas["hyresradgivare"])
    assert client.post(reverse("cases:reveal_address", args=[case.pk])).status_code == 404


# --- one rule, one place ---------------------------------------------------------------------


def test_no_stray_copies_of_the_protected_rule():
    """"Does this household have a member with protected identity" is decided in cases/protection.py only."""
    pattern = re.compile(r"protected_identity\s+for\s|protected_identity\s*=\s*True|protected_identity__|\.protected_identity\b.*\bany\(")
    allowed = {ROOT / "cases" / "protection.py"}
    stray = []
    for folder in ("cases", "bosam", "organisation", "avhysning", "templates"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".py", ".html") or path in allowed or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if "models.Index(" in line:
                    continue  # a partial index on the flag (cases/models.py) decides nothing; it makes the lookup fast
                if pattern.search(line) or ("any(" in line and "protected" in line):
                    stray.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not stray, "Use cases.protection instead of:\n" + "\n".join(stray)

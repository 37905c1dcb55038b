"""The agenda: content per section, idempotent preparation, the e-mail, the meeting and its minutes."""

import json

import pytest
from django.core import mail

from bosam import selectors, services
from bosam.models import AgendaSection, MeetingStatus
from cases.access import visible_cases
from cases.models import Deviation, DeviationKind, Task, TaskKind, TaskStatus
from tests.test_bosam_scenario import STREET, D, build_scenario


@pytest.fixture
def scenario(organisation, personas):
    return build_scenario(organisation, personas)


def _numbers(content, code):
    section = next(s for s in content["sections"] if s["code"] == code)
    return [item["number"] for item in section["items"]]


def test_sections_hold_the_right_cases_in_order(scenario):
    content = selectors.agenda_content(scenario.meeting)
    c = scenario.cases
    # 1: new since 11-17; the family first, then grouped by notice type (eviction dates before terminations).
    assert _numbers(content, AgendaSection.NEW_NOTICES) == [c["A"].number, c["C"].number, c["B"].number]
    # 2: the older open cases, the most urgent first; the cancelled (F) and the closed (G) are not there.
    assert _numbers(content, AgendaSection.AT_RISK) == [c["D"].number, c["E"].number]
    items = {i["number"]: i for s in content["sections"] for i in s["items"]}
    assert items[c["C"].number]["urgent"] is True  # eviction 11-30, before the meeting 12-01
    assert items[c["D"].number]["urgent"] is True  # recovery deadline passed
    assert items[c["A"].number]["urgent"] is False
    assert items[c["B"].number]["urgent"] is False
    assert items[c["A"].number]["children_count"] == 2
    assert items[c["C"].number]["notice_type"] == "EVICTION_DATE"
    # 3: the families with children.
    assert content["children"] == {"cases": 1, "children": 2, "numbers": [c["A"].number]}
    # 4: the activity decided on 11-17, by department, still open.
    assert [g["department"] for g in content["follow_up"]] == ["Individ- och familjeomsorg vuxna"]
    follow = content["follow_up"][0]["activities"][0]
    assert (follow["number"], follow["unit_code"], follow["status"], follow["overdue"]) == (
        c["D"].number, "EKONOMISKT_BISTAND", "OPEN", True)
    # 5: the absence at 11-17 (R5 → R8).
    assert [d["kind"] for d in content["deviations"]] == [str(DeviationKind.BOSAM_ABSENCE.label)]
    assert "Äldreomsorg" in content["deviations"][0]["description"]
    # 6: every department, nothing recorded yet.
    assert len(content["attendance"]) == 5 and all(row["present"] is None for row in content["attendance"])


def test_data_minimisation(scenario):
    text = json.dumps(selectors.agenda_content(scenario.meeting), ensure_ascii=False)
    assert STREET not in text and "Sockenvägen" not in text
    for pin in scenario.pins:
        assert pin not in text and pin[2:] not in text and f"{pin[2:8]}-{pin[8:]}" not in text
    # The household with protected identity: no area at all.
    assert "Bandhagen" not in text
    # Nor a name (issue 11, defect 10): the case number and "skyddad identitet" only.
    assert "EfternamnE" not in text and "skyddad identitet" in text
    assert "Årsta" in text


def test_prepare_twice_changes_nothing_and_mails_once(scenario, organisation):
    before = list(scenario.meeting.items.values_list("case_id", "section", "position", "urgent", "children_count"))
    assert len(mail.outbox) == 1
    result = services.prepare_agendas(today=D("2026-11-27"), organisation=organisation, render_pdf=False)
    assert result == {"prepared": 1, "notified": 0}
    result = services.agenda_prepare(meeting=scenario.meeting, today=D("2026-11-27"))
    assert result == {"added": 0, "updated": 0, "dropped": 0, "reordered": 0}
    assert list(scenario.meeting.items.values_list("case_id", "section", "position", "urgent", "children_count")) == before
    assert len(mail.outbox) == 1


def test_the_mail_has_no_personal_data(scenario):
    message = mail.outbox[0]
    assert "hr@example.se" in message.to and "bosam@example.se" in message.to
    text = message.subject + message.body
    assert "2026-12-01" in text
    for case in scenario.cases.values():
        assert case.number not in text
    for pin in scenario.pins:
        assert pin[2:8] not in text
    assert "Efternamn" not in text and "Sockenvägen" not in text and "Årsta" not in text.replace("Sal Årsta", "")


def test_agenda_not_prepared_before_its_day(organisation, personas):
    scenario = build_scenario(organisation, personas)
    later = scenario.series.meetings.get(date=D("2026-12-15"))
    assert later.agenda_prepared_at is None  # 12-15 minus 2 working days is 12-11
    services.prepare_agendas(today=D("2026-12-10"), organisation=organisation, render_pdf=False)
    later.refresh_from_db()
    assert later.agenda_prepared_at is None
    services.prepare_agendas(today=D("2026-12-11"), organisation=organisation, render_pdf=False)
    later.refresh_from_db()
    assert later.agenda_prepared_at is not None


def test_chair_edits_survive_a_refresh(scenario, personas, organisation):
    chair, c = personas["ordforande"], scenario.cases
    meeting = scenario.meeting
    item_b = meeting.items.get(case=c["B"])
    services.agenda_item_remove(item=item_b, user=chair, reason="Skulden är betald enligt hyresvärden")
    services.agenda_item_add(meeting=meeting, user=chair, case=c["G"], section=AgendaSection.AT_RISK, reason="Följ upp avslutet")
    services.agenda_item_move(item=meeting.items.get(case=c["E"]), user=chair, direction="up")
    services.agenda_prepare(meeting=meeting, today=D("2026-11-30"))
    content = selectors.agenda_content(meeting)
    assert c["B"].number not in _numbers(content, AgendaSection.NEW_NOTICES)
    assert _numbers(content, AgendaSection.AT_RISK) == [c["E"].number, c["D"].number, c["G"].number]
    assert content["removed"] == [{"item_id": item_b.pk, "number": c["B"].number, "reason": "Skulden är betald enligt hyresvärden"}]
    # The chair now reads G (added to the agenda) – and B no longer.
    visible = set(visible_cases(chair).values_list("pk", flat=True))
    assert c["G"].pk in visible and c["A"].pk in visible and c["B"].pk not in visible


def test_activity_becomes_a_task_for_the_unit(scenario, personas, organisation):
    chair, c = personas["ordforande"], scenario.cases
    item = scenario.meeting.items.get(case=c["A"])
    unit = organisation.units.get(code="MOTTAGNING_BARN_UNGA")
    activity = services.activity_create(item=item, user=chair, what="Hembesök med familjen", unit=unit, due_date=D("2026-12-08"))
    task = Task.objects.get(pk=activity.task_id)
    assert (task.kind, task.unit_id, task.title, task.status, task.case_id) == (
        TaskKind.BOSAM_ACTIVITY, unit.pk, "Hembesök med familjen", "OPEN", c["A"].pk)
    assert c["A"].pk in set(visible_cases(personas["barn"]).values_list("pk", flat=True))
    scenario.meeting.refresh_from_db()
    assert scenario.meeting.status == MeetingStatus.STARTED
    # Once started, the agenda is fixed.
    with pytest.raises(services.MeetingLocked):
        services.agenda_prepare(meeting=scenario.meeting, today=D("2026-12-01"))


def test_activity_for_a_unit_not_on_the_case_assigns_it(scenario, personas, organisation):
    """The decided unit must be able to open the case: it is assigned (not lead)."""
    case = scenario.cases["D"]  # the 11-17 activity for Ekonomiskt bistånd
    assert case.pk in set(visible_cases(personas["ekbistand"]).values_list("pk", flat=True))
    assert case.assignments.get(unit__code="EKONOMISKT_BISTAND", ended_at__isnull=True).role == "ASSIGNED"


def test_closing_freezes_the_minutes_and_raises_absences_once(scenario, personas, organisation):
    chair, c = personas["ordforande"], scenario.cases
    first = scenario.first
    assert first.status == MeetingStatus.CLOSED and first.minutes
    absences = Deviation.objects.filter(organisation=organisation, kind=DeviationKind.BOSAM_ABSENCE)
    assert absences.count() == 1
    services.meeting_close(meeting=first, user=chair)  # twice: nothing new
    assert absences.count() == 1
    frozen = selectors.agenda_content(first)
    # Changing the world afterwards does not change the minutes.
    Task.objects.filter(bosam_activity__meeting=first).update(status=TaskStatus.DONE, completed_at="2026-11-20T10:00:00Z")
    assert selectors.agenda_content(first) == frozen
    assert frozen["sections"][1]["items"][0]["activities"][0]["status"] == "OPEN"
    with pytest.raises(services.MeetingLocked):
        services.item_note_save(item=first.items.first(), user=chair, note="För sent")
    # R4 done for the cases discussed.
    assert not c["D"].tasks.filter(kind=TaskKind.BOSAM_REVIEW, status=TaskStatus.OPEN).exists()


def test_cases_selectors(scenario, organisation, personas):
    assert selectors.next_meeting_date(organisation, D("2026-11-27")) == D("2026-12-01")
    assert selectors.next_meeting_date(organisation, D("2026-12-02")) == D("2026-12-15")
    on_agendas = set(selectors.case_ids_on_agendas(organisation).values_list("case_id", flat=True))
    assert on_agendas == {scenario.cases[k].pk for k in "ABCDE"}
    visible = set(visible_cases(personas["ordforande"]).values_list("pk", flat=True))
    assert visible == on_agendas

"""A BOSAM scenario shared by the test_bosam_* modules (no tests here; imported as a builder).

Series: every other Tuesday from 2026-11-03, all departments. Meetings 2026-11-17 and 2026-12-01.
Before 11-17: D (urgent by 12-01), E (protected identity, area Bandhagen), F (cancelled).
11-17 is held: activity on D for Ekonomiskt bistånd, Äldreomsorg absent, closed.
After 11-17: A (family, 2 children), B (individual), C (eviction date 11-30 → urgent), G (closed).
The 12-01 agenda is prepared on 2026-11-27 (two working days before).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bosam import services
from bosam.models import Meeting, MeetingSeries
from cases import services as case_services
from cases.models import Case
from tests.factories import household_data, notice_data, register
from tests.factories import pin_for as make_pin

D = dt.date.fromisoformat
STREET = "Sockenvägen 290"


@dataclass
class Scenario:
    series: MeetingSeries
    first: Meeting  # 2026-11-17, closed
    meeting: Meeting  # 2026-12-01, agenda prepared
    cases: dict[str, Case]
    pins: list[str]


def make_series(organisation, **extra) -> MeetingSeries:
    defaults = {"name": "BOSAM", "weekday": 1, "time": dt.time(9, 0), "place": "Sal Årsta", "interval_days": 14,
                "start_date": D("2026-11-03"), "extra_recipients": "bosam@example.se"}
    series = MeetingSeries.objects.create(organisation=organisation, **{**defaults, **extra})
    series.departments.set(organisation.departments.all())
    return series


def _register(organisation, user, key, pins, *, notice, serial, children=(), protected=False, area=None, join=None):
    household = household_data(serial=serial, surname=f"Efternamn{key}", children=children, protected=protected, street=STREET)
    if area is not None:
        household.area = area
    pins.append(make_pin("19860314", serial))
    return register(organisation, user, notice=notice, household=household).case if join is None else join


def build_scenario(organisation, personas, *, close_first=True) -> Scenario:
    advisor, chair = personas["hyresradgivare"], personas["ordforande"]
    series = make_series(organisation)
    services.plan_meetings(today=D("2026-11-16"), organisation=organisation)
    first = Meeting.objects.get(series=series, date=D("2026-11-17"))
    meeting = Meeting.objects.get(series=series, date=D("2026-12-01"))
    pins: list[str] = []
    cases: dict[str, Case] = {}
    cases["D"] = _register(organisation, advisor, "D", pins, serial=811, notice=notice_data(received="2026-11-02", served="2026-11-01"))
    cases["F"] = _register(organisation, advisor, "F", pins, serial=812, notice=notice_data(received="2026-11-03", served="2026-11-02"))
    register(organisation, advisor, notice=notice_data("EVICTION_CANCELLED", received="2026-11-10", served=None, debt=None),
             household=household_data(serial=812, surname="EfternamnF", street=STREET))
    cases["E"] = _register(organisation, advisor, "E", pins, serial=813, protected=True, area="Bandhagen",
                           notice=notice_data(received="2026-11-12", served="2026-11-12"))

    services.agenda_prepare(meeting=first, today=D("2026-11-16"))
    item_d = first.items.get(case=cases["D"])
    services.activity_create(item=item_d, user=chair, what="Pröva ekonomiskt bistånd för hyresskulden",
                             unit=organisation.units.get(code="EKONOMISKT_BISTAND"), due_date=D("2026-11-24"))
    services.attendance_record(meeting=first, user=chair,
                               rows=[(d, d.code != "ALDREOMSORG", "") for d in series.departments.all()])
    if close_first:
        services.meeting_close(meeting=first, user=chair)

    cases["A"] = _register(organisation, advisor, "A", pins, serial=814, children=("2015-05-01", "2019-08-01"),
                           notice=notice_data(received="2026-11-20", served="2026-11-19"))
    cases["B"] = _register(organisation, advisor, "B", pins, serial=815, notice=notice_data(received="2026-11-20", served="2026-11-19"))
    cases["C"] = _register(organisation, advisor, "C", pins, serial=816,
                           notice=notice_data("EVICTION_DATE", received="2026-11-24", served=None, eviction_date="2026-11-30"))
    cases["G"] = _register(organisation, advisor, "G", pins, serial=817, notice=notice_data(received="2026-11-21", served="2026-11-20"))
    case_services.case_close(case=cases["G"], user=advisor, outcome="PREVENTED_PAID")

    services.prepare_agendas(today=D("2026-11-27"), organisation=organisation, render_pdf=False)
    first.refresh_from_db()
    meeting.refresh_from_db()
    for case in cases.values():
        case.refresh_from_db()
    return Scenario(series=series, first=first, meeting=meeting, cases=cases, pins=pins)

"""The case page's timeline: a list of sources, each a function giving entries.

cases' own sources read the records the case page has already loaded (`CaseRecords`,
so each relation is queried once). Other apps add sources through cases.hooks
(`hooks.register(timeline_source=...)`); their entries name the template that renders
them, so cases' templates need not know those apps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone

from .. import hooks
from ..models import Case


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str  # notice | decision | assignment | assignment_end | task | task_done | contact | consent | deviation | (other apps')
    obj: object
    # The partial that renders an entry from another app; "" for cases' own kinds.
    template: str = ""


@dataclass
class CaseRecords:
    """What the case page loaded once; cases' sources read these lists."""

    notices: list
    decisions: list
    assignments: list
    tasks: list
    contacts: list
    consents: list
    deviations: list


def as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


def notices_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    return [TimelineEntry(as_datetime(n.registered_at), "notice", n) for n in records.notices]


def decisions_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    return [TimelineEntry(d.created_at, "decision", d) for d in records.decisions]


def assignments_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    for a in records.assignments:
        yield TimelineEntry(a.created_at, "assignment", a)
        if a.ended_at:
            yield TimelineEntry(a.ended_at, "assignment_end", a)


def tasks_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    for t in records.tasks:
        yield TimelineEntry(t.created_at, "task", t)
        if t.completed_at:
            yield TimelineEntry(t.completed_at, "task_done", t)


def contacts_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    return [TimelineEntry(c.created_at, "contact", c) for c in records.contacts]


def consents_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    return [TimelineEntry(c.recorded_at, "consent", c) for c in records.consents]


def deviations_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    return [TimelineEntry(d.created_at, "deviation", d) for d in records.deviations]


SOURCES: list[Callable[[Case, CaseRecords], Iterable[TimelineEntry]]] = [
    notices_source,
    decisions_source,
    assignments_source,
    tasks_source,
    contacts_source,
    consents_source,
    deviations_source,
]

# Same moment: the notice before the decision it caused, an old role ended before the new one starts.
_ORDER = {"notice": 0, "decision": 1, "assignment_end": 2, "assignment": 3, "task": 4, "task_done": 5}


def case_timeline(case: Case, records: CaseRecords) -> list[TimelineEntry]:
    """Every source's entries, newest first. Other apps' sources are called with the case only."""
    entries: list[TimelineEntry] = []
    for source in SOURCES:
        entries += source(case, records)
    for extra in hooks.extra_timeline_sources:
        entries += extra(case)
    entries.sort(key=lambda e: (e.at, _ORDER.get(e.kind, 9)), reverse=True)
    return entries

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

from django.db import models
from django.utils import timezone

from .. import hooks
from ..models import Case


class TimelineKind(models.TextChoices):
    """cases' own kinds of timeline entry (templates/cases/_timeline_entry.html renders each); other apps name theirs."""

    NOTICE = "notice"
    DECISION = "decision"
    ASSIGNMENT = "assignment"
    ASSIGNMENT_END = "assignment_end"
    TASK = "task"
    TASK_DONE = "task_done"
    CONTACT = "contact"
    CONSENT = "consent"
    DEVIATION = "deviation"


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str  # a TimelineKind, or another app's own kind
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
    return [TimelineEntry(as_datetime(n.registered_at), TimelineKind.NOTICE, n) for n in records.notices]


def decisions_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    return [TimelineEntry(d.created_at, TimelineKind.DECISION, d) for d in records.decisions]


def assignments_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    for a in records.assignments:
        yield TimelineEntry(a.created_at, TimelineKind.ASSIGNMENT, a)
        if a.ended_at:
            yield TimelineEntry(a.ended_at, TimelineKind.ASSIGNMENT_END, a)


def tasks_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    for t in records.tasks:
        yield TimelineEntry(t.created_at, TimelineKind.TASK, t)
        if t.completed_at:
            yield TimelineEntry(t.completed_at, TimelineKind.TASK_DONE, t)


def contacts_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    return [TimelineEntry(c.created_at, TimelineKind.CONTACT, c) for c in records.contacts]


def consents_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    return [TimelineEntry(c.recorded_at, TimelineKind.CONSENT, c) for c in records.consents]


def deviations_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    return [TimelineEntry(d.created_at, TimelineKind.DEVIATION, d) for d in records.deviations]


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
_ORDER = {
    TimelineKind.NOTICE: 0,
    TimelineKind.DECISION: 1,
    TimelineKind.ASSIGNMENT_END: 2,
    TimelineKind.ASSIGNMENT: 3,
    TimelineKind.TASK: 4,
    TimelineKind.TASK_DONE: 5,
}


def case_timeline(case: Case, records: CaseRecords) -> list[TimelineEntry]:
    """Every source's entries, newest first. Other apps' sources are called with the case only."""
    entries: list[TimelineEntry] = []
    for source in SOURCES:
        entries += source(case, records)
    for extra in hooks.extra_timeline_sources:
        entries += extra(case)
    entries.sort(key=lambda e: (e.at, _ORDER.get(e.kind, 9)), reverse=True)
    return entries

"""The case page's timeline: a list of sources, each a function giving entries.

cases' own sources read the records the case page has already loaded (`CaseRecords`,
so each relation is queried once). Other apps add sources through cases.hooks
(`hooks.register(timeline_source=...)`); their entries name the template that renders
them, so cases' templates need not know those apps.

Issue 12, item 3: the plan's decision is shown in full once, afterwards only what
changed; tasks and assignments the plan made are lines of its decision, not entries of
their own; what lies in the future (a BOSAM meeting) is not on the timeline but in
"Kommande" (`case_timeline` returns both); `?visa=` filters by kind (TIMELINE_FILTERS).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import explanations, hooks
from ..models import AssignmentRole, Case, TaskKind


class TimelineKind(models.TextChoices):
    """cases' own kinds of timeline entry (templates/cases/_timeline_entry.html renders each); other apps name theirs."""

    NOTICE = "notice"
    DECISION = "decision"
    ASSIGNMENT = "assignment"
    ASSIGNMENT_END = "assignment_end"
    TASK = "task"
    TASK_DONE = "task_done"
    TASK_UNDONE = "task_undone"  # "klar" undone the same day (issue 12 item 4)
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
    # A decision: its sentences and change lines, worded for the reader; `full` for the first one.
    lines: list[str] = field(default_factory=list)
    full: bool = False


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
    # unit code → the unit's current name, for the plan's explanations
    unit_names: dict = field(default_factory=dict)


def as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


def notices_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    return [TimelineEntry(as_datetime(n.registered_at), TimelineKind.NOTICE, n) for n in records.notices]


def _label(kind: str) -> str:
    return str(TaskKind(kind).label) if kind in TaskKind.values else _("Uppgift")


def _role(role: str) -> str:
    return str(AssignmentRole(role).label).lower() if role in AssignmentRole.values else role


def change_line(line: str, tasks_by_kind: dict, names: dict) -> str:
    """One line of RoutingDecision.changes ("TASK HOME_VISIT", "END BARN_UNGA LEAD", …) in words."""
    word, _sep, rest = line.partition(" ")
    parts = rest.split()
    if word == "TASK" and parts:
        task = tasks_by_kind.get(parts[0])
        rules = ", ".join(task.rules) if task and task.rules else ""
        what = task.label if task else _label(parts[0])
        return _("%(rules)s: uppgift tillagd – %(task)s") % {"rules": rules, "task": what} if rules else _(
            "Uppgift tillagd – %(task)s"
        ) % {"task": what}
    if word == "DUE" and len(parts) >= 4:
        return _("%(task)s: nytt sista datum %(new)s (var %(old)s)") % {"task": _label(parts[0]), "old": parts[1], "new": parts[3]}
    if word == "CANCEL" and rest == "EVICTION TASKS":
        return _("Uppgifterna för avhysningsdagen avbröts: avhysningen är återkallad eller inställd")
    if word == "CANCEL" and parts:
        return _("%(task)s behövs inte längre och avbröts") % {"task": _label(parts[0])}
    if word in ("END", "ASSIGN") and len(parts) >= 2:
        unit = names.get(parts[0], parts[0])
        if word == "END":
            return _("%(unit)s lämnade rollen %(role)s") % {"unit": unit, "role": _role(parts[1])}
        return _("%(unit)s tilldelades ärendet (%(role)s)") % {"unit": unit, "role": _role(parts[1])}
    return ""


def decisions_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    """The first decision in full; every later one as what it changed and the sentences it added.
    A later decision that changed nothing is left out."""
    tasks_by_decision: dict[int, dict] = {}
    for t in records.tasks:
        if t.decision_id:
            tasks_by_decision.setdefault(t.decision_id, {})[t.kind] = t
    previous: list | None = None
    for d in records.decisions:
        changes = [change_line(line, tasks_by_decision.get(d.pk, {}), records.unit_names) for line in d.changes or ()]
        changes = [c for c in changes if c]
        if previous is None:
            # The first decision's sentences already name what it created.
            lines = explanations.sentences(d.explanation, records.unit_names)
            yield TimelineEntry(d.created_at, TimelineKind.DECISION, d, lines=lines, full=True)
        else:
            added = [item for item in d.explanation or () if item not in previous]
            lines = changes + explanations.sentences(added, records.unit_names)
            if lines:
                yield TimelineEntry(d.created_at, TimelineKind.DECISION, d, lines=lines)
        previous = list(d.explanation or ())


def assignments_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    """Assignments made or changed by hand; the plan's are lines of its decision."""
    plan_moments = {d.created_at for d in records.decisions}
    for a in records.assignments:
        if not a.decision_id:
            yield TimelineEntry(a.created_at, TimelineKind.ASSIGNMENT, a)
        if a.ended_at and a.ended_at not in plan_moments:
            yield TimelineEntry(a.ended_at, TimelineKind.ASSIGNMENT_END, a)


def tasks_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    """Tasks created by hand (the plan's are lines of its decision), every task done or cancelled, and the last
    undo of a "klar" (the audit log keeps every one)."""
    for t in records.tasks:
        if not t.decision_id:
            yield TimelineEntry(t.created_at, TimelineKind.TASK, t)
        if t.completed_at:
            yield TimelineEntry(t.completed_at, TimelineKind.TASK_DONE, t)
        if t.undone_at:
            yield TimelineEntry(t.undone_at, TimelineKind.TASK_UNDONE, t)


def contacts_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    return [TimelineEntry(c.created_at, TimelineKind.CONTACT, c) for c in records.contacts]


def consents_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    return [TimelineEntry(c.recorded_at, TimelineKind.CONSENT, c) for c in records.consents]


def deviations_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    return [TimelineEntry(d.created_at, TimelineKind.DEVIATION, d) for d in records.deviations]


def bosam_requests_source(case: Case, records: CaseRecords) -> Iterable[TimelineEntry]:
    """A unit's request for BOSAM (one query; shown under the BOSAM filter)."""
    requests = case.bosam_requests.select_related("unit", "requested_by")
    return [TimelineEntry(r.requested_at, "bosam", r, template="cases/_timeline_bosam_request.html") for r in requests]


SOURCES: list[Callable[[Case, CaseRecords], Iterable[TimelineEntry]]] = [
    notices_source,
    decisions_source,
    assignments_source,
    tasks_source,
    contacts_source,
    consents_source,
    deviations_source,
    bosam_requests_source,
]

# Same moment: the notice before the decision it caused, an old role ended before the new one starts.
_ORDER = {
    TimelineKind.NOTICE: 0,
    TimelineKind.DECISION: 1,
    TimelineKind.ASSIGNMENT_END: 2,
    TimelineKind.ASSIGNMENT: 3,
    TimelineKind.TASK: 4,
    TimelineKind.TASK_DONE: 5,
    TimelineKind.TASK_UNDONE: 6,
}


# ?visa=<key>: the kinds each filter shows (other apps' kinds by name: bosam's "bosam").
TIMELINE_FILTERS = {
    "kontakter": (gettext_lazy("Kontakter"), {TimelineKind.CONTACT, TimelineKind.CONSENT}),
    "underrattelser": (gettext_lazy("Underrättelser"), {TimelineKind.NOTICE}),
    "uppgifter": (gettext_lazy("Uppgifter"), {TimelineKind.TASK, TimelineKind.TASK_DONE, TimelineKind.TASK_UNDONE}),
    "bosam": (gettext_lazy("BOSAM"), {"bosam"}),
    "beslut": (
        gettext_lazy("Beslut och avvikelser"),
        {TimelineKind.DECISION, TimelineKind.ASSIGNMENT, TimelineKind.ASSIGNMENT_END, TimelineKind.DEVIATION},
    ),
}


# The newest entries shown until the reader asks for all (?hela=1).
TIMELINE_FIRST = 12


@dataclass
class Timeline:
    entries: list[TimelineEntry]  # what has happened, newest first (filtered, the first TIMELINE_FIRST unless everything)
    upcoming: list[TimelineEntry]  # what lies ahead, soonest first (never filtered)
    shown: str  # the TIMELINE_FILTERS key in force, "" for all
    hidden: int = 0  # older entries left out


def case_timeline(
    case: Case, records: CaseRecords, *, show: str = "", everything: bool = True, now: dt.datetime | None = None
) -> Timeline:
    """Every source's entries: the past newest first, the future apart. Other apps' sources are called with the case only."""
    now = now or timezone.now()
    entries: list[TimelineEntry] = []
    for source in SOURCES:
        entries += source(case, records)
    for extra in hooks.extra_timeline_sources:
        entries += extra(case)
    entries.sort(key=lambda e: (e.at, _ORDER.get(e.kind, 9)), reverse=True)
    past = [e for e in entries if e.at <= now]
    upcoming = sorted((e for e in entries if e.at > now), key=lambda e: e.at)
    show = show if show in TIMELINE_FILTERS else ""
    if show:
        kinds = TIMELINE_FILTERS[show][1]
        past = [e for e in past if e.kind in kinds]
    hidden = 0 if everything else max(0, len(past) - TIMELINE_FIRST)
    return Timeline(entries=past[: len(past) - hidden], upcoming=upcoming, shown=show, hidden=hidden)

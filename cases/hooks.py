"""The few questions cases asks of the rest of the system, with empty answers by default.

cases/ must not import the apps built on it (bosam/ and later ones): they register
their answers here from their AppConfig.ready(). Without any app registered, cases
works on its own: no next meeting, no case on any agenda, no extra timeline entries.

- next_meeting_date(organisation, today) -> date | None: the next forum meeting (urgency, R4)
- case_ids_on_agendas(organisation) -> ids usable in `pk__in`: cases a forum chair may read
- before_retention(today): called before retention deletes cases (followup writes its statistics aggregates)
- timeline sources: functions case -> iterable of TimelineEntry, added to the case page's
  timeline (see cases/workspace/timeline.py); an entry may name the template that renders it.
- case_changed listeners: functions (case ids) -> None, told after the commit that cases were closed,
  reopened or re-evaluated (a new notice, a changed urgency); bosam refreshes its prepared agendas. Inside
  `case_changes_gathered()` (an import's commit) they are told once, of all the cases, not once per case.
- cases_deleting listeners: functions (cases: list of Case) -> dict of counts, called by retention inside each
  batch's transaction just before those cases are deleted: the other apps remove what they keep of them (bosam's
  frozen minutes and stored PDFs, the imports' rows and kept files). A listener's error rolls the batch back.
- retention_sweep listeners: functions (today, execute) -> dict of counts, called once per retention run for
  the other apps' own periods (the rows of imports that never became a case).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any


def _no_meeting(organisation: Any, today: dt.date) -> dt.date | None:
    return None


def _no_agenda_cases(organisation: Any) -> Iterable[int]:
    return []


def _nothing_before_retention(today: dt.date) -> None:
    return None


_before_retention: Callable[[dt.date], Any] = _nothing_before_retention
_next_meeting_date: Callable[[Any, dt.date], dt.date | None] = _no_meeting
_case_ids_on_agendas: Callable[[Any], Iterable[int]] = _no_agenda_cases
# Functions case -> iterable of cases.workspace.timeline.TimelineEntry, from other apps.
extra_timeline_sources: list[Callable[[Any], Iterable[Any]]] = []
# Functions (case ids) -> None, called after the transaction that changed the cases commits.
case_changed_listeners: list[Callable[[list[int]], None]] = []
# The case ids gathered by `case_changes_gathered`, or None outside it.
_gathered_changes: ContextVar[set[int] | None] = ContextVar("gathered_case_changes", default=None)
# Functions (cases about to be deleted by retention) -> {name: count}; and (today, execute) -> {name: count}.
cases_deleting_listeners: list[Callable[[list[Any]], dict[str, int]]] = []
retention_sweep_listeners: list[Callable[[dt.date, bool], dict[str, int]]] = []


def register(
    *,
    next_meeting_date: Callable[[Any, dt.date], dt.date | None] | None = None,
    case_ids_on_agendas: Callable[[Any], Iterable[int]] | None = None,
    timeline_source: Callable[[Any], Iterable[Any]] | None = None,
    before_retention: Callable[[dt.date], Any] | None = None,
    case_changed: Callable[[list[int]], None] | None = None,
    cases_deleting: Callable[[list[Any]], dict[str, int]] | None = None,
    retention_sweep: Callable[[dt.date, bool], dict[str, int]] | None = None,
) -> None:
    """Called from an app's ready(). Registering the same timeline source twice adds it once."""
    global _next_meeting_date, _case_ids_on_agendas, _before_retention
    if before_retention is not None:
        _before_retention = before_retention
    if next_meeting_date is not None:
        _next_meeting_date = next_meeting_date
    if case_ids_on_agendas is not None:
        _case_ids_on_agendas = case_ids_on_agendas
    if timeline_source is not None and timeline_source not in extra_timeline_sources:
        extra_timeline_sources.append(timeline_source)
    if case_changed is not None and case_changed not in case_changed_listeners:
        case_changed_listeners.append(case_changed)
    if cases_deleting is not None and cases_deleting not in cases_deleting_listeners:
        cases_deleting_listeners.append(cases_deleting)
    if retention_sweep is not None and retention_sweep not in retention_sweep_listeners:
        retention_sweep_listeners.append(retention_sweep)


def merge_counts(total: dict[str, int], counts: dict[str, int] | None) -> dict[str, int]:
    for name, n in (counts or {}).items():
        total[name] = total.get(name, 0) + n
    return total


def cases_deleting(cases: list[Any]) -> dict[str, int]:
    """Tell the other apps that these cases are about to be deleted (inside retention's batch transaction)."""
    total: dict[str, int] = {}
    for listener in cases_deleting_listeners:
        merge_counts(total, listener(cases))
    return total


def retention_sweep(today: dt.date, execute: bool) -> dict[str, int]:
    """The other apps' own retention periods, once per run (a dry run counts what would go)."""
    total: dict[str, int] = {}
    for listener in retention_sweep_listeners:
        merge_counts(total, listener(today, execute))
    return total


def next_meeting_date(organisation: Any, today: dt.date) -> dt.date | None:
    return _next_meeting_date(organisation, today)


def case_ids_on_agendas(organisation: Any) -> Iterable[int]:
    return _case_ids_on_agendas(organisation)


def before_retention(today: dt.date) -> Any:
    return _before_retention(today)


def case_changed(case_id: int) -> None:
    """Tell the listeners, once the current transaction commits (at once outside one), that the case changed."""
    cases_changed([case_id])


def cases_changed(case_ids: list[int]) -> None:
    """The same for several cases at once (a batch of the daily checks): the listeners are told once, of them all."""
    if not case_ids:
        return
    gathered = _gathered_changes.get()
    if gathered is not None:
        gathered.update(case_ids)
        return
    _tell_on_commit(sorted(set(case_ids)))


@contextmanager
def case_changes_gathered() -> Iterator[None]:
    """Within the block, changed cases are gathered; at its end the listeners are told of them all at once, after
    the commit (an import of 5,000 rows refreshes a prepared agenda once, not 5,000 times). Nothing is told when the
    block fails: its transaction rolls back."""
    token = _gathered_changes.set(set())
    try:
        yield
        case_ids = sorted(_gathered_changes.get())
    finally:
        _gathered_changes.reset(token)
    if case_ids:
        _tell_on_commit(case_ids)


def _tell_on_commit(case_ids: list[int]) -> None:
    from django.db import transaction

    for listener in case_changed_listeners:
        transaction.on_commit(lambda listener=listener: _tell(listener, case_ids))


def _tell(listener: Callable[[list[int]], None], case_ids: list[int]) -> None:
    # The cases' own change is committed: a listener's failure must not turn it into an error page
    # (bosam's daily preparation refreshes the agendas anyway).
    try:
        listener(case_ids)
    except Exception:
        logging.getLogger(__name__).exception("case_changed listener %s failed for cases %s", listener, case_ids[:20])

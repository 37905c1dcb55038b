"""Retention (gallring, issue 15 §6) of what BOSAM keeps about a deleted case: the frozen minutes and stored PDFs.

A closed meeting's minutes (Meeting.minutes, JSON frozen at closing) list each case on the agenda with its household
designation (initials), area, children, notice, debt, dates, lead unit, the meeting's note and the activities decided
(free text typed at the meeting), and other meetings' minutes list its activities under follow-up. The agenda items
and activities themselves cascade with the case; the minutes and the cached PDFs (MeetingDocument) do not.

cases/services/retention.py calls `cases_deleting(cases)` (through cases.hooks) inside its batch transaction, before
the cases go. For every minutes that name one of them (by case id or number):

- the case's agenda row, its struck-item row and its activities (in its own row and under follow-up) are taken out,
  and its number is listed under "Gallrade ärenden" (`deleted_cases`): the minutes still show that the forum
  handled that many cases, and which numbers were gallrade, but nothing about the household or what was decided.
  The case number alone is kept (as in the severed audit rows and the deviations register); everything that
  describes the household or holds free text goes (docs/retention.md gives the reasons);
- the summary figures that counted the case's household (families with children, their children, urgent cases)
  are recomputed from the rows left; the number of cases stays what the meeting handled;
- the deviations list keeps its rows: they are the register's own rows, severed the same way (number, kind, date,
  the application's fixed text).

Every stored PDF (agenda and minutes) of those meetings, and of every meeting not closed yet (its live agenda may
list the case's activities under follow-up), is deleted: a PDF is rendered again, from the cleaned content, when
someone asks for it.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from .models import Meeting, MeetingDocument, MeetingStatus


def _named(entry: dict, ids: set[int], numbers: set[str]) -> bool:
    return entry.get("case_id") in ids or entry.get("number") in numbers


def _scrub_sections(content: dict, ids: set[int], numbers: set[str], gone: set[str]) -> bool:
    changed = False
    for section in content.get("sections", []):
        kept = []
        for entry in section.get("items", []):
            if _named(entry, ids, numbers):
                gone.add(entry["number"])
                continue
            activities = [a for a in entry.get("activities", []) if not _named(a, ids, numbers)]
            changed |= len(activities) != len(entry.get("activities", []))
            kept.append({**entry, "activities": activities})
        changed |= len(kept) != len(section.get("items", []))
        section["items"] = kept
    return changed


def _scrub_removed(content: dict, numbers: set[str], gone: set[str]) -> bool:
    removed = content.get("removed", [])
    kept = [r for r in removed if r.get("number") not in numbers]
    gone |= {r["number"] for r in removed if r.get("number") in numbers}
    content["removed"] = kept
    return len(kept) != len(removed)


def _scrub_follow_up(content: dict, ids: set[int], numbers: set[str], gone: set[str]) -> bool:
    changed, follow_up = False, []
    for group in content.get("follow_up", []):
        activities = [a for a in group.get("activities", []) if not _named(a, ids, numbers)]
        gone |= {a["number"] for a in group.get("activities", []) if _named(a, ids, numbers)}
        changed |= len(activities) != len(group.get("activities", []))
        if activities:
            follow_up.append({**group, "activities": activities})
    content["follow_up"] = follow_up
    return changed


def _recount(content: dict) -> None:
    """The figures that counted households, from the rows left (the number of cases handled stays)."""
    live = [e for s in content.get("sections", []) for e in s.get("items", [])]
    with_children = [e for e in live if e.get("children_count")]
    content["children"] = {"cases": len(with_children), "children": sum(e["children_count"] for e in with_children),
                           "numbers": [e["number"] for e in with_children]}
    content["urgent_count"] = sum(1 for e in live if e.get("urgent"))


def scrub_minutes(content: dict, *, ids: set[int], numbers: set[str]) -> bool:
    """Take the given cases out of frozen minutes (in place); True when something changed. Pure."""
    gone: set[str] = set(content.get("deleted_cases") or [])
    before = set(gone)
    changed = _scrub_sections(content, ids, numbers, gone)
    changed |= _scrub_removed(content, numbers, gone)
    changed |= _scrub_follow_up(content, ids, numbers, gone)
    if not changed and gone == before:
        return False
    _recount(content)
    content["deleted_cases"] = sorted(gone)
    return True


def cases_deleting(cases: list) -> dict[str, int]:
    """Called by retention inside its batch transaction, before these cases are deleted (see the module docstring)."""
    by_organisation: dict[int, list] = defaultdict(list)
    for case in cases:
        by_organisation[case.organisation_id].append(case)
    scrubbed, stale = 0, set()
    for organisation_id, organisation_cases in by_organisation.items():
        ids = {c.pk for c in organisation_cases}
        numbers = {c.number for c in organisation_cases}
        earliest = min(timezone.localdate(c.opened_at) for c in organisation_cases)
        closed = Meeting.objects.select_for_update().filter(
            organisation_id=organisation_id, status=MeetingStatus.CLOSED, minutes__isnull=False, date__gte=earliest,
        )
        for meeting in closed:
            if scrub_minutes(meeting.minutes, ids=ids, numbers=numbers):
                Meeting.objects.filter(pk=meeting.pk).update(minutes=meeting.minutes)
                scrubbed += 1
                stale.add(meeting.pk)
        # Not closed yet: the agenda is computed live (its items cascade), but a stored PDF may still name the case.
        stale |= set(Meeting.objects.filter(organisation_id=organisation_id).exclude(status=MeetingStatus.CLOSED)
                     .values_list("pk", flat=True))
    deleted, _per_model = MeetingDocument.objects.filter(meeting_id__in=stale).delete()
    return {"minutes_scrubbed": scrubbed, "meeting_pdfs_deleted": deleted}

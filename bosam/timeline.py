"""BOSAM's entries on the case page's timeline (registered with cases.hooks in apps.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cases.workspace.timeline import TimelineEntry

from . import selectors

TEMPLATE = "bosam/partials/timeline_entry.html"


def case_discussion_entries(case) -> list[TimelineEntry]:
    """One entry per (not struck) agenda item of the case, at the meeting's time."""
    entries = []
    for item in selectors.case_discussions(case):
        at = timezone.make_aware(dt.datetime.combine(item.meeting.date, item.meeting.time or dt.time.min))
        entries.append(TimelineEntry(at, "bosam", item, template=TEMPLATE))
    return entries

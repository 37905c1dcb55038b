"""The period report's content (a selector) and its PDF. No personal data: case numbers, codes and counts only."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from operator import itemgetter
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Case as DbCase
from django.db.models import Count, F, Q, When
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from bosam.models import Activity, Attendance, Meeting, MeetingStatus
from cases.models import Deviation, DeviationKind, DeviationStatus, TaskStatus

from .models import PeriodKind, PeriodReport
from .statistics import Scope, compute
from .tables import build_tables

HEADLINE_TABLES = ("households", "evictions", "contact")


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_bounds(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The month, quarter or year containing `day`."""
    if kind == PeriodKind.YEAR:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    if kind == PeriodKind.QUARTER:
        start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return start, _shift_months(start, 3) - dt.timedelta(days=1)
    start = day.replace(day=1)
    return start, _shift_months(start, 1) - dt.timedelta(days=1)


def previous_period(kind: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period before, of the same kind; for chosen dates the same number of days just before."""
    if kind in (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR):
        return period_bounds(kind, start - dt.timedelta(days=1))
    length = end - start
    return start - length - dt.timedelta(days=1), start - dt.timedelta(days=1)


def _deviations(organisation_id: int, start: dt.date, end: dt.date) -> list[tuple[str, str, str, str | None]]:
    """(kind, status, case number, unit name) of the period's deviations, counted per distinct combination in the
    database: a year of a large district is tens of thousands of deviations, read as a few hundred rows. A deviation
    of a deleted case (gallrat) keeps the case number and the lead unit its case had."""
    return list(
        Deviation.objects.filter(organisation_id=organisation_id, occurred_on__gte=start, occurred_on__lte=end)
        .annotate(number=Coalesce("case__number", "case_number"),
                  unit_name=DbCase(When(case__isnull=False, then=F("case__lead_unit__name")), default=F("case_unit__name")))
        .order_by().values_list("kind", "status", "number", "unit_name").annotate(n=Count("id"))
    )


def report_content(report: PeriodReport) -> dict:
    start, end = report.period_start, report.period_end
    previous_start, previous_end = previous_period(report.kind, start, end)
    current = _deviations(report.organisation_id, start, end)
    previous = _deviations(report.organisation_id, previous_start, previous_end)
    without_unit = _("Utan ärende eller enhet")

    def counted(rows, part) -> Counter:
        counter = Counter()
        for row in rows:
            counter[part(row)] += row[4]
        return counter

    kind_now, kind_before = counted(current, itemgetter(0)), counted(previous, itemgetter(0))
    numbers = defaultdict(set)
    for kind, _status, number, _unit, _n in current:
        if number:
            numbers[kind].add(number)
    by_kind = [
        {"label": str(k.label), "code": k.value, "now": kind_now[k.value], "before": kind_before[k.value],
         "cases": sorted(numbers[k.value])}
        for k in DeviationKind
    ]
    def unit_name(row) -> str:
        return row[3] or without_unit

    unit_now, unit_before = counted(current, unit_name), counted(previous, unit_name)
    by_unit = [{"label": name, "now": unit_now[name], "before": unit_before[name]} for name in sorted(set(unit_now) | set(unit_before))]
    status_now = counted(current, itemgetter(1))
    by_status = [{"label": str(s.label), "code": s.value, "now": status_now[s.value]} for s in DeviationStatus]

    # The meetings' ids only: a closed meeting carries its frozen minutes (JSON), which decoding made a third of the page.
    meetings = list(Meeting.objects.filter(organisation_id=report.organisation_id, status=MeetingStatus.CLOSED,
                                           date__gte=start, date__lte=end).values_list("id", flat=True))
    attendance = defaultdict(lambda: [0, 0])
    for department, present in Attendance.objects.filter(meeting_id__in=meetings).values_list("department__name", "present"):
        attendance[department][1] += 1
        if present:
            attendance[department][0] += 1
    activities = Activity.objects.filter(meeting__organisation_id=report.organisation_id, meeting__date__gte=start,
                                         meeting__date__lte=end).aggregate(
        decided=Count("id"),
        # Done on time: completed on or before its due date (the completion's local date).
        on_time=Count("id", filter=Q(task__status=TaskStatus.DONE, task__completed_at__date__lte=F("task__due_date"))),
    )
    figures = compute(Scope(organisation_ids=(report.organisation_id,)), start, end)
    headline = [t for t in build_tables(figures) if t.key in HEADLINE_TABLES]
    return {
        "report": report, "organisation": report.organisation,
        "period": {"from": start, "to": end}, "previous": {"from": previous_start, "to": previous_end},
        "deviations": {"total": sum(kind_now.values()), "total_before": sum(kind_before.values()), "by_kind": by_kind,
                       "by_unit": by_unit,
                       "by_status": by_status},
        "bosam": {
            "meetings": len(meetings),
            "attendance": [{"department": name, "present": p, "meetings": n} for name, (p, n) in sorted(attendance.items())],
            "activities": activities["decided"], "activities_on_time": activities["on_time"],
        },
        "headline": headline,
    }


def report_pdf(report: PeriodReport) -> bytes:
    """The report as an A4 PDF, always in the administration's language (it is an official document)."""
    from weasyprint import CSS, HTML

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("followup/report_pdf.html", {"c": report_content(report)})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[CSS(filename=_stylesheet_path())])


def _stylesheet_path() -> str:
    # The same print stylesheet as the BOSAM agenda and minutes.
    return finders.find("css/print.css") or str(Path(settings.BASE_DIR) / "static" / "css" / "print.css")

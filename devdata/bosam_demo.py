"""Demo meetings for `seed_demo`: a series starting this month, the next meetings planned with
their agendas, and one past meeting closed with attendance, an absence and an activity. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from bosam import services
from bosam.models import Meeting, MeetingSeries, MeetingStatus, Weekday
from cases.rules.workdays import add_working_days, is_working_day
from organisation.models import Organisation, Role, User

DEMO_SERIES_NAME = "BOSAM Enskede-Årsta-Vantör"
DEMO_PLACE = "Stadsdelsförvaltningen, sammanträdesrum Årsta"


def _working_day_on_or_before(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


@transaction.atomic
def seed_demo_meetings(organisation: Organisation, today: dt.date | None = None) -> MeetingSeries:
    today = today or timezone.localdate()
    # Tuesdays every other week, the next one after today (never "today 09:00", issue 12 item 9): the series starts
    # four weeks before it, so the last meeting (closed below) lies one to thirteen days back.
    next_tuesday = today + dt.timedelta(days=(Weekday.TUESDAY - today.weekday() - 1) % 7 + 1)
    series, created = MeetingSeries.objects.get_or_create(
        organisation=organisation, name=DEMO_SERIES_NAME,
        defaults={
            "weekday": Weekday.TUESDAY, "time": dt.time(9, 0), "place": DEMO_PLACE, "interval_days": 14,
            "start_date": next_tuesday - dt.timedelta(days=28), "agenda_lead_working_days": 2,
        },
    )
    if created:
        series.departments.set(organisation.departments.all())  # R5: all departments take part
    services.plan_meetings(today=today, organisation=organisation)
    # The demo shows agendas at once, not only two working days ahead.
    for meeting in Meeting.objects.filter(series=series, status=MeetingStatus.PLANNED, date__gte=today).order_by("date")[:2]:
        services.agenda_prepare(meeting=meeting, today=today)

    if not series.meetings.filter(status=MeetingStatus.CLOSED).exists():
        _closed_past_meeting(series, today)
    return series


def _closed_past_meeting(series: MeetingSeries, today: dt.date) -> None:
    chair = User.objects.filter(organisation=series.organisation, groups__name=Role.BOSAM_ORDFORANDE).order_by("pk").first()
    # The series' latest date before today, if it has one this month; else two weeks ago.
    earlier = [a for _n, a in services.series_dates(series, series.start_date, today - dt.timedelta(days=1)) if a < today]
    past = earlier[-1] if earlier else _working_day_on_or_before(today - dt.timedelta(days=14))
    meeting, _created = Meeting.objects.get_or_create(
        series=series, scheduled_date=past,
        defaults={"organisation": series.organisation, "date": past, "time": series.time, "place": series.place, "edited_by_chair": True},
    )
    if meeting.status == MeetingStatus.PLANNED:
        services.agenda_prepare(meeting=meeting, today=past)
    departments = list(series.departments.order_by("name"))
    # One department absent, so the demo's next agenda shows a deviation (R5, R8).
    rows = [(d, d.code != "FUNKTIONSNEDSATTNING", "") for d in departments]
    services.attendance_record(meeting=meeting, user=chair, rows=rows)
    # Recorded at the meeting, not when the demo is seeded: the minutes say it opened a few minutes after its time.
    opened = timezone.make_aware(dt.datetime.combine(meeting.date, meeting.time)) + dt.timedelta(minutes=2)
    Meeting.objects.filter(pk=meeting.pk).update(started_at=opened)
    meeting.refresh_from_db()
    items = list(meeting.items.filter(removed_at__isnull=True).select_related("case").order_by("-children_count", "section", "position"))
    if items:
        item = items[0]
        unit_code = "MOTTAGNING_BARN_UNGA" if item.children_count else "EKONOMISKT_BISTAND"
        unit = series.organisation.units.get(code=unit_code)
        services.item_note_save(item=item, user=chair, note="Hyresrådgivaren har inte nått hushållet. Gemensamt hembesök.")
        services.activity_create(
            item=item, user=chair, unit=unit, due_date=add_working_days(past, 10),
            what="Hembesök tillsammans med hyresrådgivaren och erbjud stöd",
        )
    services.meeting_close(meeting=meeting, user=chair)

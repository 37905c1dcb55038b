"""Planning meetings: holidays and de-facto holidays, the summer pause, 2026–2028; idempotent; the chair's edits stay."""

import datetime as dt
import itertools

import pytest

from bosam import services
from bosam.models import Meeting, MeetingSeries, MeetingStatus
from cases.rules.workdays import is_working_day, next_working_day_on_or_after
from tests.test_bosam_scenario import D, make_series


def series(weekday, start, interval=14, pause=(27, 32)):
    # Unsaved: series_dates is pure arithmetic on the series' fields.
    return MeetingSeries(weekday=weekday, start_date=D(start), interval_days=interval, pause_from_week=pause[0], pause_to_week=pause[1])


@pytest.mark.parametrize("weekday", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("interval", [7, 14])
def test_every_meeting_2026_2028_is_on_a_working_day_outside_the_pause(weekday, interval):
    s = series(weekday, "2026-01-01", interval)
    dates = services.series_dates(s, D("2026-01-01"), D("2028-12-31"))
    assert len(dates) > 3 * (52 - 6) * 7 // interval - 3
    nominals = [n for n, _a in dates]
    actuals = [a for _n, a in dates]
    for nominal, actual in dates:
        assert nominal.weekday() == weekday
        assert actual == next_working_day_on_or_after(nominal)
        assert is_working_day(actual)
        assert not 27 <= nominal.isocalendar().week <= 32
        assert not 27 <= actual.isocalendar().week <= 32
    assert len(set(actuals)) == len(actuals)
    # Nothing skipped but the pause: consecutive nominal dates are one interval apart, or jump the pause.
    for before, after in itertools.pairwise(nominals):
        assert (after - before).days == interval or before.isocalendar().week < 27 < after.isocalendar().week or before.year < after.year


@pytest.mark.parametrize(("weekday", "start", "nominal", "actual"), [
    # Christmas and New Year: Julafton and Nyårsafton are de-facto holidays.
    (3, "2026-12-03", "2026-12-24", "2026-12-28"),
    (3, "2026-12-03", "2026-12-31", "2027-01-04"),
    (4, "2027-12-03", "2027-12-24", "2027-12-27"),
    (4, "2027-12-03", "2027-12-31", "2028-01-03"),
    (0, "2028-12-04", "2028-12-25", "2028-12-27"),
    (4, "2026-12-04", "2027-01-01", "2027-01-04"),
    (1, "2026-01-06", "2026-01-06", "2026-01-07"),  # Trettondedag jul
    # Midsommarafton, the Friday before the pause.
    (4, "2026-06-05", "2026-06-19", "2026-06-22"),
    (4, "2027-06-11", "2027-06-25", "2027-06-28"),
    (4, "2028-06-09", "2028-06-23", "2028-06-26"),
])
def test_holiday_meetings_move_to_the_next_working_day(weekday, start, nominal, actual):
    dates = dict(services.series_dates(series(weekday, start, 7), D(start), D(start) + dt.timedelta(days=60)))
    assert dates[D(nominal)] == D(actual)


@pytest.mark.parametrize("year", [2026, 2027, 2028])
def test_summer_pause_weeks_27_to_32(year):
    dates = [a for _n, a in services.series_dates(series(1, f"{year}-01-01"), D(f"{year}-05-01"), D(f"{year}-09-30"))]
    weeks = sorted({d.isocalendar().week for d in dates})
    assert not set(weeks) & set(range(27, 33))
    assert max(w for w in weeks if w < 27) >= 25 and min(w for w in weeks if w > 32) <= 34


def test_pause_over_new_year_and_no_pause():
    s = series(0, "2026-11-02", 7, pause=(52, 1))
    actuals = [a for _n, a in services.series_dates(s, D("2026-12-01"), D("2027-01-31"))]
    assert not [a for a in actuals if a.isocalendar().week in (52, 53, 1)]
    s = series(0, "2026-06-01", 7, pause=(None, None))
    assert len(services.series_dates(s, D("2026-06-01"), D("2026-08-31"))) == 14


def test_plan_twice_creates_nothing_twice(organisation):
    s = make_series(organisation, start_date=D("2026-11-03"))
    first = services.plan_meetings(today=D("2026-12-01"), organisation=organisation)
    assert first["created"] == 7  # 12-01, 12-15, 12-29, 01-12, 01-26, 02-09, 02-23 (the horizon's last day)
    again = services.plan_meetings(today=D("2026-12-01"), organisation=organisation)
    assert again == {"created": 0, "moved": 0, "removed": 0}
    dates = list(Meeting.objects.filter(series=s).order_by("date").values_list("date", flat=True))
    assert len(dates) == len(set(dates))
    assert all(D("2026-12-01") <= d <= D("2026-12-01") + dt.timedelta(weeks=12) for d in dates)
    # A day later the window moves on: only the new meeting at the far end is added.
    later = services.plan_meetings(today=D("2026-12-16"), organisation=organisation)
    assert later["created"] == 1 and later["removed"] == 0
    assert Meeting.objects.filter(series=s).count() == 8


def test_the_task_and_the_command_plan_too(organisation):
    from django.core.management import call_command

    from bosam.tasks import plan_meetings_task

    make_series(organisation)
    assert plan_meetings_task("2026-12-01")["created"] == 7
    call_command("plan_meetings", "--date", "2026-12-01")
    assert Meeting.objects.count() == 7


def test_chair_edits_cancellations_and_past_meetings_are_never_moved(organisation, personas):
    chair = personas["ordforande"]
    s = make_series(organisation)
    services.plan_meetings(today=D("2026-11-16"), organisation=organisation)
    past = Meeting.objects.get(series=s, date=D("2026-11-17"))
    edited = Meeting.objects.get(series=s, date=D("2026-12-01"))
    cancelled = Meeting.objects.get(series=s, date=D("2026-12-15"))
    services.meeting_reschedule(meeting=edited, user=chair, date=D("2026-12-02"), time=dt.time(13, 0), place="Sal Enskede")
    services.meeting_cancel(meeting=cancelled, user=chair, reason="Julledighet")
    s.time, s.place = dt.time(10, 0), "Sal Vantör"
    s.save()
    result = services.plan_meetings(today=D("2026-11-25"), organisation=organisation)
    past.refresh_from_db()
    edited.refresh_from_db()
    cancelled.refresh_from_db()
    assert (past.time, past.place) == (dt.time(9, 0), "Sal Årsta")
    assert (edited.date, edited.time, edited.place) == (D("2026-12-02"), dt.time(13, 0), "Sal Enskede")
    assert cancelled.status == MeetingStatus.CANCELLED and cancelled.time == dt.time(9, 0)
    others = Meeting.objects.filter(series=s, date__gt=D("2026-12-15"))
    assert others.exists() and all((m.time, m.place) == (dt.time(10, 0), "Sal Vantör") for m in others)
    # 12-29, 01-12, 01-26 moved to the new time and place; 02-09 newly inside the 12 weeks.
    assert result == {"created": 1, "moved": 3, "removed": 0}


def test_changing_the_series_replans_untouched_meetings(organisation):
    s = make_series(organisation)
    services.plan_meetings(today=D("2026-11-16"), organisation=organisation)
    s.weekday = 3  # Thursdays from now on
    s.save()
    result = services.plan_meetings(today=D("2026-11-16"), organisation=organisation)
    assert result["removed"] == 6 and result["created"] == 6
    assert {m.scheduled_date.weekday() for m in Meeting.objects.filter(series=s)} == {3}
    assert Meeting.objects.get(series=s, scheduled_date=D("2026-12-31")).date == D("2027-01-04")  # Nyårsafton
    s.is_active = False
    s.save()
    assert services.plan_meetings(today=D("2026-11-16"), organisation=organisation)["removed"] == 6
    assert not Meeting.objects.filter(series=s).exists()

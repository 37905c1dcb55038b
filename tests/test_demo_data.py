"""Issue 12 item 9: the demo looks like a normal working day, relative to the day it is seeded; `make run` takes
PORT= and ADDR=."""

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Exists, OuterRef

from bosam.models import Meeting, MeetingStatus
from cases.models import Case, CaseStatus, Deviation, Person, Task, TaskStatus

ROOT = Path(__file__).resolve().parent.parent
TUESDAY = "2026-12-01"


def overdue_cases(today: dt.date):
    late = Task.objects.filter(case=OuterRef("pk"), status=TaskStatus.OPEN, due_date__lt=today)
    return Case.objects.filter(status=CaseStatus.OPEN).filter(Exists(late))


@pytest.mark.slow  # seed_demo takes about 20 s a run here
@pytest.mark.django_db
@pytest.mark.parametrize("day", [TUESDAY, "2026-12-03"])
def test_the_demo_is_a_normal_day_with_the_next_meeting_ahead(day):
    today = dt.date.fromisoformat(day)
    call_command("seed_demo", "--today", day)
    open_cases = Case.objects.filter(status=CaseStatus.OPEN)
    late = overdue_cases(today).count()
    # Most cases on time, a few overdue: "Försenad" is the exception.
    assert 1 <= late <= 2 < open_cases.count() - late
    assert open_cases.filter(urgent=True, children_count__gt=0).count() == 1  # one urgent family
    assert Person.objects.filter(protected_identity=True).values("household").distinct().count() == 1
    # A handful of deviations, not one per case.
    assert Deviation.objects.count() <= 5
    upcoming = Meeting.objects.filter(status=MeetingStatus.PLANNED).order_by("date").first()
    assert upcoming.date > today  # never "today 09:00"
    last = Meeting.objects.filter(status=MeetingStatus.CLOSED).order_by("-date").first()
    assert today - dt.timedelta(days=14) <= last.date < today
    # Open tasks today or later exist: the day has work in it.
    assert Task.objects.filter(status=TaskStatus.OPEN, due_date__gte=today).count() >= 3


@pytest.mark.parametrize(("args", "addr"), [([], "127.0.0.1:8000"), (["PORT=8100"], "127.0.0.1:8100"),
                                            (["ADDR=0.0.0.0", "PORT=8101"], "0.0.0.0:8101")])
def test_make_run_takes_port_and_addr(args, addr):
    out = subprocess.run(["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True).stdout
    assert f"manage.py rundemo --addr {addr}" in out
    assert "make run PORT=8100" in (ROOT / "README.md").read_text()

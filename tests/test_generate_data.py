"""The synthetic data generator (issue 6): invariants on a small run, determinism, and the benchmark's CLI."""

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from bosam.models import AgendaItem, Meeting, MeetingStatus
from cases.models import Assignment, Case, CaseStatus, Household, Notice, Person, RoutingDecision, Task
from cases.rules.identity import normalize_personal_identity_number

ROOT = Path(__file__).resolve().parent.parent
N = 300


def generate(seed=7, reset=False):
    call_command("generate_data", households=N, seed=seed, organisations=2, reset=reset, stdout=open("/dev/null", "w"))  # noqa: SIM115


def fingerprint():
    """What must be equal for the same seed (no database ids: they may differ between runs)."""
    return (
        sorted(Case.objects.values_list("organisation__code", "number", "status", "outcome", "latest_notice_type", "children_count")),
        sorted(Person.objects.values_list("name", "personal_identity_number", "role", "birth_date")),
        sorted(Notice.objects.values_list("case__number", "notice_type", "received_date", "debt_amount")),
        sorted(Task.objects.values_list("case__number", "kind", "status", "due_date")),
    )


@pytest.mark.slow
@pytest.mark.django_db
def test_generated_data_keeps_the_invariants():
    generate()
    assert Household.objects.count() == N
    # Every household has a case, and at most one open (the database constraint, checked here on the data).
    per_household = Household.objects.annotate(n_cases=Count("cases"), n_open=Count("cases", filter=Q(cases__status=CaseStatus.OPEN)))
    assert all(h.n_cases >= 1 and h.n_open <= 1 for h in per_household)
    assert Case.objects.filter(status=CaseStatus.OPEN).exists() and Case.objects.filter(status=CaseStatus.CLOSED).exists()
    assert not Case.objects.filter(status=CaseStatus.CLOSED, outcome="").exists()

    # Only test personnummer (serial 980–999) with a correct check digit, never the same number twice.
    numbers = [p for p in Person.objects.exclude(personal_identity_number="").values_list("personal_identity_number", flat=True)]
    assert numbers and len(numbers) == len(set(numbers))
    for number in numbers:
        assert normalize_personal_identity_number(number) == number
        assert 980 <= int(number[8:11]) <= 999

    # Children in about a third of households.
    with_children = Household.objects.filter(members__role="CHILD").distinct().count()
    assert 0.25 <= with_children / N <= 0.42, with_children

    # Several kinds of notices, Kronofogden's mostly withdrawn; routing gave each case exactly one lead and its tasks.
    types = Counter(Notice.objects.values_list("notice_type", flat=True))
    assert types["RENT_ARREARS_TERMINATION"] > types["DISTURBANCE_WARNING"] > 0
    assert Notice.objects.count() >= N
    assert RoutingDecision.objects.count() >= Notice.objects.count()
    leads = Counter(Assignment.objects.filter(ended_at__isnull=True, role="LEAD").values_list("case_id", flat=True))
    assert set(leads.values()) == {1} and len(leads) == Case.objects.count()
    assert Task.objects.filter(kind="BOSAM_REVIEW").exists() and Task.objects.filter(kind="SEND_LETTER").exists()

    # BOSAM: closed meetings with frozen minutes and agenda items, and planned meetings ahead.
    closed = Meeting.objects.filter(status=MeetingStatus.CLOSED)
    assert closed.exists() and not closed.filter(minutes={}).exists()
    assert AgendaItem.objects.exists()
    assert Meeting.objects.filter(status=MeetingStatus.PLANNED).exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_same_seed_gives_the_same_data():
    generate(seed=3)
    first = fingerprint()
    generate(seed=3, reset=True)
    assert fingerprint() == first
    generate(seed=4, reset=True)
    assert fingerprint() != first


def test_benchmark_help_works():
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "--sizes" in result.stdout and "--requests" in result.stdout


@pytest.mark.slow
@pytest.mark.django_db
def test_generate_data_adds_to_the_demo_data():
    """Issue 16: `make run` (seed_demo), then generate_data on the same database, must work: the case numbers go on."""
    call_command("seed_demo", "--today", "2026-11-25", stdout=open("/dev/null", "w"))  # noqa: SIM115
    demo_cases = set(Case.objects.values_list("organisation__code", "number"))
    assert demo_cases
    call_command("generate_data", households=60, seed=2, organisations=2, today="2026-11-25", stdout=open("/dev/null", "w"))  # noqa: SIM115
    numbers = list(Case.objects.values_list("organisation__code", "number"))
    assert len(numbers) == len(set(numbers)) > len(demo_cases)
    assert demo_cases <= set(numbers)
    # The numbering goes on from the generated cases: the next case registered through the services gets a free number.
    from cases.models import CaseNumberSequence

    for sequence in CaseNumberSequence.objects.all():
        given = Case.objects.filter(organisation=sequence.organisation_id, number__startswith=f"{sequence.year}-")
        used = [int(n.split("-")[1]) for n in given.values_list("number", flat=True)]
        assert sequence.last == max(used)
    # And once more on top (a user who wants still more data).
    call_command("generate_data", households=30, seed=3, organisations=2, today="2026-11-25", stdout=open("/dev/null", "w"))  # noqa: SIM115
    numbers = list(Case.objects.values_list("organisation__code", "number"))
    assert len(numbers) == len(set(numbers))

"""Fault injection and races (issue 10): what happens when PostgreSQL drops its
connections, Redis goes away, a worker dies in the middle of the daily checks, and
when the writes that must happen once are sent many times at the same moment.

Marked ``slow`` (CI runs them in `make test` on PostgreSQL + Redis; `make test-fast`
leaves them out) and ``postgres``: they need real connections from many threads.
Redis is a private ``redis-server`` started by the test on a free port: the
machine's Redis is never stopped."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import close_old_connections, connection, connections
from django.test import Client

from cases import services
from cases.models import AuditAction, AuditEvent, Case, CaseStatus, Deviation, Notice, Task, TaskStatus
from tests.factories import household_data, notice_data, register
from tests.test_api import body

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
NOTICES = "/api/v1/notices/"


def _run_threads(count, target):
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait()
            results[index] = target(index)
        except Exception as exc:  # reported by the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def _terminate_other_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


# --- PostgreSQL drops its connections ----------------------------------------------------------


def _request(client, data):
    # Django's WSGI handler runs close_old_connections at the start and the end of every
    # request (request_started/request_finished); the test client leaves that out, so do it here.
    close_old_connections()
    try:
        return client.post(NOTICES, data, content_type="application/json").status_code
    finally:
        close_old_connections()


def test_killed_database_connections_cost_at_most_one_failed_request_per_worker(personas, settings):
    """Under load (4 workers, each keeping its connection as CONN_MAX_AGE does), every
    connection is killed with pg_terminate_backend between two waves of registrations.
    The first request of a worker afterwards may fail (with CONN_HEALTH_CHECKS it does
    not); its retry must never be a 500, and every notice is saved once."""
    assert connection.settings_dict["CONN_MAX_AGE"] > 0  # workers keep their connections, as in production
    user = personas["hyresradgivare"]
    workers = 4
    waves = [threading.Barrier(workers + 1) for _ in range(3)]
    outcome: dict[int, list] = {i: [] for i in range(workers)}

    def worker(index):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        try:
            for wave in range(2):
                waves[wave].wait(timeout=120)
                for n in range(3):
                    data = body(serial=100 + index * 10 + wave * 3 + n, tenant_birth="19700101")
                    statuses = [_request(client, data)]
                    if statuses[0] >= 500:
                        statuses.append(_request(client, data))
                    outcome[index].append(statuses)
            waves[2].wait(timeout=120)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    waves[0].wait(timeout=120)
    # Wait for wave 1 to finish (every worker has its 3 responses back, session saved and all: counting the
    # notices raced a request still finishing on a loaded machine), then kill every connection the workers hold.
    deadline = time.time() + 120
    while sum(len(v) for v in outcome.values()) < workers * 3 and time.time() < deadline:
        time.sleep(0.1)
    assert Notice.objects.count() == workers * 3
    killed = _terminate_other_backends()
    waves[1].wait(timeout=120)
    waves[2].wait(timeout=180)
    for thread in threads:
        thread.join(timeout=60)
    assert killed >= 1
    for statuses_list in outcome.values():
        assert len(statuses_list) == 6
        for statuses in statuses_list:
            assert statuses[-1] == 201, outcome  # never a 500 after the retry
        failed_first = [s for s in statuses_list if s[0] >= 500]
        assert len(failed_first) <= 1, outcome  # at most the first request after the kill
    assert Notice.objects.count() == workers * 6
    assert Case.objects.filter(status=CaseStatus.OPEN).count() == workers * 6


# --- Redis goes away -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_redis(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not start")


@pytest.fixture
def project_celery_app():
    """The project's Celery app, current and default again after the test. A test's own `Celery(...)` makes itself
    the current app when it is created and `start_worker` makes it the default: the tests after would resolve the
    shared tasks (`cases.tasks.run_daily_checks_task` …) on it. Its broker settings are put back too."""
    from avhysning.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "broker_transport_options")}
    yield app
    _use_broker(app, **saved)
    app.set_current()
    app.set_default()


def _use_broker(app, broker_url, broker_transport_options) -> None:
    app.conf.update(broker_url=broker_url, broker_transport_options=broker_transport_options)
    # Drop the connections made with the old broker (they are pooled on the app).
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server saknas (apt-get install redis-server)")
def test_notices_are_saved_while_redis_is_down_and_the_jobs_run_when_it_is_back(
    personas, project_celery_app, monkeypatch, caplog,
):
    """Registration never waits for the broker: with the project's broker stopped all 8 notices are saved, the work
    they hand to the worker (the e-mails to the receiving units) is tried once and logged, not waited for.
    When Redis is back, a real worker runs the daily checks from it."""
    from celery import Celery
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from cases.tasks import run_daily_checks_task
    from organisation.models import User

    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    redis = _start_redis(port)
    redis.send_signal(signal.SIGTERM)
    redis.wait(timeout=10)

    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # Celery prefers it to the broker it is given
    _use_broker(project_celery_app, url, settings.BROKER_DOWN_FAILS_AT_ONCE)  # what the settings give a Redis broker
    User.objects.filter(email="").update(email="handlaggare@example.se")  # the receiving units are told by e-mail
    client = Client(raise_request_exception=False)
    client.force_login(personas["hyresradgivare"])
    started = time.monotonic()
    with caplog.at_level("ERROR", logger="avhysning.celery"):
        statuses = [
            client.post(NOTICES, body(serial=200 + i, tenant_birth="19750505"), content_type="application/json").status_code
            for i in range(8)
        ]
    elapsed = time.monotonic() - started
    assert statuses == [201] * 8
    assert Notice.objects.count() == 8
    not_queued = [r for r in caplog.records if r.getMessage().startswith("Could not queue")]
    assert len(not_queued) >= 8, "each registration handed the e-mails to the stopped broker"
    # Kombu's default retries spend ~6 s a call reconnecting; one try at a closed port costs milliseconds.
    assert elapsed < 20, elapsed

    redis = _start_redis(port)
    try:
        app = Celery("faults", broker=url, backend=url)
        app.conf.update(task_always_eager=False, broker_connection_retry_on_startup=True, result_expires=60)
        # shared=False: registered on this app only (a shared task is added to every app finalized later).
        app.task(name="cases.tasks.run_daily_checks_task", shared=False)(run_daily_checks_task.run)
        def ping():
            return "pong"

        app.task(name="celery.ping", shared=False)(ping)  # start_worker expects it
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = app.send_task("cases.tasks.run_daily_checks_task", args=[dt.date.today().isoformat()])
            summary = result.get(timeout=60)
        assert isinstance(summary, dict) and summary["evaluated"] == 8
    finally:
        redis.terminate()
        redis.wait(timeout=10)


# --- a worker killed in the middle of the daily checks -------------------------------------------


def _state() -> dict:
    return {
        "tasks": sorted(Task.objects.values_list("case_id", "kind", "status", "due_date")),
        "deviations": sorted(Deviation.objects.values_list("case_id", "kind", "dedupe_key")),
        "cases": sorted(Case.objects.values_list("pk", "urgent", "next_due_date", "version")),
    }


def test_a_worker_killed_in_the_daily_checks_leaves_a_state_the_next_run_completes(organisation, personas):
    user = personas["hyresradgivare"]
    for i in range(40):
        register(organisation, user, household=household_data(serial=300 + i, tenant_birth="19800808"),
                 notice=notice_data(received="2026-10-01", served="2026-09-30"), today=dt.date(2026, 10, 1))
    day = "2026-12-01"
    name = connection.settings_dict["NAME"]
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    env = {**os.environ, "DATABASE_URL": f"{base}/{name}", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "manage.py", "run_daily_checks", "--date", day], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.5)  # Django has started and the run is under way
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    _terminate_other_backends()  # the dead worker's transaction is rolled back

    services.run_daily_checks(today=dt.date.fromisoformat(day))
    after_first = _state()
    services.run_daily_checks(today=dt.date.fromisoformat(day))
    assert _state() == after_first  # run again: the same state
    # The 40 cases are registered alike, so the completed run leaves each with the same deviations: a case the
    # killed worker got halfway through is neither missing one nor holding an extra one.
    kinds: dict[int, list[str]] = {}
    for case_id, kind in Deviation.objects.filter(case__isnull=False).values_list("case_id", "kind"):
        kinds.setdefault(case_id, []).append(kind)
    assert len(kinds) == 40 and len({tuple(sorted(k)) for k in kinds.values()}) == 1, kinds


def test_two_workers_running_the_daily_checks_at_once_write_each_change_once(organisation, personas):
    """Issue 16: each batch of open cases is locked with SKIP LOCKED and the deviations have unique keys, so two
    workers at the same moment give the state one worker gives."""
    user = personas["hyresradgivare"]
    for i in range(30):
        household = household_data(serial=300 + i, tenant_birth="19800808", children=("2015-09-16",) if i % 2 else ())
        register(organisation, user, household=household, notice=notice_data(received="2026-10-01", served="2026-09-30"),
                 today=dt.date(2026, 10, 1))
    day = dt.date(2026, 12, 1)
    results = _run_threads(2, lambda i: services.run_daily_checks(today=day))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["changed"] for r in results) == 30  # every case changed by exactly one of the two
    after_both = _state()
    from cases.models import RoutingDecision

    daily = list(RoutingDecision.objects.filter(trigger="DAILY").values_list("case_id", flat=True))
    assert len(daily) == len(set(daily)) == 30
    # Each worker reports only the deviations it wrote: together exactly what is stored, none claimed twice.
    stored = Deviation.objects.exclude(dedupe_key="").count()
    assert sum(r["deviations"] for r in results) == stored > 0
    assert services.run_daily_checks(today=day)["changed"] == 0
    assert _state() == after_both


# --- races: the writes that must happen once -----------------------------------------------------


@pytest.fixture
def one_case(organisation, personas):
    return register(organisation, personas["hyresradgivare"]).case


def test_completing_one_task_from_eight_threads_completes_it_once(one_case, personas):
    task = one_case.tasks.filter(status=TaskStatus.OPEN).first()
    user = personas["hyresradgivare"]
    results = _run_threads(8, lambda i: services.task_complete(task=Task.objects.get(pk=task.pk), user=user, note=f"{i}"))
    assert all(not isinstance(r, Exception) or isinstance(r, services.ConcurrentChange) for r in results), results
    assert AuditEvent.objects.filter(action=AuditAction.TASK_COMPLETE, case=one_case).count() == 1
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_closing_one_case_from_eight_threads_closes_it_once(one_case, personas):
    user = personas["hyresradgivare"]
    version = one_case.version
    results = _run_threads(
        8, lambda i: services.case_close(case=Case.objects.get(pk=one_case.pk), user=user, outcome="NO_CONTACT",
                                         expected_version=version),
    )
    assert sum(1 for r in results if isinstance(r, Case)) == 1, results
    assert all(isinstance(r, Case | services.ConcurrentChange) for r in results), results
    assert AuditEvent.objects.filter(action=AuditAction.CASE_CLOSE, case=one_case).count() == 1


def test_locking_the_minutes_from_eight_threads_locks_them_once(organisation, personas):
    from bosam import services as bosam_services
    from bosam.models import Meeting, MeetingStatus
    from tests.test_bosam_scenario import build_scenario

    scenario = build_scenario(organisation, personas)
    chair = personas["ordforande"]
    meeting = scenario.meeting
    results = _run_threads(8, lambda i: bosam_services.meeting_close(meeting=Meeting.objects.get(pk=meeting.pk), user=chair))
    assert not [r for r in results if isinstance(r, Exception)], results
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED
    # The absence deviations of R5/R8: one per absent department of this meeting (the unique key stops a second one).
    absent = meeting.series.departments.exclude(
        pk__in=meeting.attendance.filter(present=True).values("department_id")).count()
    raised = Deviation.objects.filter(kind="BOSAM_ABSENCE", dedupe_key__startswith=f"bosam-absence-{meeting.pk}-")
    assert absent > 0 and raised.count() == absent
    assert AuditEvent.objects.filter(detail__icontains="protokoll").count() <= 1


def test_registration_race_is_in_test_one_case_per_person():
    """Registration's race (20 threads, 3 processes) lives in tests/test_one_case_per_person.py."""
    from tests import test_one_case_per_person

    assert hasattr(test_one_case_per_person, "test_twenty_threads_register_the_same_household_once")


def test_an_import_commit_from_eight_threads_commits_once(personas):
    """Eight workers handed the same RUNNING import (a redelivered task, a double start): the rows are registered once,
    the others wait on the import's row lock and then find it DONE."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from imports import services as import_services
    from imports.models import ImportStatus, NoticeImport
    from tests.import_files import csv_bytes, good_row

    advisor = personas["hyresradgivare"]
    today = timezone.localdate()
    content = csv_bytes([good_row(i, today=today) for i in range(3)])
    notice_import = import_services.import_create(
        organisation=advisor.organisation, user=advisor, upload=SimpleUploadedFile("lista.csv", content, content_type="text/csv"))
    # The state import_commit_start leaves (without handing it to a worker: the threads are the workers).
    NoticeImport.objects.filter(pk=notice_import.pk).update(
        status=ImportStatus.RUNNING, commit_choice="VALID", progress_total=import_services.rows_to_import(notice_import))
    before = Notice.objects.count()
    results = _run_threads(8, lambda i: import_services.import_commit(import_id=notice_import.pk, user=advisor, today=today))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Notice.objects.count() == before + 3
    assert NoticeImport.objects.get(pk=notice_import.pk).status == ImportStatus.DONE


def test_a_request_queueing_work_never_waits_for_a_broker_that_is_down(monkeypatch, project_celery_app):
    """Issue 16: an agenda's refresh and a notification's e-mail are queued from the request (after its commit);
    with Redis down that costs no waiting and raises nothing (logged, not queued)."""
    from celery import Celery
    from django.conf import settings

    from avhysning.celery import queue_without_waiting

    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # Celery prefers it to the broker it is given
    down = f"redis://127.0.0.1:{_free_port()}/0"
    app = Celery("down", broker=down, backend=down)
    app.conf.broker_transport_options = settings.BROKER_DOWN_FAILS_AT_ONCE  # what the settings give a Redis broker
    def nothing():
        return None

    task = app.task(name="tests.nothing", shared=False)(nothing)
    started = time.monotonic()
    assert queue_without_waiting(task) is False
    assert time.monotonic() - started < 2

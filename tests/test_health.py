"""/health/ for load balancers and compose: no login, no data, 200 when all is well,
5xx naming the failing part (database, storage, broker, worker heartbeat)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from monitoring.models import Heartbeat
from monitoring.services import heartbeat_record
from monitoring.tasks import heartbeat_task

pytestmark = pytest.mark.django_db(transaction=True)


def health(client):
    return client.get("/health/?format=json")


def test_all_well_answers_200_without_login(client, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                           "OPTIONS": {"location": str(tmp_path)}}}
    heartbeat_record()
    response = health(client)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body.values()) == {"OK"}
    names = " ".join(body)
    for part in ("Database", "Storage", "Broker", "WorkerHeartbeat"):
        assert part in names
    # Plain text for compose and people: each part with its status.
    text = client.get("/health/", HTTP_ACCEPT="text/plain").content.decode()
    assert "WorkerHeartbeat(): OK" in text


def test_no_heartbeat_yet_names_the_worker(client):
    response = health(client)
    assert response.status_code == 500
    assert response.json()["WorkerHeartbeat()"] == "Unavailable: no worker heartbeat yet"


def test_a_stale_heartbeat_names_the_worker(client, settings):
    settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS = 300
    heartbeat_record(now=timezone.now() - dt.timedelta(minutes=10))
    response = health(client)
    assert response.status_code == 500
    assert "worker heartbeat is" in response.json()["WorkerHeartbeat()"]
    assert response.json()["Database(alias='default')"] == "OK"


def test_an_unreachable_broker_is_named(client, monkeypatch):
    from avhysning.celery import app

    heartbeat_record()
    dead = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    previous = app.conf.broker_url  # before the environment changes: Celery reads the variable first
    # Celery reads CELERY_BROKER_URL from the environment before its configuration (as CI sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", dead)
    app.conf.broker_url = dead
    try:
        response = health(client)
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 500
    assert response.json()["Broker()"] == "Unavailable: broker unreachable"


def test_health_holds_no_data_and_answers_everyone_alike(client, personas, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                           "OPTIONS": {"location": str(tmp_path)}}}
    heartbeat_record()
    response = client.get("/health/")
    assert response.status_code == 200
    assert "Location" not in response
    for persona in ("barn", "admin"):
        signed_in = Client()
        signed_in.force_login(personas[persona])
        assert signed_in.get("/health/").status_code == 200
    html = response.content.decode()
    for secret in ("hyresradgivare", "Testsson", "@example.se", "personnummer"):
        assert secret not in html


def test_heartbeat_task_runs_twice_and_keeps_one_row():
    heartbeat_task()
    first = Heartbeat.objects.get(name="worker").beat_at
    heartbeat_task()
    assert Heartbeat.objects.count() == 1
    assert Heartbeat.objects.get(name="worker").beat_at >= first


def test_beat_schedules_the_heartbeat(settings):
    assert settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]["task"] == "monitoring.tasks.heartbeat_task"
    assert settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]["schedule"] <= settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS / 2


def test_health_is_exempt_from_the_https_redirect(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    heartbeat_record()
    assert "Location" not in client.get("/health/")
    assert client.get("/konto/logga-in/").status_code == 301


def test_health_answers_a_caller_whose_thread_runs_an_event_loop(client, settings, tmp_path):
    """Regression: the full suite got a 500 here after Playwright's sync API had left an event loop
    in the main thread (async_to_sync refuses to run there); the view now runs in a thread of its own."""
    import asyncio

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                           "OPTIONS": {"location": str(tmp_path)}}}
    heartbeat_record()

    async def inside_a_running_loop():
        return client.get("/health/?format=json")

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop in this thread yet: make one, as Playwright's sync API would
        response = asyncio.run(inside_a_running_loop())
    else:  # a loop left running by an earlier browser test in this process: exactly the case to test
        response = client.get("/health/?format=json")
    assert response.status_code == 200, response.content

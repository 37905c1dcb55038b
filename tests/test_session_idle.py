"""The idle limit (OSL: unattended screens) without a session write on every request (issue 16).

SESSION_SAVE_EVERY_REQUEST is off; avhysning.middleware.SessionIdleRefreshMiddleware saves the session again when it
was last refreshed more than a minute ago, so a session still ends 29–30 minutes after the last request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from avhysning.middleware import SessionIdleRefreshMiddleware

pytestmark = pytest.mark.django_db

PAGE = "/arenden/aviseringar/antal/"  # the bell's count: signed in only, one query of its own


@pytest.fixture
def clock(monkeypatch):
    """Moves Django's clock (the session's expiry, the middleware's stamp) forward."""
    real = timezone.now
    state = {"offset": dt.timedelta()}
    monkeypatch.setattr("django.utils.timezone.now", lambda: real() + state["offset"])

    class Clock:
        def advance(self, **kwargs):
            state["offset"] += dt.timedelta(**kwargs)

    return Clock()


@pytest.fixture
def signed_in(client, personas):
    client.force_login(personas["hyresradgivare"])
    assert client.get(PAGE).status_code == 200
    return client


def test_the_first_request_after_signing_in_writes_no_session(client, personas):
    """The stamp is saved with the login (accounts.apps connects it to user_logged_in): a page's query count is the
    same on the first request as on the next ones."""
    client.force_login(personas["hyresradgivare"])
    assert _session_writes(client) == (200, [])


def _session_writes(client, path=PAGE) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    writes = [q["sql"] for q in captured.captured_queries
              if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]
    return response.status_code, writes


def _expiry(client) -> dt.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_the_settings_are_the_idle_limit_without_a_write_per_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and not settings.SESSION_SAVE_EVERY_REQUEST
    middleware = settings.MIDDLEWARE
    assert middleware.index("avhysning.middleware.SessionIdleRefreshMiddleware") > middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware")


def test_a_request_within_the_minute_writes_nothing(signed_in, clock):
    before = _expiry(signed_in)
    clock.advance(seconds=50)
    status, writes = _session_writes(signed_in)
    assert (status, writes) == (200, [])
    assert _expiry(signed_in) == before
    response = signed_in.get(PAGE)
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # no new cookie either


def test_a_request_after_the_minute_refreshes_the_expiry(signed_in, clock):
    before = _expiry(signed_in)
    clock.advance(seconds=SessionIdleRefreshMiddleware.REFRESH_SECONDS + 1)
    status, writes = _session_writes(signed_in)
    assert status == 200 and len(writes) == 1 and writes[0].startswith("UPDATE")
    after = _expiry(signed_in)
    assert after - before >= dt.timedelta(seconds=SessionIdleRefreshMiddleware.REFRESH_SECONDS)
    assert abs(after - (timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE))) < dt.timedelta(seconds=5)


def test_activity_keeps_the_session_past_thirty_minutes(signed_in, clock):
    for _ in range(45):  # 45 minutes of a request every 59 seconds: never an idle half hour
        clock.advance(seconds=59)
        assert signed_in.get(PAGE).status_code == 200


def test_thirty_minutes_idle_signs_out(signed_in, clock):
    clock.advance(seconds=50)
    assert signed_in.get(PAGE).status_code == 200  # within the minute: the expiry stays where it was
    clock.advance(minutes=29, seconds=11)  # 30 min 1 s after the last refresh, 29 min 11 s after the last request
    response = signed_in.get(PAGE)
    assert response.status_code == 302 and response.url.startswith("/konto/logga-in/")


def test_a_request_29_minutes_after_the_last_one_is_still_signed_in(signed_in, clock):
    clock.advance(seconds=59)
    assert signed_in.get(PAGE).status_code == 200
    clock.advance(minutes=28, seconds=59)  # 29 min 58 s after the last refresh
    assert signed_in.get(PAGE).status_code == 200


def test_an_anonymous_request_creates_no_session(client):
    status, writes = _session_writes(client, "/konto/logga-in/")
    assert status == 200 and writes == []
    assert not Session.objects.exists()


def test_a_cookie_of_an_expired_session_creates_no_session(signed_in, clock):
    key = signed_in.session.session_key
    clock.advance(minutes=31)
    status, writes = _session_writes(signed_in, "/konto/logga-in/")
    assert status == 200 and writes == []
    assert not Session.objects.exclude(session_key=key).exists()

"""The simulated hyresrådgivare and the locust run (locust used as a library, no web UI).

Importing this module imports locust, which monkey-patches the standard library with
gevent: import it only in the process that generates traffic, after the preparation.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import gevent
from locust import HttpUser, between, events, task
from locust.env import Environment
from locust.exception import StopUser

from .pins import test_pin

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Intake POSTs use birth dates from 1930 on, ten numbers per day: unique for 18 000+ POSTs per run
# and apart from the prepared households (prepare.py uses 1950 on).
INTAKE_BIRTH_START = dt.date(1930, 1, 1)
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK_RE = re.compile(r'href="/arenden/(\d+)/"')
TIMEOUT = 30  # seconds: a request slower than this counts as an error

# Endpoint names used in the report (one row each).
LOGIN_PAGE = "GET /konto/logga-in/"
LOGIN_POST = "POST /konto/logga-in/"
MY_CASES = "GET /arenden/"
OVERVIEW = "GET /arenden/alla/"
CASE_PAGE = "GET /arenden/<id>/"
INTAKE_FORM = "GET /arenden/registrera/ny/"
INTAKE_POST = "POST /arenden/registrera/ny/"


@dataclass
class Shared:
    """What the users share within one run (one process, greenlets: no locking needed)."""

    usernames: list[str]
    password: str
    case_ids: list[int]
    pin_counter: itertools.count = field(default_factory=itertools.count)
    username_iter: itertools.cycle | None = None
    intake_ok: int = 0
    intake_failed: int = 0

    def next_username(self) -> str:
        if self.username_iter is None:
            self.username_iter = itertools.cycle(self.usernames)
        return next(self.username_iter)


def intake_post_data(n: int, csrf: str, today: dt.date) -> dict[str, str]:
    """The exact fields of templates/cases/intake_form.html for a new household: the notice, the
    household, the member formset (management form + three rows, the blank ones left empty), no unit ticked.
    Every third household has a child (routing then involves barn och unga)."""
    birth = INTAKE_BIRTH_START + dt.timedelta(days=n // 10)
    received = today
    data = {
        "csrfmiddlewaretoken": csrf,
        "notice_type": "RENT_ARREARS_TERMINATION",
        "sender_kind": "LANDLORD",
        "channel": "POST",
        "landlord_name": "AB Familjebostäder",
        "landlord_org_number": "556035-8672",
        "landlord_reference": f"LAST-{n}",
        "agent": "",
        "kronofogden_reference": "",
        "document_date": (received - dt.timedelta(days=3)).isoformat(),
        "received_date": received.isoformat(),
        "served_date": (received - dt.timedelta(days=1)).isoformat(),
        "termination_date": "",
        "warning_date": "",
        "reply_deadline": "",
        "eviction_date": "",
        "eviction_time": "",
        "debt_amount": f"{8000 + n % 40000}.00",
        "debt_months": str(1 + n % 6),
        "recovery_amount": f"{8000 + n % 40000}.00",
        "monthly_rent": "8450.00",
        "description": "Lasttest",
        "street_address": f"Lasttestvägen {1 + n % 300}",
        "apartment_number": f"{1001 + n % 899}",
        "postal_code": "12040",
        "city": "Stockholm",
        "area": "Årsta",
        "housing_type": "ORDINARY",
        "rooms": str(1 + n % 5),
        "phone": "070-0000000",
        "other_residents": "",
        "members-TOTAL_FORMS": "3",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "30",
        "members-0-name": f"Last Hyresgäst{n}",
        "members-0-personal_identity_number": test_pin(birth, n % 10),
        "members-0-birth_date": "",
        "members-0-role": "TENANT",
        "members-0-child_residence": "",
    }
    for row in (1, 2):
        for name in ("name", "personal_identity_number", "birth_date", "role", "child_residence"):
            data[f"members-{row}-{name}"] = ""
    if n % 3 == 0:
        data.update({
            "members-1-name": f"Last Barn{n}",
            "members-1-birth_date": (today - dt.timedelta(days=365 * (2 + n % 15))).isoformat(),
            "members-1-role": "CHILD",
            "members-1-child_residence": "LIVING",
        })
    return data


class Advisor(HttpUser):
    """A hyresrådgivare: logs in once, then reads lists and case pages and registers notices."""

    wait_time = between(1, 3)
    shared: Shared  # set by run()

    def on_start(self) -> None:
        self.username = self.shared.next_username()
        page = self._get("/konto/logga-in/", LOGIN_PAGE)
        csrf = self._csrf(page)
        response = self._request(
            "POST", "/konto/logga-in/", LOGIN_POST, expect=302,
            data={"username": self.username, "password": self.shared.password, "csrfmiddlewaretoken": csrf, "next": ""},
            headers={"Referer": f"{self.host}/konto/logga-in/"},
        )
        if response is None or "sessionid" not in self.client.cookies:
            # Without a session every later request would be a redirect to the login page: stop this user.
            raise StopUser()
        # The first thing after logging in: the notice on the desk. Every run, even a short smoke run,
        # thus registers at least one notice per user for the count check.
        self.intake()

    # --- the mix: lists and the case page are read far more often than notices arrive

    @task(3)
    def my_cases(self) -> None:
        self._harvest(self._get("/arenden/", MY_CASES))

    @task(2)
    def overview(self) -> None:
        self._harvest(self._get("/arenden/alla/", OVERVIEW))

    @task(4)
    def case_page(self) -> None:
        if self.shared.case_ids:
            self._get(f"/arenden/{random.choice(self.shared.case_ids)}/", CASE_PAGE)  # noqa: S311 (not crypto)

    @task(1)
    def intake(self) -> None:
        page = self._get("/arenden/registrera/ny/", INTAKE_FORM)
        csrf = self._csrf(page)
        if not csrf:
            return
        n = next(self.shared.pin_counter)
        today = dt.datetime.now(tz=STOCKHOLM).date()
        response = self._request(
            "POST", "/arenden/registrera/ny/", INTAKE_POST, expect=302, data=intake_post_data(n, csrf, today),
            headers={"Referer": f"{self.host}/arenden/registrera/ny/"}, location_contains="/beslut/",
        )
        if response is None:
            self.shared.intake_failed += 1
            return
        self.shared.intake_ok += 1
        match = re.search(r"/arenden/(\d+)/beslut/", response.headers.get("Location", ""))
        if match:
            self.shared.case_ids.append(int(match.group(1)))

    # --- helpers

    def _get(self, path: str, name: str) -> str | None:
        response = self._request("GET", path, name, expect=200)
        return response.text if response is not None else None

    def _request(self, method: str, path: str, name: str, *, expect: int, location_contains: str = "", **kwargs):
        """One request, judged strictly: the expected status (no redirects followed), else a failure."""
        with self.client.request(method, path, name=name, allow_redirects=False, timeout=TIMEOUT, catch_response=True, **kwargs) as r:
            self._trust_cookies()
            location = r.headers.get("Location", "")
            if r.status_code != expect:
                r.failure(f"HTTP {r.status_code} {location}".strip())
                return None
            if location_contains and location_contains not in location:
                r.failure(f"redirect to {location!r}")
                return None
            r.success()
            return r

    def _trust_cookies(self) -> None:
        # The server runs with production cookie settings (Secure). Python's cookie jar does not send
        # Secure cookies over plain http, so treat them as a TLS-terminating proxy would: send them.
        for cookie in self.client.cookies:
            cookie.secure = False

    def _csrf(self, html: str | None) -> str:
        match = CSRF_RE.search(html or "")
        return match.group(1) if match else ""

    def _harvest(self, html: str | None) -> None:
        # Case pages visited later are the ones this user was shown.
        for case_id in CASE_LINK_RE.findall(html or "")[:50]:
            if int(case_id) not in self._seen:
                self._seen.add(int(case_id))
                self.shared.case_ids.append(int(case_id))

    @property
    def _seen(self) -> set[int]:
        if not hasattr(self.shared, "_seen"):
            self.shared._seen = set(self.shared.case_ids)  # type: ignore[attr-defined]
        return self.shared._seen  # type: ignore[attr-defined]


@dataclass
class RunResult:
    samples: dict[str, list[float]]  # endpoint → response times in ms (successes and failures)
    failures: dict[str, int]
    errors: dict[str, int]  # "endpoint: message" → count
    exceptions: int
    intake_ok: int
    intake_failed: int
    elapsed: float


def run(*, host: str, users: int, duration: float, spawn_rate: float, shared: Shared, wait: tuple[float, float]) -> RunResult:
    """Run `users` Advisors against host for `duration` seconds, then stop them (bounded: the runner is
    told to quit at the deadline, and every request has a timeout)."""
    samples: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    errors: dict[str, int] = {}

    def on_request(request_type, name, response_time, response_length, exception=None, **kwargs):
        samples.setdefault(name, []).append(response_time)
        if exception is not None:
            failures[name] = failures.get(name, 0) + 1
            key = f"{name}: {exception}"[:200]
            errors[key] = errors.get(key, 0) + 1

    Advisor.shared = shared
    Advisor.wait_time = between(*wait)
    # At the deadline users finish the task they are in (at most stop_timeout): a POST cut off
    # mid-flight could be saved by the server but never counted here, spoiling the count check.
    env = Environment(user_classes=[Advisor], host=host, events=events, stop_timeout=TIMEOUT + 5)
    listener = env.events.request.add_listener(on_request)
    runner = env.create_local_runner()

    started = time.monotonic()

    def finish() -> None:
        # A wall-clock deadline rather than gevent.spawn_later: the event loop's cached time can lag
        # behind after the blocking preparation, which made the timer fire early.
        while (left := started + duration - time.monotonic()) > 0:
            gevent.sleep(min(left, 1.0))
        runner.stop()
        runner.quit()

    runner.start(users, spawn_rate=spawn_rate)
    gevent.spawn(finish)
    runner.greenlet.join(timeout=duration + env.stop_timeout + 30)
    runner.quit()  # a no-op after a normal finish; ends the run if the join above timed out
    elapsed = time.monotonic() - started
    env.events.request.remove_listener(listener)
    return RunResult(
        samples=samples, failures=failures, errors=errors, exceptions=sum(e["count"] for e in runner.exceptions.values()),
        intake_ok=shared.intake_ok, intake_failed=shared.intake_failed, elapsed=elapsed,
    )

"""Walk the whole URLconf as an anonymous user and as every demo role, and assert who gets what.

Deny by default: no URL answers an anonymous user with content, except the few listed below.
Case URLs (pages and API) answer 404 to everyone who may not see the case: no existence leak.
URLs this test does not know are still walked: anonymously they must refuse, and for a role that
cannot see the case their path points at they must not answer 2xx. New URLs are picked up by themselves.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from cases.models import LetterTemplate, TaskKind
from followup.services import deviation_register
from tests.factories import notice_data, register

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # walks the whole URLconf for every role

PERSONAS = ("hyresradgivare", "barn", "vuxna", "aldre", "ekbistand", "ordforande", "chef", "admin", "styrgrupp", "stad")

# Answer an anonymous user with content on purpose: the login pages and the language switch.
ANONYMOUS_ALLOWED = {
    "login", "set_language", "admin:login",
    # Single sign-on: the start (404 while SSO is off), the provider's callback and the refusal page.
    "oidc_authentication_init", "oidc_authentication_callback", "accounts:sso_refused",
    # For load balancers: names the parts and their state, no data (tests/test_health.py).
    "health",
    # The icon: a redirect to the vendored static file, no data (issue 12 item 8).
    "favicon",
}
# Not walked at all: logging out would end the test client's session; no static URLs are mounted (whitenoise serves them).
NOT_WALKED = {"logout", "admin:logout"}
# Walked anonymously only: its checks run in threads with their own database connection, which cannot
# see this test's uncommitted rows; tests/test_health.py (transactional) proves it answers everyone alike.
NOT_WALKED_AS_ROLES = {"health"}

LOGIN_PREFIXES = ("/konto/logga-in/", "/admin/login/")


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "cases:detail"
    params: tuple[str, ...]


def walk(resolver: URLResolver, namespace: str = "", params: tuple[str, ...] = ()):
    for entry in resolver.url_patterns:
        own = tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, inner, params + own)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Route(namespace + entry.name, params + own)


def all_routes() -> list[Route]:
    return sorted(set(walk(get_resolver())), key=lambda r: r.name)


@pytest.fixture
def dataset(organisation, personas):
    """A family case routed to Mottagningsenheten barn och unga (R2c) and an individual's case."""
    family = register(organisation, personas["hyresradgivare"], children=("2018-03-01",),
                      notice=notice_data(received="2026-11-20", served="2026-11-19")).case
    single = register(organisation, personas["hyresradgivare"], serial=802, surname="Ensamsson", street="Ensamvägen 1",
                      notice=notice_data(received="2026-11-20", served="2026-11-19")).case
    notice = family.notices.first()
    notice.attachment.save("scan.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    assert family.assignments.filter(unit__code="MOTTAGNING_BARN_UNGA", ended_at__isnull=True).exists()
    deviation = deviation_register(organisation=organisation, user=personas["hyresradgivare"], case=family,
                                   description="Brevet skickades för sent.")
    # The shipped letter templates come with the data migration; a transactional test before may have flushed them.
    LetterTemplate.objects.get_or_create(pk=1, defaults={"language": "so", "texts": {}})
    return {
        "deviation": deviation,
        "family": family,
        "single": single,
        "person": family.household.members.first(),
        "task": family.tasks.get(kind=TaskKind.SEND_LETTER),
        "notice": notice,
        "barn": personas["barn"],
        "assignment": family.assignments.get(unit__code="MOTTAGNING_BARN_UNGA", ended_at__isnull=True),
    }


def is_case_route(route: Route) -> bool:
    return route.name.startswith("cases:") or route.name.startswith("api-case") or route.name.startswith("api-task")


def url_for(route: Route, data, case=None) -> str | None:
    """The route's path with real ids of the family case (or `case`); None if it cannot be built."""
    case = case or data["family"]
    values = {
        "pk": case.pk if is_case_route(route) else data["deviation"].pk if route.name.startswith(("followup:", "api-deviation")) else 1,
        "person_pk": data["person"].pk,
        "task_pk": data["task"].pk,
        "notice_pk": data["notice"].pk,
        "user_pk": data["barn"].pk,
        "assignment_pk": data["assignment"].pk,
        "app_label": "cases",
        "object_id": "1",
        "content_type_id": "1",
    }
    kwargs = {}
    for name in route.params:
        kwargs[name] = values.get(name, 1)
    try:
        return reverse(route.name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def points_at_family_case(route: Route) -> bool:
    return is_case_route(route) and bool(set(route.params) & {"pk", "person_pk", "task_pk", "notice_pk"})


def test_anonymous_is_refused_everywhere(client, dataset):
    checked = 0
    for route in all_routes():
        if route.name in NOT_WALKED:
            continue
        url = url_for(route, dataset)
        if url is None:
            warnings.warn(f"Could not build {route.name} with {route.params}", stacklevel=1)
            continue
        response = client.get(url)
        checked += 1
        if route.name in ANONYMOUS_ALLOWED:
            continue
        assert not 200 <= response.status_code < 300, f"{route.name} {url} answered {response.status_code} to an anonymous user"
        if url.startswith("/api/"):
            assert response.status_code in (401, 403), f"{route.name} {url}: {response.status_code}"
        else:
            assert response.status_code in (301, 302), f"{route.name} {url}: {response.status_code}"
            assert response["Location"].startswith(LOGIN_PREFIXES), f"{route.name} {url} redirects to {response['Location']}"
    assert checked > 20


# The explicit matrix for the workspace's case URLs and the API's case endpoint.
#   method, which case, statuses for hyresradgivare, barn, vuxna, aldre, ekbistand, ordforande, chef, admin, styrgrupp, stad
WRITE_REFUSED = (400, 400, 404, 404, 404, 404, 400, 404, 404, 404)  # an empty POST: writers get the form back, others 404
MATRIX: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "cases:my_cases": ("GET", "", (200, 200, 200, 200, 200, 403, 200, 403, 403, 403)),
    "cases:overview": ("GET", "", (200, 403, 403, 403, 403, 403, 200, 403, 403, 403)),
    "cases:audit_review": ("GET", "", (403, 403, 403, 403, 403, 403, 200, 403, 403, 403)),
    "cases:audit_review_print": ("GET", "", (403, 403, 403, 403, 403, 403, 200, 403, 403, 403)),
    # Emergency access (issue 15 §4): only with the permission (socialjour; tests/test_emergency_access.py walks it).
    "cases:emergency_access": ("GET", "", (403,) * 10),
    # Notifications (issue 15 §5): everyone signed in has their own (and only their own).
    "cases:notifications": ("GET", "", (200,) * 10),
    "cases:notification_count": ("GET", "", (200,) * 10),
    "cases:notification_mark_read": ("POST", "", (302,) * 10),
    "cases:notification_preferences": ("POST", "", (400,) * 10),
    # Retention (issue 15 §6): counts only, for the system administrator.
    "cases:retention": ("GET", "", (403, 403, 403, 403, 403, 403, 403, 200, 403, 403)),
    "cases:detail": ("GET", "family", (200, 200, 404, 404, 404, 404, 200, 404, 404, 404)),
    "cases:detail@single": ("GET", "single", (200, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    "cases:attachment": ("GET", "family", (200, 200, 404, 404, 404, 404, 200, 404, 404, 404)),
    "cases:reveal_pin": ("POST", "family", (302, 302, 404, 404, 404, 404, 302, 404, 404, 404)),
    "cases:task_complete": ("POST", "family", WRITE_REFUSED),
    "cases:contact_register": ("POST", "family", WRITE_REFUSED),
    "cases:task_create": ("POST", "family", WRITE_REFUSED),
    "cases:assignment_change": ("POST", "family", WRITE_REFUSED),
    "cases:consult": ("POST", "family", WRITE_REFUSED),
    "cases:consent_record": ("POST", "family", WRITE_REFUSED),
    "cases:case_close": ("POST", "family", WRITE_REFUSED),
    # The case is open: writers are sent back with a message, others get 404.
    "cases:case_reopen": ("POST", "family", (302, 302, 404, 404, 404, 404, 302, 404, 404, 404)),
    "cases:contact_register@single": ("POST", "single", (400, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    # Named case workers (issue 12 item 1): taking the case or a task and naming the worker are writes on the case;
    # a refused or invalid one sends back to the case page with a message. Others get 404.
    "cases:case_take": ("POST", "family", (302, 302, 404, 404, 404, 404, 302, 404, 404, 404)),
    "cases:case_worker_set": ("POST", "family", (302, 302, 404, 404, 404, 404, 302, 404, 404, 404)),
    "cases:task_take": ("POST", "family", (302, 302, 404, 404, 404, 404, 302, 404, 404, 404)),
    # Safeguards (issue 12 item 4): the open letter task cannot be undone, the plan's assignment not ended by hand:
    # writers are sent back with the reason; others get 404.
    "cases:task_undo": ("POST", "family", (302, 302, 404, 404, 404, 404, 302, 404, 404, 404)),
    "cases:assignment_end": ("POST", "family", (302, 302, 404, 404, 404, 404, 302, 404, 404, 404)),
    # The head of unit's caseload (issue 15 §3): chef only; an empty POST is the form back.
    "cases:unit_caseload": ("GET", "", (403, 403, 403, 403, 403, 403, 200, 403, 403, 403)),
    # A person's page answers 404 to everyone but the head of the person's unit (no existence leak).
    "cases:person_caseload": ("GET", "", (404, 404, 404, 404, 404, 404, 200, 404, 404, 404)),
    "cases:person_caseload@post": ("POST", "", (404, 404, 404, 404, 404, 404, 400, 404, 404, 404)),
    "cases:person_unit_change": ("POST", "", (404, 404, 404, 404, 404, 404, 400, 404, 404, 404)),
    "api-case-detail": ("GET", "family", (200, 200, 404, 404, 404, 404, 200, 404, 404, 404)),
    # The follow-up (issue 13): the register for those who work cases and the steering group; statistics for
    # chef, styrgrupp and stad; the cases behind a figure only for those who may see cases (chef here).
    "followup:register": ("GET", "", (200, 200, 200, 200, 200, 403, 200, 403, 200, 403)),
    "followup:record": ("GET", "", (200, 200, 200, 200, 200, 403, 200, 403, 403, 403)),
    "followup:detail": ("GET", "", (200, 200, 404, 404, 404, 404, 200, 404, 200, 404)),
    "followup:bulk_handle": ("POST", "", (403, 403, 403, 403, 403, 403, 400, 403, 400, 403)),
    "followup:statistics": ("GET", "", (403, 403, 403, 403, 403, 403, 200, 403, 200, 200)),
    "followup:statistics_print": ("GET", "", (403, 403, 403, 403, 403, 403, 200, 403, 200, 200)),
    "followup:statistics_xlsx": ("GET", "", (403, 403, 403, 403, 403, 403, 200, 403, 200, 200)),
    "followup:statistics_csv": ("GET", "", (403, 403, 403, 403, 403, 403, 200, 403, 200, 200)),
    "followup:statistics_cases": ("GET", "", (403, 403, 403, 403, 403, 403, 400, 403, 403, 403)),
    "followup:reports": ("GET", "", (403, 403, 403, 403, 403, 403, 403, 403, 200, 403)),
    "api-deviation-list": ("GET", "", (200, 200, 200, 200, 200, 403, 200, 403, 200, 403)),
    # The API takes JSON only: an empty form POST is 415 for those who may handle the deviation, 404 for the others.
    "api-deviation-handle": ("POST", "", (404, 404, 404, 404, 404, 404, 415, 404, 415, 404)),
    "api-statistics": ("GET", "", (403, 403, 403, 403, 403, 403, 400, 403, 400, 400)),
    # Two-factor pages (issue 15): every signed-in user may enrol; without a device the
    # verification page sends to enrolment, and the backup codes exist only right after it.
    "accounts:otp_setup": ("GET", "", (200,) * 10),
    "accounts:otp_verify": ("GET", "", (302,) * 10),
    "accounts:otp_backup_codes": ("GET", "", (302,) * 10),
    # Passkeys: everyone signed in has their own page; nobody removes a key that is not theirs (404); the
    # library's ceremonies start for the signed-in user and refuse a completion without a started one (400).
    "accounts:passkeys": ("GET", "", (200,) * 10),
    "accounts:passkey_remove": ("GET", "", (404,) * 10),
    "accounts:passkey_remove@post": ("POST", "", (404,) * 10),
    "accounts:passkey_register_begin": ("POST", "", (200,) * 10),
    "accounts:passkey_register_complete": ("POST", "", (400,) * 10),
    "accounts:passkey_auth_begin": ("POST", "", (200,) * 10),
    "accounts:passkey_auth_complete": ("POST", "", (400,) * 10),
    # Open to all, so that a refused sign-in can be explained; says nothing about anyone.
    "accounts:sso_refused": ("GET", "", (403,) * 10),
    "oidc_authentication_init": ("GET", "", (404,) * 10),  # SSO is off by default
    # The letter template's preview (issue 14 §3): example data only, for the system administrator; the admin's
    # login for everyone else (no one else is staff). Template 1 is a shipped default (the dataset makes sure).
    "admin:cases_lettertemplate_preview": ("GET", "", (302, 302, 302, 302, 302, 302, 302, 200, 302, 302)),
    "admin:cases_lettertemplate_preview_new": ("GET", "", (302, 302, 302, 302, 302, 302, 302, 403, 302, 302)),
    # A landlord's list (issue 14 §2) is the landlord account's only: the pages are 403 for every staff role, and a
    # list (which is not theirs whoever asks) 404.
    "submissions:landlord_import": ("GET", "", (403,) * 10),
    "submissions:landlord_import@post": ("POST", "", (403,) * 10),
    "submissions:landlord_import_template": ("GET", "", (403,) * 10),
    "submissions:landlord_import_preview": ("GET", "", (404,) * 10),
    "submissions:landlord_import_preview@post": ("POST", "", (404,) * 10),
}


def test_matrix_of_case_urls_for_every_role(dataset, personas):
    routes = {r.name: r for r in all_routes()}
    failures = []
    for key, (method, which, expected) in MATRIX.items():
        name = key.split("@")[0]
        if name not in routes:
            assert name.startswith("api-"), f"{name} is missing from the URLconf"
            continue  # the API is built in another area; checked as soon as it exists
        case = dataset[which] if which else None
        url = url_for(routes[name], dataset, case)
        for persona, status in zip(PERSONAS, expected, strict=True):
            client = Client()
            client.force_login(personas[persona])
            response = client.post(url, {}) if method == "POST" else client.get(url)
            if response.status_code != status:
                failures.append(f"{persona:15} {method:4} {key:32} {url}: {response.status_code}, expected {status}")
    assert not failures, "\n".join(failures)


def test_no_role_reads_a_case_it_may_not_see_through_any_url(dataset, personas):
    """Every URL whose path names the family case (or its person, task, notice), walked as the
    roles that may not see that case: none of them may answer with content."""
    may_not_see = ("vuxna", "aldre", "ekbistand", "ordforande", "admin", "styrgrupp", "stad")
    routes = [r for r in all_routes() if points_at_family_case(r)]
    assert any(r.name == "cases:detail" for r in routes)
    leaks, errors = [], []
    for persona in may_not_see:
        client = Client()
        client.force_login(personas[persona])
        for route in routes:
            url = url_for(route, dataset)
            for method in ("GET", "POST"):
                response = client.post(url, {}) if method == "POST" else client.get(url)
                if 200 <= response.status_code < 400:
                    leaks.append(f"{persona} {method} {route.name} {url}: {response.status_code}")
                if response.status_code >= 500:
                    errors.append(f"{persona} {method} {route.name} {url}: {response.status_code}")
    assert not leaks, "\n".join(leaks)
    assert not errors, "\n".join(errors)


def test_every_other_page_answers_each_role_without_a_server_error(dataset, personas):
    """The URLs outside the matrix, as each role: not asserted in detail (other areas own them),
    but a server error is reported as a warning so that it is seen."""
    known = {key.split("@")[0] for key in MATRIX}
    routes = [r for r in all_routes() if r.name not in known | NOT_WALKED | NOT_WALKED_AS_ROLES and not r.name.startswith("admin:")]
    for persona in PERSONAS:
        client = Client(raise_request_exception=False)
        client.force_login(personas[persona])
        for route in routes:
            url = url_for(route, dataset)
            if url is None:
                continue
            response = client.get(url)
            if response.status_code >= 500:
                warnings.warn(f"{persona} GET {route.name} {url}: {response.status_code}", stacklevel=1)


# A landlord's account (issue 14 §2) reaches its own submissions and nothing else: only these routes answer it.
LANDLORD_REACHES = {
    "home",  # a redirect to its area
    "submissions:landlord_home", "submissions:landlord_new", "submissions:landlord_receipt", "api-submission-list",
    # Its own list of notices (issue 14 §2): the upload (GET, and an empty POST is the form back), the template; the
    # preview of a list is its own only (another pk answers 404, see below).
    "submissions:landlord_import", "submissions:landlord_import_template", "submissions:landlord_import_preview",
    # Its own account: language, password, two-factor enrolment; the same for everyone signed in.
    "set_language", "login", "accounts:otp_setup", "accounts:otp_verify", "accounts:otp_backup_codes", "accounts:sso_refused",
    "oidc_authentication_init", "oidc_authentication_callback", "favicon",
    # Passkeys are the other second factor (issue 15 §2): the account's own keys, as with the app above.
    "accounts:passkeys", "accounts:passkey_register_begin", "accounts:passkey_auth_begin",
}


def test_a_landlord_reaches_nothing_but_its_own_submissions(dataset, landlords):
    """Every URL of the URLconf, GET and POST, as the account of a landlord with a submission of its own and another
    landlord's: nothing outside its area answers 2xx, its area shows its own receipt and not the other's."""
    from submissions import services
    from tests.submission_fixtures import submission_body

    mine = services.submission_receive(user=landlords["familjebostader"], channel="PORTAL", body=submission_body())
    theirs = services.submission_receive(user=landlords["stockholmshem"], channel="PORTAL", body=submission_body(serial=802))
    client = Client()
    client.force_login(landlords["familjebostader"])
    reached, errors = [], []
    for route in all_routes():
        if route.name in NOT_WALKED | NOT_WALKED_AS_ROLES:
            continue
        url = url_for(route, dataset)
        if route.name.startswith("submissions:") and "pk" in route.params:
            url = reverse(route.name, kwargs={"pk": theirs.pk})
        if url is None:
            continue
        for method in ("GET", "POST"):
            response = client.post(url, {}) if method == "POST" else client.get(url)
            if response.status_code >= 500:
                errors.append(f"{method} {route.name} {url}: {response.status_code}")
            if 200 <= response.status_code < 400 and route.name not in LANDLORD_REACHES:
                reached.append(f"{method} {route.name} {url}: {response.status_code}")
            body = response.content.decode(errors="replace")
            assert dataset["family"].number not in body and theirs.reference not in body, f"{method} {url}"
    assert not reached, "\n".join(reached)
    assert not errors, "\n".join(errors)
    # The other landlord's receipt is 404; its own is there.
    assert client.get(reverse("submissions:landlord_receipt", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.get(reverse("submissions:landlord_receipt", kwargs={"pk": mine.pk})).status_code == 200
    # Its import pages answer it; another account's list is 404 to it.
    from submissions.models import LandlordImportPreview

    assert client.get(reverse("submissions:landlord_import")).status_code == 200
    assert client.get(reverse("submissions:landlord_import_template", kwargs={"fmt": "xlsx"})).status_code == 200
    other = LandlordImportPreview.objects.create(created_by=landlords["stockholmshem"], landlord=landlords["stockholmshem"].landlord,
                                                 file_name="lista.csv", file_sha256="0" * 64, rows=[])
    assert client.get(reverse("submissions:landlord_import_preview", kwargs={"pk": other.pk})).status_code == 404
    assert client.post(reverse("submissions:landlord_import_preview", kwargs={"pk": other.pk}), {"rows": "VALID"}).status_code == 404

"""Issue 10, the administrator boundary and production hardening: defects 1, 3, 4, 5, 7, 11 and 12.

Each test names the defect it reproduces; each failed on the code before its fix.

- 1: an organisation's administrator could edit the global role groups (and so give their own group the
  token permissions and read every organisation's API keys);
- 3: demo passwords worked with DEBUG off, seed_demo ran, `check --deploy` passed;
- 4: an administrator could give their own account a case role;
- 5: the Organisation admin and Celery's periodic-task admin were open to every organisation's administrator;
- 7: the first request after PostgreSQL dropped its connections answered 500;
- 11: case pages, PDFs and the case API were cacheable;
- 12: behind the TLS proxy the audit log recorded the proxy's address.
"""

from __future__ import annotations

import importlib
import io
import json
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, Permission
from django.core import checks
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import AuditAction, AuditEvent
from organisation.models import Organisation, Role, User
from tests.factories import register
from tests.test_access_matrix import NOT_WALKED, all_routes
from tests.test_security import build_world, url_of

pytestmark = pytest.mark.django_db


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def admin_form_data(response) -> dict:
    """The POST body the admin's change form would send unchanged (so a test changes only what it means to)."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        widget = field.widget
        if hasattr(widget, "widgets") and not isinstance(value, list | tuple):
            for i, part in enumerate(widget.decompress(value)):
                if part is not None:
                    data[f"{name}_{i}"] = str(part)
            continue
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    return data


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.se", "test-password-123")


@pytest.fixture
def foreign_admin(make_user, other_organisation):
    return make_user("annan-admin", "systemadministrator", org=other_organisation, is_staff=True)


# --- defect 1: role groups are code, not data for an organisation's administrator ------------------------------


def test_defect1_an_administrator_cannot_change_the_global_role_groups(personas):
    """Defect 1: the systemadministrator group could change groups, so an administrator added any permission
    (e.g. the token permissions) to their own group, for every organisation at once."""
    group = Group.objects.get(name=Role.SYSTEMADMINISTRATOR)
    before = set(group.permissions.values_list("pk", flat=True))
    client = client_for(personas["admin"])
    change = reverse("admin:auth_group_change", args=[group.pk])
    page = client.get(change)
    assert page.status_code == 200  # read-only: the administrator may see what each role holds
    assert b'name="_save"' not in page.content
    everything = list(Permission.objects.values_list("pk", flat=True))
    response = client.post(change, {"name": group.name, "permissions": everything})
    assert response.status_code == 403
    assert set(group.permissions.values_list("pk", flat=True)) == before
    assert client.post(reverse("admin:auth_group_add"), {"name": "egen-roll"}).status_code == 403
    assert client.post(reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"}).status_code == 403
    assert not Group.objects.filter(name="egen-roll").exists()


def test_defect1_the_role_sync_takes_away_permissions_that_are_not_in_the_code():
    """Defect 1: a permission once added to a role group (by the old group admin) stayed there for good."""
    from organisation.roles import sync_role_permissions

    group = Group.objects.get(name=Role.SYSTEMADMINISTRATOR)
    stray = Permission.objects.get(codename="change_group")
    group.permissions.add(stray)
    sync_role_permissions()
    assert not group.permissions.filter(pk=stray.pk).exists()
    assert group.permissions.filter(codename="change_unit").exists()
    assert group.permissions.filter(codename="view_group").exists()


def test_defect1_the_token_admin_lists_own_organisation_only_and_never_shows_a_key(personas, foreign_admin, root):
    """Defect 1: with the token permission the token admin listed the keys of every user of every organisation,
    and a key read there opened another organisation's case. Now: own organisation only, and only a hash is stored."""
    from organisation.models import ApiScope, ApiToken
    from organisation.tokens import api_token_create

    own, own_key = api_token_create(user=personas["hyresradgivare"], name="Inläsning", scopes=[ApiScope.STAFF])
    foreign, foreign_key = api_token_create(user=foreign_admin, name="Annans integration", scopes=[ApiScope.STAFF])
    assert ApiToken.objects.filter(key_hash__in=[own_key, foreign_key]).count() == 0  # only the hash is stored

    client = client_for(personas["admin"])
    listing = client.get(reverse("admin:organisation_apitoken_changelist"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Inläsning" in html and own.prefix in html
    assert "Annans integration" not in html and foreign.prefix not in html
    assert own_key not in html
    assert client.get(reverse("admin:organisation_apitoken_change", args=[foreign.pk])).status_code in (302, 404)
    page = client.get(reverse("admin:organisation_apitoken_change", args=[own.pk]))
    assert page.status_code == 200 and own_key not in page.content.decode() and own.key_hash not in page.content.decode()

    # Created in the admin: the key is shown once, on the page after saving, and never again.
    response = client.post(
        reverse("admin:organisation_apitoken_add"),
        {"user": personas["hyresradgivare"].pk, "name": "Ny integration", "scopes": [ApiScope.STAFF]},
        follow=True,
    )
    assert response.status_code == 200
    created = ApiToken.objects.get(name="Ny integration")
    assert created.created_by == personas["admin"]
    shown = re.search(r"\b([0-9a-f]{40})\b", response.content.decode())
    assert shown, "the new key is shown once"
    key = shown.group(1)
    assert created.key_hash != key and key.startswith(created.prefix)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/meetings/").status_code == 200
    again = client.get(reverse("admin:organisation_apitoken_change", args=[created.pk])).content.decode()
    assert key not in again
    assert key not in client.get(reverse("admin:organisation_apitoken_changelist")).content.decode()
    # Revoked on its change page: the key stops working at once; the row stays (who had which token).
    client.post(reverse("admin:organisation_apitoken_change", args=[created.pk]), {"name": "Ny integration", "revoke": "on"})
    created.refresh_from_db()
    assert created.revoked_at is not None
    assert api.get("/api/v1/meetings/").status_code == 401
    assert client.post(reverse("admin:organisation_apitoken_delete", args=[created.pk]), {"post": "yes"}).status_code == 403

    # A user of another organisation is not offered, and a forged POST is refused.
    add = client.get(reverse("admin:organisation_apitoken_add")).content.decode()
    assert "annan-admin" not in add
    client.post(reverse("admin:organisation_apitoken_add"), {"user": foreign_admin.pk, "name": "Smuggel", "scopes": [ApiScope.STAFF]})
    assert not ApiToken.objects.filter(name="Smuggel").exists()

    # The superuser sees both organisations' tokens.
    everything = client_for(root).get(reverse("admin:organisation_apitoken_changelist")).content.decode()
    assert "Inläsning" in everything and "Annans integration" in everything


def test_defect1_tokens_authenticate_by_hash_revocation_and_last_use(personas):
    from organisation.models import ApiScope
    from organisation.tokens import api_token_create

    token, key = api_token_create(user=personas["hyresradgivare"], name="Test", scopes=[ApiScope.STAFF])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/meetings/").status_code == 200
    token.refresh_from_db()
    assert token.last_used is not None
    token.revoke()
    assert api.get("/api/v1/meetings/").status_code == 401
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION=f"Token {key[:-1]}x")
    assert wrong.get("/api/v1/meetings/").status_code == 401


def test_defect1_a_notices_submit_token_reads_no_case(organisation, personas):
    """The landlord channel's scope: with only `notices:submit` no endpoint of today's API answers, so it reads no case,
    even for a hyresrådgivare who sees every case with a staff token."""
    from organisation.models import ApiScope
    from organisation.tokens import api_token_create

    case = register(organisation, personas["hyresradgivare"]).case
    _token, submit_key = api_token_create(user=personas["hyresradgivare"], name="Hyresvärd", scopes=[ApiScope.NOTICES_SUBMIT])
    _token, staff_key = api_token_create(user=personas["hyresradgivare"], name="Personal", scopes=[ApiScope.STAFF])
    staff = APIClient()
    staff.credentials(HTTP_AUTHORIZATION=f"Token {staff_key}")
    assert staff.get(f"/api/v1/cases/{case.pk}/").status_code == 200

    submit = APIClient()
    submit.credentials(HTTP_AUTHORIZATION=f"Token {submit_key}")
    api_routes = [r for r in all_routes() if r.name.startswith(("api-", "bosam-api"))]
    assert len(api_routes) >= 8
    task = case.tasks.first()
    for route in api_routes:
        kwargs = {}
        if "pk" in route.params:
            kwargs["pk"] = task.pk if route.name.startswith("api-task") else case.pk
        url = reverse(route.name, kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(submit, method)(url, data={}, format="json")
            assert response.status_code in (403, 405), f"{method} {url}: {response.status_code}"
            assert str(case.number) not in response.content.decode()
    reads = AuditEvent.objects.filter(case=case, action__in=[AuditAction.API_READ]).count()
    assert reads == 1  # only the staff token's read


def test_create_api_token_prints_the_key_once_and_keeps_only_its_hash(personas, capsys):
    from organisation.models import ApiScope, ApiToken

    call_command("create_api_token", "hyresradgivare", "--scope", "notices:submit", "--name", "Hyresvärdens portal")
    key = capsys.readouterr().out.strip()
    assert re.fullmatch(r"[0-9a-f]{40}", key)
    token = ApiToken.objects.get(name="Hyresvärdens portal")
    assert token.scopes == [ApiScope.NOTICES_SUBMIT] and token.key_hash != key and key.startswith(token.prefix)
    with pytest.raises(CommandError):
        call_command("create_api_token", "hyresradgivare", "--scope", "allt")


def test_existing_authtoken_keys_are_migrated_as_hashes(personas):
    """The migration keeps clients working: each plain DRF key becomes a hashed ApiToken, and the plain table goes."""
    from django.apps import apps

    from organisation.models import ApiScope, ApiToken
    from organisation.tokens import hash_key

    migration = importlib.import_module("organisation.migrations.0004_api_tokens")
    key = "0123456789abcdef0123456789abcdef01234567"
    created_type = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    with connection.cursor() as cursor:
        # DRF's table as its migrations left it.
        cursor.execute(
            f"CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created {created_type} NOT NULL, user_id bigint NOT NULL)"
        )
        cursor.execute("INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, CURRENT_TIMESTAMP, %s)",
                       [key, personas["hyresradgivare"].pk])
        # The function the migration runs (a real schema editor cannot open inside the test's transaction on SQLite).
        migration.copy_plain_tokens(apps, SimpleNamespace(connection=connection, execute=cursor.execute))
    token = ApiToken.objects.get(key_hash=hash_key(key))
    assert token.user == personas["hyresradgivare"] and token.scopes == [ApiScope.STAFF]
    assert "authtoken_token" not in connection.introspection.table_names()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/meetings/").status_code == 200


# --- defect 3: demo accounts in production --------------------------------------------------------------------


@pytest.fixture
def production_demo(settings):
    settings.DEMO_USERS_ENABLED = False


def test_defect3_demo_usernames_cannot_sign_in_when_demo_is_off(client, personas, production_demo):
    """Defect 3: the demo accounts kept the password `demo` with DEBUG off, and login did not consult the demo setting."""
    user = personas["barn"]
    user.set_password("demo")
    user.save()
    for password in ("demo", "test-password-123"):
        response = client.post(reverse("login"), {"username": "barn", "password": password})
        assert response.status_code == 200, password
        assert "Demokonton kan inte användas" in response.content.decode()
        assert "_auth_user_id" not in client.session
    assert authenticate(RequestFactory().post("/"), username="barn", password="demo") is None
    response = client.post(reverse("admin:login"), {"username": "admin", "password": "test-password-123"})
    assert "_auth_user_id" not in client.session
    assert "Demokonton kan inte användas" in response.content.decode()
    # Any other account signs in as before.
    other = User.objects.create_user("anna.andersson", password="test-password-123", organisation=personas["barn"].organisation)
    assert authenticate(RequestFactory().post("/"), username=other.username, password="test-password-123") == other


def test_defect3_demo_accounts_sign_in_while_demo_is_on(client, personas):
    response = client.post(reverse("login"), {"username": "barn", "password": "test-password-123"})
    assert response.status_code == 302


def test_defect3_a_demo_account_token_is_refused_when_demo_is_off(personas, settings):
    from organisation.models import ApiScope
    from organisation.tokens import api_token_create

    _token, key = api_token_create(user=personas["hyresradgivare"], name="Demo", scopes=[ApiScope.STAFF])
    settings.DEMO_USERS_ENABLED = False
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/meetings/").status_code == 401


def test_defect3_seed_demo_refuses_to_run_when_demo_is_off(production_demo):
    """Defect 3 ("seed_demo refuses to run"). Not a reproducer: the old command refused too (after writing the
    organisation and the users, undone by its transaction); now it refuses before it writes anything."""
    before = User.objects.count(), Organisation.objects.count()
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", "--today", "2026-11-25", stdout=io.StringIO())
    assert (User.objects.count(), Organisation.objects.count()) == before


def _deploy_errors() -> list[checks.CheckMessage]:
    return [m for m in checks.run_checks(include_deployment_checks=True) if m.id == "organisation.E001"]


def test_defect3_check_deploy_fails_while_a_demo_password_is_usable(personas):
    """Defect 3: `check --deploy` passed although the demo accounts had the password `demo`."""
    assert _deploy_errors() == []
    user = personas["chef"]
    user.set_password("demo")
    user.save()
    errors = _deploy_errors()
    assert len(errors) == 1 and "chef" in errors[0].msg and errors[0].level == checks.ERROR
    # Not part of the everyday checks (DEBUG runs have demo passwords on purpose).
    assert not [m for m in checks.run_checks() if m.id == "organisation.E001"]
    # Any account with the password "demo" counts, not only the demo user names.
    user.set_unusable_password()
    user.save()
    staff = User.objects.create_user("kalle.k", password="demo", is_staff=True)
    assert [e for e in _deploy_errors() if staff.username in e.msg]


# --- defect 4: no case role for one's own account -------------------------------------------------------------


def test_defect4_an_administrator_cannot_grant_a_case_role_to_their_own_account(personas):
    """Defect 4: an administrator gave their own account `hyresradgivare` and then read cases."""
    from cases.access import visible_cases

    admin = personas["admin"]
    client = client_for(admin)
    change = reverse("admin:organisation_user_change", args=[admin.pk])
    data = admin_form_data(client.get(change))
    data["groups"] = [str(Group.objects.get(name=Role.HYRESRADGIVARE).pk), str(Group.objects.get(name=Role.SYSTEMADMINISTRATOR).pk)]
    client.post(change, data)
    admin.refresh_from_db()
    assert set(admin.groups.values_list("name", flat=True)) == {Role.SYSTEMADMINISTRATOR}
    register(admin.organisation, personas["hyresradgivare"])
    assert not visible_cases(User.objects.get(pk=admin.pk)).exists()
    assert not User.objects.get(pk=admin.pk).groups.filter(name=Role.HYRESRADGIVARE).exists()


def test_defect4_a_second_administrator_may_grant_roles_to_the_first(personas, make_user):
    """The other side of defect 4: an administrator grants case roles to others, including another administrator."""
    second = make_user("admin2", "systemadministrator", is_staff=True)
    client = client_for(second)
    target = personas["admin"]
    change = reverse("admin:organisation_user_change", args=[target.pk])
    data = admin_form_data(client.get(change))
    data["groups"] = [str(Group.objects.get(name=Role.HYRESRADGIVARE).pk), str(Group.objects.get(name=Role.SYSTEMADMINISTRATOR).pk)]
    assert client.post(change, data).status_code == 302
    assert set(target.groups.values_list("name", flat=True)) == {Role.HYRESRADGIVARE, Role.SYSTEMADMINISTRATOR}


def test_an_administrator_manages_the_users_of_their_own_organisation_only(personas, foreign_admin, root, units, other_organisation):
    admin = personas["admin"]
    root.organisation = admin.organisation
    root.save()
    client = client_for(admin)
    listing = client.get(reverse("admin:organisation_user_changelist")).content.decode()
    assert "hyresradgivare" in listing
    assert "annan-admin" not in listing
    assert ">root<" not in listing  # a superuser of the same organisation is not theirs to change (password!)
    assert client.get(reverse("admin:organisation_user_change", args=[foreign_admin.pk])).status_code in (302, 404)
    assert client.get(reverse("admin:organisation_user_change", args=[root.pk])).status_code in (302, 404)
    response = client.post(reverse("admin:auth_user_password_change", args=[foreign_admin.pk]),
                           {"password1": "ett-helt-nytt-losenord-9", "password2": "ett-helt-nytt-losenord-9"})
    assert response.status_code in (302, 404)
    foreign_admin.refresh_from_db()
    assert foreign_admin.check_password("test-password-123")

    # A new user lands in the administrator's organisation; units are offered from it only.
    add = client.get(reverse("admin:organisation_user_add")).content.decode()
    foreign_unit = other_organisation.units.first()
    assert f'value="{foreign_unit.pk}"' not in add
    response = client.post(reverse("admin:organisation_user_add"), {
        "username": "ny.handlaggare", "usable_password": "true", "password1": "ett-langt-losenord-77", "password2": "ett-langt-losenord-77",
        "unit": units["MOTTAGNING_VUXNA"].pk,
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    created = User.objects.get(username="ny.handlaggare")
    assert created.organisation == admin.organisation and created.unit == units["MOTTAGNING_VUXNA"]
    client.post(reverse("admin:organisation_user_add"), {
        "username": "smugglad", "usable_password": "true", "password1": "ett-langt-losenord-77", "password2": "ett-langt-losenord-77",
        "unit": foreign_unit.pk, "organisation": other_organisation.pk,
    })
    assert not User.objects.filter(username="smugglad", organisation=other_organisation).exists()


# --- defect 5: organisations and the Celery schedule are the superuser's ----------------------------------------


def test_defect5_organisations_and_periodic_tasks_are_superuser_only(personas, other_organisation, root):
    """Defect 5: one organisation's administrator renamed another organisation and created scheduled tasks for all."""
    client = client_for(personas["admin"])
    urls = [
        reverse("admin:organisation_organisation_changelist"),
        reverse("admin:organisation_organisation_change", args=[other_organisation.pk]),
        reverse("admin:organisation_organisation_add"),
        reverse("admin:django_celery_beat_periodictask_changelist"),
        reverse("admin:django_celery_beat_periodictask_add"),
        reverse("admin:django_celery_beat_intervalschedule_add"),
        reverse("admin:django_celery_beat_crontabschedule_add"),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("admin:organisation_organisation_change", args=[other_organisation.pk]),
                           {"code": other_organisation.code, "name": "Omdöpt"})
    assert response.status_code == 403
    other_organisation.refresh_from_db()
    assert other_organisation.name != "Omdöpt"
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/django_celery_beat/" not in index and "/admin/organisation/organisation/" not in index
    superuser = client_for(root)
    for url in urls:
        assert superuser.get(url).status_code == 200, url


@pytest.mark.slow
def test_defect5_the_administrator_reaches_no_other_organisation_in_any_admin_list(personas, foreign_admin, root, other_organisation):
    """Every admin changelist the administrator can open shows nothing of another organisation."""
    from organisation.models import ApiScope
    from organisation.tokens import api_token_create

    api_token_create(user=foreign_admin, name="Utländsk-token", scopes=[ApiScope.STAFF])
    foreign_markers = [other_organisation.name, "annan-admin", "Utländsk-token"]
    client = client_for(personas["admin"])
    opened = 0
    for route in all_routes():
        if not route.name.startswith("admin:") or not route.name.endswith("_changelist"):
            continue
        response = client.get(reverse(route.name))
        if response.status_code != 200:
            assert response.status_code in (403, 302), route.name
            continue
        opened += 1
        html = response.content.decode()
        for marker in foreign_markers:
            assert marker not in html, f"{route.name} shows {marker!r}"
    assert opened >= 5


# --- defect 7: dropped database connections ------------------------------------------------------------------


def test_defect7_connection_health_checks_are_on(settings):
    """Defect 7: CONN_HEALTH_CHECKS was off with CONN_MAX_AGE=60."""
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_defect7_a_request_after_postgresql_dropped_the_connection_is_not_500(organisation, personas):
    """Defect 7: after PostgreSQL terminated the backends, the first request in each worker answered 500.

    The WSGI handler is called twice in this thread, as one gunicorn worker would: the persistent connection
    of the first request is terminated from outside; the second request must reconnect, not fail."""
    import psycopg2
    from django.core.handlers.wsgi import WSGIHandler

    advisor = personas["hyresradgivare"]
    login = Client()
    login.force_login(advisor)
    cookie = f"sessionid={login.cookies['sessionid'].value}"
    handler = WSGIHandler()

    def get(path):
        status = []
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO(), "HTTP_COOKIE": cookie,
            "REMOTE_ADDR": "127.0.0.1",
        }
        body = b"".join(handler(environ, lambda s, h, *a: status.append(s)))
        return int(status[0].split()[0]), body

    assert get("/arenden/")[0] == 200
    assert connection.connection is not None  # kept for the next request (CONN_MAX_AGE)
    pid = connection.connection.get_backend_pid()
    params = connection.get_connection_params()
    killer = psycopg2.connect(**{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")})
    killer.autocommit = True
    with killer.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    killer.close()
    status, _body = get("/arenden/")
    assert status == 200
    assert connection.connection.get_backend_pid() != pid


# --- defect 11: no caching of case data ------------------------------------------------------------------------


def _no_store(response) -> bool:
    value = response.get("Cache-Control", "")
    return "no-store" in value and "private" in value


@pytest.mark.slow
def test_defect11_every_authenticated_response_is_no_store(organisation, personas, root):
    """Defect 11: case pages, PDFs and the case API sent no Cache-Control: no-store. Walks the whole URLconf as the
    roles that open case data, the BOSAM chair and a superuser (the admin), and every answer, whatever its status."""
    world = build_world(organisation, personas["hyresradgivare"], personas["ordforande"])
    problems, seen = [], set()
    for user in (personas["hyresradgivare"], personas["chef"], personas["ordforande"], personas["barn"], root):
        client = client_for(user, raise_request_exception=False)
        for route in all_routes():
            if route.name in NOT_WALKED:
                continue
            if route.name.startswith("admin:"):
                if route.params or user != root:
                    continue
                url = reverse(route.name)
            else:
                url = url_of(route, world) if route.params else reverse(route.name)
            if url is None:
                continue
            response = client.get(url)
            if response.status_code == 200:
                seen.add(route.name)
            if not _no_store(response):
                problems.append(f"{user.username} {route.name} {url} {response.status_code}: {response.get('Cache-Control')!r}")
    assert not problems, "\n".join(problems)
    assert {"cases:detail", "cases:my_cases", "cases:overview", "cases:letter_pdf", "cases:attachment", "cases:audit_review",
            "api-case-detail", "bosam:meeting_detail", "bosam:item_detail", "bosam-api-agenda-pdf", "admin:index"} <= seen, sorted(seen)


def test_defect11_case_page_pdf_and_api_are_no_store(organisation, personas):
    from organisation.models import ApiScope
    from organisation.tokens import api_token_create

    result = register(organisation, personas["hyresradgivare"])
    case = result.case
    session = client_for(personas["hyresradgivare"])
    letter = case.tasks.filter(kind="SEND_LETTER").first()
    for url in (reverse("cases:detail", args=[case.pk]), reverse("cases:letter_pdf", args=[letter.pk]), f"/api/v1/cases/{case.pk}/"):
        response = session.get(url)
        assert response.status_code == 200 and _no_store(response), (url, response.get("Cache-Control"))
    _token, key = api_token_create(user=personas["hyresradgivare"], name="Test", scopes=[ApiScope.STAFF])
    response = Client().get(f"/api/v1/cases/{case.pk}/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and _no_store(response)


# --- defect 12: the client's address behind the proxy ------------------------------------------------------------


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5", "192.168.1.0/24"]
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_defect12_client_address_rightmost_untrusted(behind_proxy):
    from organisation.client_ip import client_address

    assert client_address(_request("10.0.0.5", "203.0.113.7")) == "203.0.113.7"
    # A client cannot choose its address by sending the header itself: the proxy appends, we read from the right.
    assert client_address(_request("10.0.0.5", "1.1.1.1, 203.0.113.7")) == "203.0.113.7"
    # Two trusted hops (the load balancer, then the proxy).
    assert client_address(_request("10.0.0.5", "203.0.113.7, 192.168.1.20")) == "203.0.113.7"
    # Not from a trusted proxy: the header is the client's own claim and is ignored.
    assert client_address(_request("198.51.100.9", "203.0.113.7")) == "198.51.100.9"
    # Garbage in the header: the last trusted hop, never the garbage.
    assert client_address(_request("10.0.0.5", "<script>, 203.0.113.7x")) == "10.0.0.5"
    assert client_address(_request("10.0.0.5")) == "10.0.0.5"
    assert client_address(_request("10.0.0.5", "2001:db8::1")) == "2001:db8::1"


def test_defect12_without_a_trusted_proxy_the_header_is_ignored(settings):
    from organisation.client_ip import client_address

    settings.TRUSTED_PROXIES = []
    assert client_address(_request("10.0.0.5", "203.0.113.7")) == "10.0.0.5"


def test_defect12_the_audit_log_and_axes_record_the_client_behind_the_proxy(organisation, personas, behind_proxy):
    """Defect 12: behind the documented TLS proxy every audit row recorded the proxy's address."""
    from axes.models import AccessAttempt

    case = register(organisation, personas["hyresradgivare"]).case
    client = client_for(personas["hyresradgivare"])
    client.get(reverse("cases:detail", args=[case.pk]), REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    event = AuditEvent.objects.filter(action=AuditAction.CASE_VIEW, case=case).latest("pk")
    assert event.ip_address == "203.0.113.7"
    Client().post(reverse("login"), {"username": "barn", "password": "fel"}, REMOTE_ADDR="10.0.0.5",
                  HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert AccessAttempt.objects.filter(username="barn").get().ip_address == "203.0.113.8"


def test_defect12_check_warns_when_behind_a_proxy_without_trusted_proxies(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = []
    ids = {m.id for m in checks.run_checks(include_deployment_checks=True)}
    assert "avhysning.W001" in ids
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert "avhysning.W001" not in {m.id for m in checks.run_checks(include_deployment_checks=True)}


def test_json_of_the_token_scopes_is_the_contract():
    """The scope strings are an API contract (clients send them to the command, integrators read them)."""
    from organisation.models import ApiScope

    assert json.dumps(sorted(ApiScope.values)) == json.dumps(["notices:submit", "staff"])

"""Shared fixtures: the default organisation, one user per role, a second
organisation (for boundary tests), and Playwright on Debian's Chromium."""

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) is None and not os.path.exists(CHROMIUM):
        skip = pytest.mark.skip(reason=f"{CHROMIUM} saknas: installera Debians paket med 'apt-get install chromium' för webbläsartesterna")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)
    database_url = os.environ.get("DATABASE_URL", "")
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    for item in items:
        if "postgres" in item.keywords and not database_url.startswith(("postgres://", "postgresql://")):
            item.add_marker(pytest.mark.skip(reason="DATABASE_URL pekar inte på PostgreSQL (sätt DATABASE_URL=postgres://…)"))
        if "redis" in item.keywords and not broker_url.startswith("redis://"):
            item.add_marker(pytest.mark.skip(reason="CELERY_BROKER_URL pekar inte på Redis (sätt CELERY_BROKER_URL=redis://…)"))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s per persona; tests don't need its strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """A request with the English cookie leaves English active in the thread; reset it."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "sv-SE"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        ],
    }


@pytest.fixture
def celery_worker_inline(settings):
    """The Celery tasks a request queues (after its commit) run at once, as the worker would run them: for the
    tests that read what the worker does (an e-mail sent, a prepared agenda refreshed)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def organisation(db):
    from organisation.defaults import DEFAULT_ORGANISATION, create_organisation
    from organisation.models import Department, Organisation, Unit

    # Normally loaded by the data migration; a transactional (browser) test flushes it away, and
    # serialized_rollback does not help under Playwright's greenlets, so recreate it (idempotent).
    return create_organisation(Organisation, Department, Unit, **DEFAULT_ORGANISATION)


@pytest.fixture
def units(organisation):
    return {u.code: u for u in organisation.units.all()}


@pytest.fixture
def make_user(organisation, units):
    from django.contrib.auth.models import Group

    from organisation.models import User

    def make(username, role, unit_code=None, org=None, **extra):
        org = org or organisation
        unit = org.units.get(code=unit_code) if unit_code else None
        user = User.objects.create_user(
            username=username, password="test-password-123", organisation=org, unit=unit,
            first_name=extra.pop("first_name", username.capitalize()), last_name=extra.pop("last_name", "Testsson"), **extra,
        )
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        return user

    return make


@pytest.fixture
def personas(make_user):
    """One user per demo role, in the units the demo uses."""
    return {
        "hyresradgivare": make_user("hyresradgivare", "hyresradgivare", "HYRESRADGIVNING", phone="08-508 14 000", email="hr@example.se"),
        "barn": make_user("barn", "handlaggare", "MOTTAGNING_BARN_UNGA"),
        "vuxna": make_user("vuxna", "handlaggare", "MOTTAGNING_VUXNA"),
        "aldre": make_user("aldre", "handlaggare", "AO_UPPSOKARE"),
        "ekbistand": make_user("ekbistand", "handlaggare", "EKONOMISKT_BISTAND"),
        "ordforande": make_user("ordforande", "bosam_ordforande", "HYRESRADGIVNING"),
        "chef": make_user("chef", "chef", "MOTTAGNING_BARN_UNGA"),
        "admin": make_user("admin", "systemadministrator", None, is_staff=True),
        "styrgrupp": make_user("styrgrupp", "styrgrupp", None),
        "stad": make_user("stad", "stad", None),
    }


@pytest.fixture
def other_organisation(db):
    """A second district administration: nothing of it may ever show in the first."""
    from organisation.defaults import create_organisation
    from organisation.models import Department, Organisation, Unit

    return create_organisation(Organisation, Department, Unit, code="skarholmen", name="Skärholmens stadsdelsförvaltning")


# Single sign-on against a real OpenID Connect provider process (tests/oidc_provider/).
from tests.oidc_fixtures import group_mappings, oidc_provider, sso_settings  # noqa: E402, F401
from tests.submission_fixtures import landlords  # noqa: E402, F401


@pytest.fixture
def latest_schema_afterwards(transactional_db):
    """For a migration test: the schema is at the latest migrations again after the test, passed or failed (and before
    the database is emptied for the next test, which needs the tables of the latest schema)."""
    from tests.migration_steps import migrate_to_latest

    yield
    migrate_to_latest()

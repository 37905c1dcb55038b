"""Fixtures for single sign-on against a real OpenID Connect provider (tests/oidc_provider/),
started as its own process on a free port of 127.0.0.1 with its own SQLite database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID = "avhysning"
CLIENT_SECRET = "provider-client-secret"  # test provider
PROVIDER_NAME = "Stadens inloggning (test)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    """The issuer URL of a running django-oidc-provider whose client redirects to live_server."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    folder = tmp_path_factory.mktemp("oidc-provider")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "PROVIDER_DB": str(folder / "provider.sqlite3"),
        "PROVIDER_URL": url,
        "RP_URL": live_server.url,
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "tests.oidc_provider.bootstrap"], cwd=ROOT, env=env, check=True, timeout=120)
    log = open(folder / "provider.log", "wb")  # noqa: SIM115 (kept open for the process' lifetime)
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    issuer = f"{url}/openid"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the test provider did not start; see {folder / 'provider.log'}")
            time.sleep(0.3)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def sso_settings(settings, oidc_provider):
    """SSO on, against the test provider, with the claim names a city might use."""
    from accounts.oidc import clear_discovery_cache

    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = oidc_provider
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid profile email avhysning"
    settings.OIDC_PROVIDER_NAME = PROVIDER_NAME
    settings.OIDC_CLAIM_SUBJECT = "employee_id"
    settings.OIDC_CREATE_USER = True
    clear_discovery_cache()
    yield settings
    clear_discovery_cache()


@pytest.fixture
def group_mappings(organisation, units):
    from accounts.models import GroupRoleMapping

    return [
        GroupRoleMapping.objects.create(organisation=organisation, group="AVH-Handlaggare", role="handlaggare"),
        GroupRoleMapping.objects.create(
            organisation=organisation, group="AVH-BOSAM-ordforande", role="bosam_ordforande", unit=units["HYRESRADGIVNING"]
        ),
    ]

"""Passwords (issue 16): Argon2id first, tuned to well under 100 ms of CPU per login; an older PBKDF2 hash is
re-hashed with Argon2 at the next login. (conftest.py sets MD5 for speed: these tests put the real list back.)"""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from avhysning import settings as project_settings


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_argon2_is_the_first_hasher():
    assert project_settings.PASSWORD_HASHERS[0] == "accounts.hashers.TunedArgon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in project_settings.PASSWORD_HASHERS


@pytest.mark.django_db
def test_a_pbkdf2_user_logs_in_and_ends_up_with_an_argon2_hash(client, personas, real_hashers):
    user = personas["hyresradgivare"]
    user.password = make_password("ett-langt-losenord-123", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    response = client.post(reverse("login"), {"username": "hyresradgivare", "password": "ett-langt-losenord-123"})
    assert response.status_code == 302, "the login failed"
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password("ett-langt-losenord-123")


@pytest.mark.django_db
def test_an_argon2_hash_with_other_parameters_is_rehashed(personas, real_hashers):
    user = personas["vuxna"]
    user.password = make_password("ett-langt-losenord-123", hasher="argon2")
    user.save(update_fields=["password"])
    assert "m=19456,t=2,p=1" in user.password  # made by the tuned hasher
    from django.contrib.auth.hashers import Argon2PasswordHasher

    user.password = Argon2PasswordHasher().encode("ett-langt-losenord-123", Argon2PasswordHasher().salt())  # Django's default cost
    user.save(update_fields=["password"])
    assert user.check_password("ett-langt-losenord-123")
    user.refresh_from_db()
    assert "m=19456,t=2,p=1" in user.password


def test_checking_a_password_costs_less_than_100_ms_of_cpu(real_hashers):
    from django.contrib.auth.hashers import check_password

    encoded = make_password("ett-langt-losenord-123")
    spent = []
    for _ in range(5):
        started = time.process_time()
        assert check_password("ett-langt-losenord-123", encoded)
        spent.append(time.process_time() - started)
    assert sorted(spent)[2] < 0.1, f"median CPU per check {sorted(spent)[2] * 1000:.0f} ms"

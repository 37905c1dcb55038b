"""The signed-in user of a request, with their organisation and role names, in one query (issue 16)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts.backends import LocalPasswordBackend
from accounts.oidc import OIDCBackend
from organisation.roles import has_role, user_for_request, user_roles

pytestmark = pytest.mark.django_db


def test_the_user_organisation_and_roles_are_one_query(make_user, organisation, django_assert_num_queries):
    user = make_user("tva", "hyresradgivare", "HYRESRADGIVNING")
    user.groups.add(Group.objects.get_or_create(name="chef")[0])
    with django_assert_num_queries(1):
        loaded = user_for_request(user.pk)
        assert loaded.organisation.name == organisation.name
        assert user_roles(loaded) == {"hyresradgivare", "chef"}
        assert has_role(loaded, "chef") and not has_role(loaded, "handlaggare")
    assert not hasattr(loaded, "_group_names")


def test_a_user_without_roles_or_organisation_has_none(django_user_model, django_assert_num_queries):
    user = django_user_model.objects.create_user(username="ingen", password="x" * 16)
    with django_assert_num_queries(1):
        loaded = user_for_request(user.pk)
        assert loaded.organisation is None and user_roles(loaded) == frozenset()
    assert user_for_request(user.pk + 1000) is None


def test_a_role_name_is_never_split_or_joined(make_user):
    # Group names with the characters an aggregate might use as separators stay whole names, never roles.
    user = make_user("udda", "handlaggare", "MOTTAGNING_VUXNA")
    user.groups.add(Group.objects.create(name="x,chef"), Group.objects.create(name="y chef;z"))
    assert user_roles(user_for_request(user.pk)) == {"handlaggare", "x,chef", "y chef;z"}


def test_the_backends_load_the_user_so(make_user, django_assert_num_queries):
    user = make_user("hr", "hyresradgivare", "HYRESRADGIVNING")
    for backend in (LocalPasswordBackend(), OIDCBackend()):
        with django_assert_num_queries(1):
            loaded = backend.get_user(user.pk)
            assert loaded == user and user_roles(loaded) == {"hyresradgivare"} and loaded.organisation_id == user.organisation_id


def test_an_inactive_user_is_signed_out_by_either_backend(make_user):
    user = make_user("borta", "handlaggare", "MOTTAGNING_VUXNA", is_active=False)
    assert LocalPasswordBackend().get_user(user.pk) is None
    assert OIDCBackend().get_user(user.pk) is None


def test_an_sso_session_ends_when_the_account_is_deactivated(client, make_user):
    user = make_user("sso", "handlaggare", "MOTTAGNING_VUXNA")
    client.force_login(user, backend="accounts.oidc.OIDCBackend")
    assert client.get("/arenden/").status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get("/arenden/")
    assert response.status_code == 302 and "/logga-in/" in response["Location"], response.get("Location")


def test_a_request_reads_the_user_once(client, personas, django_assert_num_queries):
    client.force_login(personas["chef"])
    assert client.get("/arenden/aviseringar/antal/").status_code == 200  # the session's idle stamp written
    # The session, the user with organisation and roles, the bell's count.
    with django_assert_num_queries(3):
        assert client.get("/arenden/aviseringar/antal/").json() == {"unread": 0}

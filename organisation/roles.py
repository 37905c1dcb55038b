"""Roles as Django groups, and the model permissions each role holds in the admin.

Case access is not given by model permissions: it is decided per case by the
access gate in cases/access.py (unit and role). These permissions only open
the admin pages for configuration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Aggregate, CharField, Value

from .models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

ALL_ACTIONS = ("view", "add", "change", "delete")

# The whole truth about what each role may do in the admin: synced into the groups on every migrate
# (exactly: a permission added by hand is taken away again). Groups are read-only in the admin for everyone
# but a superuser, so an organisation's administrator cannot widen a role, which is global to all organisations.
# Not here on purpose: Organisation and Celery's schedule (superuser only, issue 10 defect 5), the audit log.
ADMIN_PERMISSIONS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    Role.SYSTEMADMINISTRATOR: [
        ("organisation", "department", ALL_ACTIONS),
        ("organisation", "unit", ALL_ACTIONS),
        ("organisation", "user", ALL_ACTIONS),
        # Tokens are revoked, not deleted: the list shows who had which token.
        ("organisation", "apitoken", ("view", "add", "change")),
        ("auth", "group", ("view",)),
        ("cases", "planconfiguration", ALL_ACTIONS),
        # Letters in the household's language (issue 14 §3): their own organisation's templates (cases/letter_admin.py).
        ("cases", "lettertemplate", ALL_ACTIONS),
        ("cases", "landlord", ALL_ACTIONS),
        ("bosam", "meetingseries", ALL_ACTIONS),
        # Single sign-on: which provider groups give which role, pre-created accounts' subjects;
        # a lost authenticator is reset by deleting the person's devices.
        ("accounts", "grouprolemapping", ALL_ACTIONS),
        ("accounts", "externalidentity", ALL_ACTIONS),
        ("otp_totp", "totpdevice", ("view", "delete")),
        ("otp_static", "staticdevice", ("view", "delete")),
        ("django_otp_webauthn", "webauthncredential", ("view", "delete")),
    ],
    Role.BOSAM_ORDFORANDE: [("bosam", "meetingseries", ALL_ACTIONS)],
    Role.HYRESRADGIVARE: [("cases", "landlord", ALL_ACTIONS)],
}

# Permissions beyond the admin's: (app label, codename). Synced exactly like ADMIN_PERMISSIONS.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    # Break the glass (issue 15 §4): socialjouren may take time-limited emergency access to a case.
    Role.SOCIALJOUR: [("cases", "emergency_access")],
}

# The roles that open case contents (cases/access.py). An administrator grants them to others, never to themselves.
CASE_ROLES = frozenset({Role.HYRESRADGIVARE, Role.HANDLAGGARE, Role.BOSAM_ORDFORANDE, Role.CHEF, Role.SOCIALJOUR})


def user_roles(user: User | AnonymousUser) -> frozenset[str]:
    """The role names of a user, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_avhysning_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._avhysning_roles = cached
    return cached


# Between the names in _GroupNames: a control character, in no group name (the groups are the roles above).
_NAME_SEPARATOR = "\x1f"


class _GroupNames(Aggregate):
    """The names of a user's groups in one string: GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL; NULL for none."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def __init__(self, expression, **extra):
        super().__init__(expression, Value(_NAME_SEPARATOR), **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="STRING_AGG", **extra_context)


def user_for_request(user_id) -> User | None:
    """The signed-in user of a session with their organisation, their unit and role names, in one query (issue 16: the
    user, the roles, the organisation and the unit were four on many requests). The roles are cached as `user_roles`
    caches them."""
    users = get_user_model()._default_manager.select_related("organisation", "unit").annotate(_group_names=_GroupNames("groups__name"))
    user = users.filter(pk=user_id).first()
    if user is not None:
        names = user.__dict__.pop("_group_names")
        user._avhysning_roles = frozenset(names.split(_NAME_SEPARATOR)) if names else frozenset()
    return user


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def sync_role_permissions(**kwargs) -> None:
    """Create the role groups and give them exactly their admin permissions (idempotent)."""
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for app_label, model, actions in ADMIN_PERMISSIONS.get(role, []):
            codenames = [f"{action}_{model}" for action in actions]
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, content_type__model=model, codename__in=codenames))
        for app_label, codename in ROLE_PERMISSIONS.get(role, []):
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)

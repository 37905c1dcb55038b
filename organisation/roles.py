"""Roles as Django groups, and the model permissions each role holds in the admin.

Case access is not given by model permissions: it is decided per case by the
access gate in cases/access.py (unit and role). These permissions only open
the admin pages for configuration.
"""

from django.contrib.auth.models import Group, Permission

from .models import Role

ADMIN_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    Role.SYSTEMADMINISTRATOR: [
        ("organisation", "organisation"),
        ("organisation", "department"),
        ("organisation", "unit"),
        ("organisation", "user"),
        ("auth", "group"),
        ("cases", "planconfiguration"),
        ("cases", "landlord"),
        ("bosam", "meetingseries"),
        ("django_celery_beat", "periodictask"),
        # Single sign-on: which provider groups give which role; pre-created accounts' subjects;
        # a lost authenticator is reset by deleting the person's devices.
        ("accounts", "grouprolemapping"),
        ("accounts", "externalidentity"),
        ("otp_totp", "totpdevice"),
        ("otp_static", "staticdevice"),
    ],
    Role.BOSAM_ORDFORANDE: [("bosam", "meetingseries")],
    Role.HYRESRADGIVARE: [("cases", "landlord")],
}


def user_roles(user) -> frozenset[str]:
    """The role names of a user, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_avhysning_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._avhysning_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def sync_role_permissions(**kwargs) -> None:
    """Create the role groups and give them their admin permissions (idempotent)."""
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for app_label, model in ADMIN_PERMISSIONS.get(role, []):
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, content_type__model=model))
        if wanted:
            group.permissions.add(*wanted)

"""The demo accounts: one list, shared by seed_demo, the login refusal and the deploy check.

They exist for `make run` only. With DEMO_USERS_ENABLED off (DEBUG off) these user
names cannot sign in whatever their password (organisation/auth.py), seed_demo
refuses to run, and `check --deploy` fails while any account still has the
demo password (organisation/checks.py)."""

from django.conf import settings

from .models import Role

DEMO_PASSWORD = "demo"  # noqa: S105 (demo users exist only while DEBUG is on)

# username, role, unit code, first name, last name, phone
DEMO_USERS = [
    ("hyresradgivare", Role.HYRESRADGIVARE, "HYRESRADGIVNING", "Hanna", "Rådgivare", "08-508 14 552"),
    ("barn", Role.HANDLAGGARE, "MOTTAGNING_BARN_UNGA", "Björn", "Barnsson", "08-508 14 600"),
    ("vuxna", Role.HANDLAGGARE, "MOTTAGNING_VUXNA", "Vera", "Vuxendahl", "08-508 14 700"),
    ("aldre", Role.HANDLAGGARE, "AO_UPPSOKARE", "Åke", "Uppsökare", "08-508 14 800"),
    ("ekbistand", Role.HANDLAGGARE, "EKONOMISKT_BISTAND", "Elin", "Ekonomi", "08-508 14 900"),
    ("ordforande", Role.BOSAM_ORDFORANDE, "HYRESRADGIVNING", "Olof", "Ordförande", "08-508 14 500"),
    ("chef", Role.CHEF, "MOTTAGNING_BARN_UNGA", "Cecilia", "Chef", "08-508 14 100"),
    ("admin", Role.SYSTEMADMINISTRATOR, None, "Adam", "Admin", ""),
    # The steering group (R8) and the city's central office: registers and statistics, no case pages.
    ("styrgrupp", Role.STYRGRUPP, None, "Stina", "Styrgrupp", "08-508 14 050"),
    ("stad", Role.STAD, None, "Sam", "Stadshuset", ""),
    # Socialjouren: no cases of its own, takes emergency access (issue 15 §4).
    ("jour", Role.SOCIALJOUR, None, "Jonna", "Jour", "08-508 14 999"),
    # A landlord's account (issue 14 §2), bound by seed_demo to AB Familjebostäder: /hyresvard/ only.
    ("hyresvard", Role.HYRESVARD, None, "Harald", "Hyresvärd", "08-508 37 000"),
]

DEMO_USERNAMES: frozenset[str] = frozenset(username for username, *_rest in DEMO_USERS)


def demo_users_enabled() -> bool:
    # Read at call time, not import time, so that a test (or a settings override) can turn it off.
    return bool(getattr(settings, "DEMO_USERS_ENABLED", False))


def is_refused_demo_username(username: str | None) -> bool:
    """True when `username` is a demo account and demo accounts are off (production)."""
    return bool(username) and not demo_users_enabled() and username in DEMO_USERNAMES

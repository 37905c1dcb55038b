"""Writes for sign-in: the account that a set of identity-provider claims gives, and TOTP enrolment."""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.models import Organisation, Role, Unit, User

from .models import ExternalIdentity, GroupRoleMapping


class SignInRefused(Exception):  # a refusal, not a programming error
    """A sign-in whose claims give no account: the code picks the Swedish explanation shown."""

    NO_SUBJECT = "no_subject"
    NO_ORGANISATION = "no_organisation"
    NO_ROLE = "no_role"
    NO_UNIT = "no_unit"
    NO_ACCOUNT = "no_account"
    OTHER_ORGANISATION = "other_organisation"
    INACTIVE = "inactive"
    PROVIDER = "provider"
    PROVIDER_DENIED = "provider_denied"
    UNKNOWN = "unknown"

    def __init__(self, code: str, *, subject: str = "", organisation: str = "", groups: tuple[str, ...] = ()):
        super().__init__(code)
        self.code = code
        self.subject = subject
        self.organisation = organisation
        self.groups = groups


# What the refusal page says, per code. The person can act on it, or knows whom to ask.
REFUSAL_MESSAGES = {
    SignInRefused.NO_SUBJECT: _("Inloggningstjänsten skickade ingen användaridentitet."),
    SignInRefused.NO_ORGANISATION: _("Ditt konto hos inloggningstjänsten hör inte till någon förvaltning som använder Avhysning."),
    SignInRefused.NO_ROLE: _("Ditt konto har ingen behörighetsgrupp för Avhysning. Be din chef beställa behörighet."),
    SignInRefused.NO_UNIT: _(
        "Ditt konto är inte kopplat till någon enhet i Avhysning. Be din chef eller systemadministratören lägga till enheten."
    ),
    SignInRefused.NO_ACCOUNT: _(
        "Det finns inget konto i Avhysning för dig. Be systemadministratören lägga upp ett konto med ditt anställnings-id."
    ),
    SignInRefused.OTHER_ORGANISATION: _("Ditt konto i Avhysning hör till en annan förvaltning än den inloggningstjänsten anger."),
    SignInRefused.INACTIVE: _("Ditt konto i Avhysning är avstängt."),
    SignInRefused.PROVIDER: _("Inloggningstjänsten svarar inte just nu. Försök igen om en stund."),
    SignInRefused.PROVIDER_DENIED: _("Inloggningen avbröts eller nekades av inloggningstjänsten."),
    SignInRefused.UNKNOWN: _("Inloggningen kunde inte slutföras. Försök igen."),
}


@dataclasses.dataclass(frozen=True)
class ClaimMapping:
    subject: str
    organisation: Organisation
    unit: Unit | None
    roles: frozenset[str]


def _as_list(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value)


def claims_map(claims: dict) -> ClaimMapping:
    """Organisation, unit and roles from the claims, or SignInRefused. Pure read of the mapping table."""
    subject = str(claims.get(settings.OIDC_CLAIM_SUBJECT) or "").strip()
    org_code = str(claims.get(settings.OIDC_CLAIM_ORGANISATION) or "").strip()
    groups = _as_list(claims.get(settings.OIDC_CLAIM_GROUPS))
    context = {"subject": subject, "organisation": org_code, "groups": groups}
    if not subject:
        raise SignInRefused(SignInRefused.NO_SUBJECT, **context)
    organisation = Organisation.objects.filter(code=org_code).first() if org_code else None
    if organisation is None:
        raise SignInRefused(SignInRefused.NO_ORGANISATION, **context)
    mappings = list(GroupRoleMapping.objects.filter(organisation=organisation, group__in=groups).select_related("unit"))
    roles = frozenset(m.role for m in mappings)
    if not roles:
        raise SignInRefused(SignInRefused.NO_ROLE, **context)
    unit_code = str(claims.get(settings.OIDC_CLAIM_UNIT) or "").strip()
    if unit_code:
        unit = organisation.units.filter(code=unit_code, is_active=True).first()
    else:
        mapped_units = {m.unit for m in mappings if m.unit is not None}
        unit = mapped_units.pop() if len(mapped_units) == 1 else None
    # Everyone but the system administrator works in a unit: without one the access gate shows nothing.
    if unit is None and roles - {Role.SYSTEMADMINISTRATOR}:
        raise SignInRefused(SignInRefused.NO_UNIT, **context)
    return ClaimMapping(subject=subject, organisation=organisation, unit=unit, roles=roles)


def _free_username(base: str) -> str:
    base = (base or "sso")[:140]
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def sso_user_for_claims(*, claims: dict, issuer: str, create: bool) -> User:
    """The account for a sign-in through the identity provider, brought up to date with its claims.

    The provider is the source of truth for unit and roles: they are set again at every sign-in.
    Matched by subject only; with `create` an unknown subject gets a new account."""
    mapping = claims_map(claims)
    groups = _as_list(claims.get(settings.OIDC_CLAIM_GROUPS))
    context = {"subject": mapping.subject, "organisation": mapping.organisation.code, "groups": groups}
    identity = ExternalIdentity.objects.select_related("user").filter(subject=mapping.subject).first()
    if identity is not None:
        user = identity.user
        if user.organisation_id != mapping.organisation.pk:
            raise SignInRefused(SignInRefused.OTHER_ORGANISATION, **context)
        if not user.is_active:
            raise SignInRefused(SignInRefused.INACTIVE, **context)
    elif create:
        user = User(username=_free_username(str(claims.get("preferred_username") or mapping.subject)), organisation=mapping.organisation)
        user.set_unusable_password()  # signs in only through the provider
        user.save()
        identity = ExternalIdentity.objects.create(user=user, subject=mapping.subject, issuer=issuer)
    else:
        raise SignInRefused(SignInRefused.NO_ACCOUNT, **context)

    user.unit = mapping.unit
    user.first_name = str(claims.get("given_name") or user.first_name)[:150]
    user.last_name = str(claims.get("family_name") or user.last_name)[:150]
    user.email = str(claims.get("email") or user.email)[:254]
    user.is_staff = Role.SYSTEMADMINISTRATOR in mapping.roles
    user.save()
    role_names = {role.value for role in Role}
    user.groups.remove(*user.groups.filter(name__in=role_names - mapping.roles))
    user.groups.add(*[Group.objects.get_or_create(name=role)[0] for role in mapping.roles])
    identity.issuer = issuer
    identity.last_sign_in = timezone.now()
    identity.save(update_fields=["issuer", "last_sign_in"])
    return user

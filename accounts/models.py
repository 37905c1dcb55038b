"""Who signs in through the city's identity provider, and how its groups map to roles.

Case access still follows unit and role (cases/access.py); these models only decide
which unit and role a person gets when they sign in with single sign-on.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisation.models import Organisation, Role, Unit


class ExternalIdentity(models.Model):
    """The stable id the identity provider gives a person (subject or employee id).

    Accounts are matched by this id only, never by e-mail: an address can be reused
    or changed, the subject cannot."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identity", verbose_name=_("användare")
    )
    subject = models.CharField(
        _("identitet hos inloggningstjänsten"), max_length=255, unique=True,
        help_text=_("Stabilt id från inloggningstjänsten (t.ex. sub eller anställningsnummer), aldrig e-post."),
    )
    issuer = models.CharField(_("utfärdare"), max_length=300, blank=True)
    last_sign_in = models.DateTimeField(_("senaste inloggning"), null=True, blank=True)

    class Meta:
        verbose_name = _("extern identitet")
        verbose_name_plural = _("externa identiteter")

    def __str__(self):
        return self.subject


class GroupRoleMapping(models.Model):
    """A group in the identity provider's groups claim gives a role (and optionally a unit)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="group_role_mappings", verbose_name=_("organisation")
    )
    group = models.CharField(
        _("grupp hos inloggningstjänsten"), max_length=255,
        help_text=_("Värdet som det står i gruppanspråket, t.ex. AVH-Handlaggare."),
    )
    # Not hyresvard: a landlord's account is bound to its landlord by the system administrator, never by a group claim.
    role = models.CharField(_("roll"), max_length=40, choices=[(v, label) for v, label in Role.choices if v != Role.HYRESVARD])
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="group_role_mappings", verbose_name=_("enhet"),
        help_text=_("Används när inloggningstjänsten inte skickar någon enhet."),
    )

    class Meta:
        verbose_name = _("gruppkoppling")
        verbose_name_plural = _("gruppkopplingar (inloggning)")
        ordering = ["organisation", "group"]
        constraints = [models.UniqueConstraint(fields=["organisation", "group", "role"], name="group_role_mapping_unique")]

    def __str__(self):
        return f"{self.group} → {self.get_role_display()}"

"""Organisations (district administrations), their departments and units, and users.

One installation may serve several district administrations, each its own
authority under OSL: everything that holds case data points at one
Organisation, and nothing is ever listed across that boundary.
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    code = models.SlugField(_("kod"), max_length=60, unique=True)
    name = models.CharField(_("namn"), max_length=200)
    # The municipality's budget and debt advice, named in every letter to a household (issue 11).
    debt_advice_name = models.CharField(
        _("budget- och skuldrådgivning, namn"), max_length=200, blank=True, default="Budget- och skuldrådgivningen"
    )
    debt_advice_phone = models.CharField(_("budget- och skuldrådgivning, telefon"), max_length=40, blank=True)
    debt_advice_email = models.EmailField(_("budget- och skuldrådgivning, e-post"), blank=True)
    debt_advice_web = models.CharField(
        _("budget- och skuldrådgivning, webbadress"), max_length=200, blank=True, help_text=_("T.ex. stockholm.se/skuldradgivning.")
    )
    debt_advice_hours = models.CharField(
        _("budget- och skuldrådgivning, telefontider"), max_length=200, blank=True, help_text=_("T.ex. måndag–torsdag kl. 9–11.")
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Department(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="departments", verbose_name=_("organisation"))
    code = models.CharField(_("kod"), max_length=60, help_text=_("Stabil kod enligt codes.md, t.ex. IFO_VUXNA."))
    name = models.CharField(_("namn"), max_length=200)

    class Meta:
        verbose_name = _("avdelning")
        verbose_name_plural = _("avdelningar")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="department_code_unique_per_organisation")]

    def __str__(self):
        return self.name


class Unit(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="units", verbose_name=_("organisation"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="units", verbose_name=_("avdelning"))
    code = models.CharField(_("kod"), max_length=60, help_text=_("Stabil kod enligt codes.md, t.ex. HYRESRADGIVNING."))
    name = models.CharField(_("namn"), max_length=200)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("enhet")
        verbose_name_plural = _("enheter")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="unit_code_unique_per_organisation")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.department_id and self.organisation_id and self.department.organisation_id != self.organisation_id:
            raise ValidationError({"department": _("Avdelningen hör till en annan organisation.")})


class Role(models.TextChoices):
    """Roles are Django groups with these names."""

    HYRESRADGIVARE = "hyresradgivare", _("Hyresrådgivare")
    HANDLAGGARE = "handlaggare", _("Handläggare")
    BOSAM_ORDFORANDE = "bosam_ordforande", _("Ordförande i BOSAM")
    CHEF = "chef", _("Chef")
    SYSTEMADMINISTRATOR = "systemadministrator", _("Systemadministratör")
    # The steering group for housing matters (R8): the organisation's deviations and statistics, no case contents.
    STYRGRUPP = "styrgrupp", _("Styrgrupp för boendefrågor")
    # The city's central office: statistics summed over every organisation, aggregates only.
    STAD = "stad", _("Stadens centrala förvaltning")
    # Socialjouren (out of office hours): no cases of its own; takes emergency access to one case at a time
    # (cases.emergency_access, issue 15 §4).
    SOCIALJOUR = "socialjour", _("Socialjour")
    # A landlord's account (issue 14 §2), outside the authority: bound to one Landlord (User.landlord), it submits
    # notices in /hyresvard/ and sees its own submissions; never a case, never combined with another role.
    HYRESVARD = "hyresvard", _("Hyresvärd")


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("organisation")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("enhet"))
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    title = models.CharField(_("titel"), max_length=100, blank=True)
    # Only for the role hyresvard (issue 14 §2): the landlord whose notices this account submits. The role itself is a
    # group, so "a hyresvard has a landlord, and only a hyresvard" is checked by the admin's form (organisation/admin.py)
    # and the gate (submissions/access.py); the database holds what it can: a landlord's account has no unit.
    landlord = models.ForeignKey(
        "cases.Landlord", on_delete=models.PROTECT, null=True, blank=True, related_name="accounts", verbose_name=_("hyresvärd"),
        help_text=_("Bara för rollen hyresvärd: den hyresvärd kontot lämnar underrättelser för."),
    )

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(landlord__isnull=True) | models.Q(unit__isnull=True, is_staff=False, is_superuser=False),
                name="landlord_account_has_no_unit_nor_staff",
            ),
        ]

    def clean(self):
        super().clean()
        if self.unit_id and self.organisation_id and self.unit.organisation_id != self.organisation_id:
            raise ValidationError({"unit": _("Enheten hör till en annan organisation än användaren.")})
        if self.landlord_id:
            if self.unit_id or self.is_staff or self.is_superuser:
                raise ValidationError({"landlord": _("En hyresvärds konto har ingen enhet och är inte personal.")})
            if self.organisation_id and self.landlord.organisation_id != self.organisation_id:
                raise ValidationError({"landlord": _("Hyresvärden hör till en annan organisation än användaren.")})

    def save(self, *args, **kwargs):
        # A user's organisation follows their unit: one less way to cross the boundary.
        if self.unit_id and not self.organisation_id:
            self.organisation_id = self.unit.organisation_id
        if self.landlord_id and not self.organisation_id:
            self.organisation_id = self.landlord.organisation_id
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiScope(models.TextChoices):
    """What an API token may do. The strings are a contract (the command's --scope, docs/api.md)."""

    STAFF = "staff", _("Personal: hela API:t enligt användarens roller")
    NOTICES_SUBMIT = "notices:submit", _("Lämna underrättelser (hyresvärdens kanal; läser inga ärenden)")


class ApiToken(models.Model):
    """An API key of one user. Only a hash of the key is stored: it is shown once, when it is created
    (organisation/tokens.py), and can never be read back, not by a system administrator nor from a backup."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("användare"))
    name = models.CharField(_("namn"), max_length=100, help_text=_("Vad token används till, t.ex. integrationens namn."))
    key_hash = models.CharField(_("nyckelns kontrollsumma"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("början av nyckeln"), max_length=8, editable=False, help_text=_("Visas för att känna igen en token."))
    scopes = models.JSONField(_("behörigheter"), default=list)
    created = models.DateTimeField(_("skapad"), auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False, verbose_name=_("skapad av")
    )
    last_used = models.DateTimeField(_("senast använd"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API-token")
        verbose_name_plural = _("API-token")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def clean(self):
        super().clean()
        unknown = set(self.scopes or []) - set(ApiScope.values)
        if unknown or not self.scopes:
            raise ValidationError({"scopes": _("Välj minst en behörighet.")})

    def revoke(self) -> None:
        from django.utils import timezone

        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

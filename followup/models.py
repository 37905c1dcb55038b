"""The steering group's period report (R8, R9). Its figures are computed when it is shown; what a person writes
(the chair's remarks) is kept here and frozen once the report has been presented."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.models import Organisation


class PeriodKind(models.TextChoices):
    MONTH = "MONTH", _("Månad")
    QUARTER = "QUARTER", _("Kvartal")
    YEAR = "YEAR", _("År")
    CUSTOM = "CUSTOM", _("Valfria datum")


class PeriodReport(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="period_reports", verbose_name=_("organisation"))
    kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    period_start = models.DateField(_("från"))
    period_end = models.DateField(_("till"))
    chair_remarks = models.TextField(_("ordförandens kommentar"), blank=True)
    prepared_at = models.DateTimeField(_("förberedd"), default=timezone.now)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Set once when the members have been told the report is ready (the monthly beat task); never twice.
    notified_at = models.DateTimeField(_("aviserad"), null=True, blank=True)
    presented_at = models.DateTimeField(_("föredragen"), null=True, blank=True)
    presented_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("periodrapport")
        verbose_name_plural = _("periodrapporter")
        ordering = ["-period_start", "-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "period_start", "period_end"], name="one_period_report_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="period_report_dates_in_order"),
        ]

    def __str__(self):
        return f"{self.period_start}–{self.period_end}"

    @property
    def is_presented(self) -> bool:
        return self.presented_at is not None


class DailyAggregate(models.Model):
    """Counts per organisation, day, unit code and figure, without personal data, written by the nightly task.

    Only figures that add up over days are kept here (notices by type, sender, channel, landlord kind and debt band;
    outcomes; evictions; deviations). They survive the deletion of cases for retention."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"))
    day = models.DateField(_("dag"))
    unit_code = models.CharField(_("enhetskod"), max_length=60, blank=True)
    # The household's area (Household.area); blank when unknown or the household has a protected member.
    area = models.CharField(_("område"), max_length=100, blank=True, default="")
    metric = models.CharField(_("mått"), max_length=40)
    code = models.CharField(_("kod"), max_length=60)
    count = models.PositiveIntegerField(_("antal"))

    class Meta:
        verbose_name = _("dagsaggregat")
        verbose_name_plural = _("dagsaggregat")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day", "unit_code", "area", "metric", "code"], name="one_aggregate_per_day_area_and_code"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "day"])]

    def __str__(self):
        return f"{self.day} {self.unit_code} {self.metric}:{self.code}={self.count}"


class AggregatedDay(models.Model):
    """A day whose aggregates are written, per organisation. The nightly task keeps these contiguous."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"))
    day = models.DateField(_("dag"))
    computed_at = models.DateTimeField(_("beräknad"), default=timezone.now)

    class Meta:
        verbose_name = _("aggregerad dag")
        verbose_name_plural = _("aggregerade dagar")
        constraints = [models.UniqueConstraint(fields=["organisation", "day"], name="one_aggregated_day_per_organisation")]

    def __str__(self):
        return f"{self.organisation_id} {self.day}"


class HouseholdDay(models.Model):
    """A household that got a notice on a day, without personal data (issue 13: statistics survive retention).

    `household_key` is an opaque HMAC of the household's id (followup.aggregates.opaque_key): the same household
    gives the same key every day, so households and children are counted once per period, but the key names no
    one, and once the household is deleted nothing maps back to it. The members are counted as they were when the
    day was written; `known_since` is the first day the household, or one of its tenants, had a notice (repeat)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"))
    day = models.DateField(_("dag"))
    unit_code = models.CharField(_("enhetskod"), max_length=60, blank=True)
    area = models.CharField(_("område"), max_length=100, blank=True, default="")
    household_key = models.CharField(_("nyckel"), max_length=32)
    children = models.PositiveSmallIntegerField(_("barn"), default=0)
    children_living = models.PositiveSmallIntegerField(default=0)
    children_alternating = models.PositiveSmallIntegerField(default=0)
    children_visiting = models.PositiveSmallIntegerField(default=0)
    adults = models.PositiveSmallIntegerField(_("vuxna"), default=0)
    known_since = models.DateField(_("känt sedan"))

    class Meta:
        verbose_name = _("hushållsdag")
        verbose_name_plural = _("hushållsdagar")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day", "unit_code", "household_key"], name="one_household_day"),
            models.CheckConstraint(condition=Q(known_since__lte=F("day")), name="household_day_known_since_not_after_day"),
        ]
        indexes = [models.Index(fields=["organisation", "day"])]

    def __str__(self):
        return f"{self.day} {self.household_key[:8]}"


class CaseFact(models.Model):
    """What the first-contact figures need of one case, without personal data, keyed by an opaque id (issue 13).

    Written for a case when the day of its first notice is aggregated and rewritten every night while the case is
    open (contact comes later); it stays when the case is deleted for retention."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"))
    case_key = models.CharField(_("nyckel"), max_length=32)
    first_notice_day = models.DateField(_("första underrättelsen"))
    unit_code = models.CharField(_("enhetskod"), max_length=60, blank=True)
    area = models.CharField(_("område"), max_length=100, blank=True, default="")
    # Working days from the first notice to the first established contact; null without contact.
    contact_working_days = models.PositiveIntegerField(_("arbetsdagar till kontakt"), null=True, blank=True)
    has_recovery_deadline = models.BooleanField(default=False)
    contacted_before_deadline = models.BooleanField(default=False)
    visited_before_deadline = models.BooleanField(default=False)
    computed_at = models.DateTimeField(_("beräknad"), default=timezone.now)

    class Meta:
        verbose_name = _("ärendefakta")
        verbose_name_plural = _("ärendefakta")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "case_key"], name="one_case_fact_per_case"),
            models.CheckConstraint(
                condition=Q(contacted_before_deadline=False) | Q(has_recovery_deadline=True), name="case_fact_in_time_needs_deadline"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "first_notice_day"])]

    def __str__(self):
        return f"{self.first_notice_day} {self.case_key[:8]}"

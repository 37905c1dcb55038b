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
    metric = models.CharField(_("mått"), max_length=40)
    code = models.CharField(_("kod"), max_length=60)
    count = models.PositiveIntegerField(_("antal"))

    class Meta:
        verbose_name = _("dagsaggregat")
        verbose_name_plural = _("dagsaggregat")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day", "unit_code", "metric", "code"], name="one_aggregate_per_day_and_code"),
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

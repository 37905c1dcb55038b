from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    """The steering group's follow-up (R8, R9): the deviations register, statistics and the period report.

    Reads `cases` through its models and selectors, writes through services; `cases` never imports this app."""

    name = "followup"
    verbose_name = _("Uppföljning")

    def ready(self):
        from cases import hooks

        from .services import statistics_aggregate

        # Retention (gallring) deletes old cases: the statistics of past years must be in the aggregates first.
        hooks.register(before_retention=lambda today: statistics_aggregate(today=today))

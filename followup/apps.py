from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    """The steering group's follow-up (R8, R9): the deviations register, statistics and the period report.

    Reads `cases` through its models and selectors, writes through services; `cases` never imports this app."""

    name = "followup"
    verbose_name = _("Uppföljning")

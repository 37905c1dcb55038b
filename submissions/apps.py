from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Hyresvärdarnas e-tjänst")

    def ready(self):
        from cases import hooks

        from . import retention

        hooks.register(retention_sweep=retention.retention_sweep)

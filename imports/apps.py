from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("Import av underrättelser")

    def ready(self):
        # Retention (gallring) tells imports before it deletes cases; cases never imports this app.
        from cases import hooks

        from . import retention

        hooks.register(cases_deleting=retention.cases_deleting, retention_sweep=retention.retention_sweep)

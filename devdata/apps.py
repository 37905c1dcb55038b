from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevdataConfig(AppConfig):
    """No models: only management commands (generate_data, seed_demo, rundemo) and their helpers."""

    name = "devdata"
    verbose_name = _("Testdata och demo")

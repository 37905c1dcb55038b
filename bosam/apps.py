from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BosamConfig(AppConfig):
    name = "bosam"
    verbose_name = _("BOSAM")

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a periodic task ran on a worker: proves that beat and a worker both live."""

    name = models.CharField(_("namn"), max_length=40, primary_key=True)
    beat_at = models.DateTimeField(_("senast"))

    class Meta:
        verbose_name = _("livstecken")
        verbose_name_plural = _("livstecken")

    def __str__(self):
        return f"{self.name}: {self.beat_at:%Y-%m-%d %H:%M:%S}"

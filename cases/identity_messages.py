"""The Swedish texts of the codes `rules.identity` raises, marked for translation (identity.py is Django-free).

The intake form and the API say the same thing about the same mistake."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

IDENTITY_MESSAGES = {
    "format": _("Personnumret ska ha 10 eller 12 siffror."),
    "date": _("Ogiltigt datum i personnumret."),
    "checksum": _("Kontrollsiffran stämmer inte."),
    "org_format": _("Organisationsnumret ska ha 10 siffror."),
    "plus_on_12": _("Plustecken används bara i den tiosiffriga formen (ÅÅMMDD+NNNN)."),
    "implausible_year": _("Födelseåret i personnumret är inte rimligt."),
}

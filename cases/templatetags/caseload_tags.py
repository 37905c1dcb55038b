"""Presentation of who works what: the earliest legal date of a list row (issue 12 item 2)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cases.rules.caseload import EVICTION_DATE, RECOVERY_DEADLINE, REPLY_DEADLINE, LegalDate

from .case_tags import deadline

register = template.Library()

LEGAL_DATE_LABELS = {
    RECOVERY_DEADLINE: _("Återvinningsfrist"),
    REPLY_DEADLINE: _("Svarsfrist till Kronofogden"),
    EVICTION_DATE: _("Avhysning"),
}


@register.simple_tag
def legal_date(value: LegalDate | None, today: dt.date | None = None):
    """'Återvinningsfrist 2026-12-11 (om 5 dagar)': the kind in words, never its code."""
    if value is None:
        return format_html('<span class="text-body-secondary">{}</span>', _("inget"))
    return format_html('<span class="d-block small">{}</span>{}', LEGAL_DATE_LABELS[value.kind], deadline(value.date, today))

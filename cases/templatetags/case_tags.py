"""Presentation helpers for case lists and the case page: days left, badges, masked numbers.

Badges always carry text (never colour alone, WCAG 1.4.1).
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.amounts import format_kronor
from cases.models import household_designation
from cases.protection import designation_for, household_has_protected_member, is_responsible_unit
from cases.rules.identity import format_personal_identity_number, mask_personal_identity_number

register = template.Library()

PAGES_AROUND = 3  # the pagination links: the page and three on each side


@register.filter
def nearby_pages(page) -> range:
    """The page numbers the pagination links to: the page and PAGES_AROUND on each side. Not a loop over every page
    (the audit log's 160,000 pages at city scale)."""
    return range(max(1, page.number - PAGES_AROUND), min(page.paginator.num_pages, page.number + PAGES_AROUND) + 1)


@register.filter
def kronor(amount) -> str:
    """An amount in the one Swedish format: {{ case.debt_amount|kronor }} -> '24 600 kr' (cases/amounts.py)."""
    return format_kronor(amount)


# Stands for "no date" in the list's sort annotation (see workspace_selectors._NO_DATE).
_NO_DATE = dt.date(9999, 12, 31)


@register.filter
def days_left(value: dt.date | None, today: dt.date | None = None) -> int | None:
    if not value or value == _NO_DATE:
        return None
    return (value - (today or timezone.localdate())).days


@register.simple_tag
def deadline(value: dt.date | None, today: dt.date | None = None):
    """'2026-12-11 (om 5 dagar)'; passed dates say how long ago, in words."""
    days = days_left(value, today)
    if days is None:
        return format_html('<span class="text-body-secondary">{}</span>', _("ingen frist"))
    when = date_format(value, "Y-m-d")
    if days == 0:
        text, css = _("i dag"), "fw-bold text-danger-emphasis"
    elif days > 0:
        text, css = ngettext("om %(n)d dag", "om %(n)d dagar", days) % {"n": days}, "fw-bold" if days <= 7 else ""
    else:
        text, css = ngettext("%(n)d dag sedan", "%(n)d dagar sedan", -days) % {"n": -days}, "fw-bold text-danger-emphasis"
    return format_html('<time datetime="{}">{}</time> <span class="{}">({})</span>', value.isoformat(), when, css, text)


@register.simple_tag
def children_badge(count: int):
    if not count:
        return ""
    label = ngettext("%(n)d barn", "%(n)d barn", count) % {"n": count}
    return format_html('<span class="badge badge-children">{}</span>', label)


@register.simple_tag
def urgent_badge(urgent: bool):
    return format_html('<span class="badge badge-urgent">{}</span>', _("Brådskande")) if urgent else ""


@register.simple_tag
def overdue_badge(overdue: bool):
    return format_html('<span class="badge text-bg-warning">{}</span>', _("Försenad")) if overdue else ""


@register.simple_tag
def protected_badge(members):
    if household_has_protected_member(members):
        return format_html('<span class="badge text-bg-dark">{}</span>', _("Skyddade personuppgifter"))
    return ""


@register.filter
def has_protected_member(members) -> bool:
    return household_has_protected_member(members)


@register.simple_tag
def match_designation(match, user) -> str:
    """A household found by the intake search: the same rule as the lists (the open case's lead unit sees the name)."""
    case = match.open_case
    reveal = case is not None and is_responsible_unit(user, case)
    return designation_for(match.household.members.all(), reveal=reveal)


@register.simple_tag
def list_designation(case, user) -> str:
    """The household in a list: outside the responsible unit a protected household is
    "skyddad identitet" (the case number is in its own column); uses the prefetched members."""
    return designation_for(case.household.members.all(), reveal=is_responsible_unit(user, case))


@register.filter
def designation(household) -> str:
    """Surname and initials; uses the prefetched members (no query per row)."""
    return household_designation(household.members.all())


@register.filter
def masked_pin(value: str) -> str:
    return mask_personal_identity_number(value) if value else ""


@register.filter
def full_pin(value: str) -> str:
    return format_personal_identity_number(value) if value else ""


@register.filter
def age_on(person, on_date):
    return person.age_on(on_date)


@register.filter
def code_labels(text: str, unit_names=None) -> str:
    """Stored technical text with its codes replaced by labels (the log review shows no raw codes)."""
    from cases.explanations import code_labels as replace

    return replace(text, unit_names or {})

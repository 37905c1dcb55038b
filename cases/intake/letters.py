"""The letter to the household (R2a, R3a) as PDF, rendered with WeasyPrint.

Pure of the request: `render_letter_pdf(task, user)` can run in a view, a Celery
task or a test. The letter is always Swedish, whatever the user's language.
A household with a member with protected identity gets no address printed at all:
such letters go through Skatteverket's forwarding (the envelope is addressed there).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..models import MemberRole, NoticeType, Task, TaskKind
from ..services import plan_config_for

LETTER_CSS = "css/letter.css"


@dataclass
class LetterContact:
    """Who the household should contact: the advisor who prints the letter, or their unit."""

    unit_name: str
    person_name: str = ""
    title: str = ""
    phone: str = ""
    email: str = ""


def format_amount(amount: Decimal | None) -> str:
    """18450 -> '18 450,00 kr' (Swedish grouping and decimal comma)."""
    if amount is None:
        return ""
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",") + " kr"


def format_postal_code(code: str) -> str:
    digits = code.replace(" ", "")
    return f"{digits[:3]} {digits[3:]}" if len(digits) == 5 else code


def letter_contact(task: Task, user) -> LetterContact:
    """The printing user's own details if they work at the tenancy advice unit, else the unit's."""
    advisor_code = plan_config_for(task.case.organisation).tenancy_advisor_unit
    unit = task.unit
    user_unit = getattr(user, "unit", None)
    if user_unit is not None and user_unit.code == advisor_code and user_unit.organisation_id == task.case.organisation_id:
        return LetterContact(
            unit_name=user_unit.name,
            person_name=user.get_full_name() or user.username,
            title=user.title,
            phone=user.phone or user_unit.phone,
            email=user.email or user_unit.email,
        )
    return LetterContact(unit_name=unit.name, phone=unit.phone, email=unit.email)


def letter_context(task: Task, user, *, today: dt.date | None = None) -> dict:
    case = task.case
    household = case.household
    members = list(household.members.all())
    protected = any(m.protected_identity for m in members)
    recipients = [m for m in members if m.role in (MemberRole.TENANT, MemberRole.CO_TENANT)] or [
        m for m in members if m.role != MemberRole.CHILD
    ]
    notices = list(case.notices.select_related("landlord").order_by("received_date", "id"))
    terminations = [n for n in notices if n.notice_type == NoticeType.RENT_ARREARS_TERMINATION]
    latest = notices[-1] if notices else None
    termination = terminations[-1] if terminations else None
    landlord = next((n.landlord for n in reversed(notices) if n.landlord_id), None)
    address_lines: list[str] = []
    if not protected:
        street = household.street_address
        if household.apartment_number:
            street = f"{street}, lgh {household.apartment_number}"
        address_lines = [line for line in (street, f"{format_postal_code(household.postal_code)} {household.city}".strip()) if line]
    return {
        "case": case,
        "task": task,
        "organisation": case.organisation,
        "recipients": recipients,
        "protected": protected,
        "address_lines": address_lines,
        "contact": letter_contact(task, user),
        "latest_notice": latest,
        "termination": termination,
        "landlord": landlord,
        "recovery_deadline": case.recovery_deadline,
        "recovery_amount": format_amount(termination.recovery_amount if termination else None),
        "rent_arrears": termination is not None,
        "eviction_date": case.eviction_date,
        "today": today or timezone.localdate(),
    }


def _stylesheet():
    from weasyprint import CSS

    path = finders.find(LETTER_CSS) or str(Path(settings.BASE_DIR) / "static" / LETTER_CSS)
    return CSS(filename=path)


def render_letter_pdf(task: Task, user, *, today: dt.date | None = None) -> bytes:
    """The letter for a SEND_LETTER task as PDF bytes (A4, Swedish)."""
    # Imported here: WeasyPrint loads Pango at import, which nothing else needs.
    from weasyprint import HTML

    if task.kind != TaskKind.SEND_LETTER:
        raise ValueError("Only SEND_LETTER tasks have a letter.")
    with translation.override("sv"):
        html = render_to_string("cases/letter.html", letter_context(task, user, today=today))
    # No base_url and no external resources: the letter must render offline, and nothing is fetched.
    return HTML(string=html).write_pdf(stylesheets=[_stylesheet()])

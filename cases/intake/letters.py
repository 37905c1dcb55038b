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
from django.utils.translation import gettext_lazy

from ..amounts import format_kronor
from ..models import MemberRole, Notice, NoticeGround, NoticeType, Task, TaskKind
from ..protection import household_has_protected_member
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
    """18450 -> '18 450 kr': the one Swedish format (cases/amounts.py)."""
    return format_kronor(amount)


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


# How the letter names what the notice is about; a cancellation is never a subject (it creates no letter).
LETTER_SUBJECTS = {
    NoticeType.RENT_ARREARS_TERMINATION: gettext_lazy("uppsägning av ditt hyresavtal på grund av obetald hyra"),
    NoticeType.DISTURBANCE_WARNING: gettext_lazy("en tillsägelse (rättelseanmaning) på grund av störningar"),
    NoticeType.DISTURBANCE_TERMINATION: gettext_lazy("uppsägning av ditt hyresavtal på grund av störningar"),
    NoticeType.OTHER_TERMINATION: gettext_lazy("uppsägning av ditt hyresavtal"),
    NoticeType.EVICTION_APPLICATION: gettext_lazy("en ansökan om avhysning hos Kronofogden"),
    NoticeType.EVICTION_DATE: gettext_lazy("den dag då Kronofogden ska genomföra avhysningen"),
}

# The Kronofogden's public phone number, printed in the eviction-date letter.
KRONOFOGDEN_PHONE = "0771-73 73 00"


def current_eviction_notice(notices: list[Notice]) -> Notice | None:
    """The latest EVICTION_DATE notice not followed by an EVICTION_CANCELLED (a postponement is a
    cancellation followed by a new date). `notices` in the order they were received."""
    current = None
    for notice in notices:
        if notice.notice_type == NoticeType.EVICTION_DATE:
            current = notice
        elif notice.notice_type == NoticeType.EVICTION_CANCELLED:
            current = None
    return current


def _subject_notice(notices: list[Notice], eviction: Notice | None) -> Notice | None:
    """What the letter is about: the live eviction date, else the latest notice that is neither a
    cancellation nor a cancelled eviction date."""
    if eviction is not None:
        return eviction
    candidates = [n for n in notices if n.notice_type not in (NoticeType.EVICTION_DATE, NoticeType.EVICTION_CANCELLED)]
    return candidates[-1] if candidates else None


def _is_rent_arrears(notice: Notice) -> bool:
    return notice.notice_type == NoticeType.RENT_ARREARS_TERMINATION or (
        notice.notice_type == NoticeType.EVICTION_APPLICATION and notice.ground == NoticeGround.RENT_ARREARS
    )


def letter_context(task: Task, user, *, today: dt.date | None = None) -> dict:
    """Everything the letter says. `today` is the day the letter is printed or frozen: every
    deadline is worded against it, so a passed date is never printed as an instruction."""
    today = today or timezone.localdate()
    case = task.case
    household = case.household
    members = list(household.members.all())
    protected = household_has_protected_member(members)
    recipients = [m for m in members if m.role in (MemberRole.TENANT, MemberRole.CO_TENANT)] or [
        m for m in members if m.role != MemberRole.CHILD
    ]
    notices = list(case.notices.select_related("landlord").order_by("received_date", "id"))
    eviction = current_eviction_notice(notices)
    subject = _subject_notice(notices, eviction)
    arrears_notices = [n for n in notices if _is_rent_arrears(n)]
    termination = arrears_notices[-1] if arrears_notices else None
    amount_notice = next((n for n in reversed(arrears_notices) if n.recovery_amount is not None), None)
    landlord = next((n.landlord for n in reversed(notices) if n.landlord_id), None)
    address_lines: list[str] = []
    if not protected:
        street = household.street_address
        if household.apartment_number:
            street = f"{street}, lgh {household.apartment_number}"
        address_lines = [line for line in (street, f"{format_postal_code(household.postal_code)} {household.city}".strip()) if line]
    deadline = case.recovery_deadline if termination is not None else None
    # Where Kronofogden comes: the notice's place, else the home. Never printed for a protected household.
    eviction_place = ""
    if eviction is not None and not protected:
        eviction_place = eviction.eviction_place or ", ".join(address_lines)
    eviction_date = eviction.eviction_date if eviction is not None else None
    return {
        "case": case,
        "task": task,
        "organisation": case.organisation,
        "recipients": recipients,
        "protected": protected,
        "address_lines": address_lines,
        "contact": letter_contact(task, user),
        "subject": LETTER_SUBJECTS.get(subject.notice_type) if subject else None,
        "sender_kind": subject.sender_kind if subject else "",
        "landlord": landlord,
        "termination": termination,
        "rent_arrears": termination is not None,
        "recovery_deadline": deadline,
        "deadline_passed": deadline is not None and deadline < today,
        "deadline_is_today": deadline == today,
        "recovery_amount": format_amount(amount_notice.recovery_amount if amount_notice else None),
        "eviction_letter": eviction is not None,
        "eviction_date": eviction_date,
        "eviction_time": eviction.eviction_time if eviction is not None else None,
        "eviction_place": eviction_place,
        "eviction_passed": eviction_date is not None and eviction_date < today,
        "kronofogden_reference": eviction.kronofogden_reference if eviction is not None else "",
        "kronofogden_phone": KRONOFOGDEN_PHONE,
        "today": today,
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

"""The letter to the household (R2a, R3a) as PDF, rendered with WeasyPrint.

Pure of the request: `render_letter_pdf(task, user)` can run in a view, a Celery
task or a test. The letter is written in the household's preferred language when the organisation
(or the shipped defaults) has an APPROVED template in it, else in Swedish, whatever the user's language
(issue 14 §3). A letter in another language than Swedish carries the whole Swedish letter after it, on a
page of its own: that text is the one that applies.
A household with a member with protected identity gets no address printed at all:
such letters go through Skatteverket's forwarding (the envelope is addressed there).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.contrib.staticfiles import finders
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext, gettext_lazy

from .. import letter_texts
from ..amounts import format_kronor
from ..models import (
    LetterKind,
    LetterLanguage,
    LetterTemplate,
    LetterTemplateStatus,
    MemberRole,
    Notice,
    NoticeGround,
    NoticeType,
    Task,
    TaskKind,
    TextDirection,
)
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
        "subject_type": subject.notice_type if subject else "",
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
        "preferred_language": household.preferred_language,
    }


@dataclass
class LetterLanguageChoice:
    """Which texts a letter is written with: the household's language when an APPROVED template exists in it,
    else Swedish (`requested` says what was asked for, so the case page can say that Swedish was used instead)."""

    language: str
    requested: str
    texts: dict[str, str]
    direction: str
    swedish: dict[str, str]  # for the authoritative Swedish page (the same texts when the letter is Swedish)

    @property
    def translated(self) -> bool:
        return self.language != letter_texts.SWEDISH

    @property
    def fell_back(self) -> bool:
        return bool(self.requested) and self.requested != self.language


def approved_template(organisation, language: str, kind: str = LetterKind.HOUSEHOLD) -> LetterTemplate | None:
    """The organisation's own APPROVED template in `language`, else the shipped default's; never a draft."""
    return (
        LetterTemplate.objects.filter(kind=kind, language=language, status=LetterTemplateStatus.APPROVED)
        .filter(Q(organisation=organisation) | Q(organisation__isnull=True))
        .order_by(F("organisation_id").asc(nulls_last=True))
        .first()
    )


def letter_language(organisation, preferred: str) -> LetterLanguageChoice:
    swedish_template = approved_template(organisation, letter_texts.SWEDISH)
    # The last fallback: the shipped Swedish texts, so a letter can always be printed.
    swedish = swedish_template.texts if swedish_template else letter_texts.SWEDISH_TEXTS
    if preferred and preferred != letter_texts.SWEDISH:
        template = approved_template(organisation, preferred)
        if template is not None:
            return LetterLanguageChoice(preferred, preferred, template.texts, template.text_direction, swedish)
    return LetterLanguageChoice(letter_texts.SWEDISH, preferred, swedish, TextDirection.LTR, swedish)


def _locale(language: str) -> str | None:
    """The Django locale whose month names the letter's dates use (None: no month names in that language)."""
    base = language.split("-")[0]
    return base if base in LANG_INFO else None


def _format_date(value: dt.date | None, language: str) -> str:
    if value is None:
        return ""
    locale = _locale(language)
    if locale is None:
        return value.isoformat()  # unambiguous where Django has no month names (so, ti, …)
    with translation.override(locale):
        return date_format(value, "j F Y")


def _format_time(value: dt.time | None, language: str) -> str:
    if value is None:
        return ""
    return value.strftime("%H.%M" if language.startswith("sv") else "%H:%M")


def letter_values(facts: dict, texts: dict[str, str], language: str) -> dict[str, str]:
    """The placeholders' values in `language`: dates with that language's month names, the subject in its words."""
    organisation = facts["organisation"]
    # How the letter names what the notice is about; a cancellation is never a subject (it creates no letter).
    subject = letter_texts.plain(texts.get(f"subject_{facts['subject_type']}", "")) if facts["subject_type"] else ""
    return {
        "landlord": facts["landlord"].name if facts["landlord"] else "",
        "subject": subject,
        "date": _format_date(facts["eviction_date"], language),
        "time": _format_time(facts["eviction_time"], language),
        "place": facts["eviction_place"],
        "amount": facts["recovery_amount"],
        "deadline": _format_date(facts["recovery_deadline"], language),
        "phone": facts["kronofogden_phone"],
        "reference": facts["kronofogden_reference"],
        "name": organisation.debt_advice_name or texts.get("debt_advice_default_name", ""),
        "number": facts["case"].number,
    }


def _version(facts: dict, texts: dict[str, str], language: str, direction: str, *, note: bool = False) -> dict:
    """One language's letter: its texts filled in, its date, its `lang` and `dir`; `note`: the line saying the
    Swedish page applies."""
    values = letter_values(facts, texts, language)
    return {
        "t": letter_texts.fill_all(texts, values, isolate=direction == TextDirection.RTL),
        "note": note,
        "lang": language.split("-")[0],
        "dir": direction,
        "today_text": _format_date(facts["today"], language),
        # In the right-to-left header line the case number keeps its order ("2026-0001", not "0001-2026").
        "case_number": letter_texts.fill("{number}", values, isolate=direction == TextDirection.RTL),
    }


def letter_document(facts: dict, choice: LetterLanguageChoice) -> dict:
    """The template context: the letter in its language and, for a translation, the Swedish version after it."""
    first = _version(facts, choice.texts, choice.language, choice.direction, note=choice.translated)
    swedish = _version(facts, choice.swedish, letter_texts.SWEDISH, TextDirection.LTR) if choice.translated else None
    return {**facts, "letter": first, "swedish_letter": swedish, "translated": choice.translated,
            "swedish_version_heading": letter_texts.SWEDISH_VERSION_HEADING}


def _stylesheet():
    from weasyprint import CSS

    path = finders.find(LETTER_CSS) or str(Path(settings.BASE_DIR) / "static" / LETTER_CSS)
    return CSS(filename=path)


@dataclass
class RenderedLetter:
    pdf: bytes
    language: str
    requested_language: str


def render_letter(task: Task, user, *, today: dt.date | None = None) -> RenderedLetter:
    """The letter for a SEND_LETTER task as PDF, and the language it was written in."""
    if task.kind != TaskKind.SEND_LETTER:
        raise ValueError("Only SEND_LETTER tasks have a letter.")
    facts = letter_context(task, user, today=today)
    choice = letter_language(task.case.organisation, facts["preferred_language"])
    return RenderedLetter(render_document_pdf(letter_document(facts, choice)), choice.language, choice.requested)


def render_document_pdf(context: dict) -> bytes:
    """The letter's HTML (templates/cases/letter.html) as A4 PDF."""
    # Imported here: WeasyPrint loads Pango at import, which nothing else needs.
    from weasyprint import HTML

    def rendered(compact: bool):
        # The layout's few fixed words (none today) are Swedish; every text of the letter comes from its template.
        with translation.override("sv"):
            html = render_to_string("cases/letter.html", {**context, "compact": compact})
        # No base_url and no external resources: the letter must render offline, and nothing is fetched.
        return HTML(string=html).render(stylesheets=[_stylesheet()])

    document = rendered(compact=False)
    # A translation says the Swedish text is on the next page: when the translation does not fit its page, the
    # letter is set a step smaller so that it does (issue 14 §3).
    if context.get("translated") and len(document.pages) > 2:
        document = rendered(compact=True)
    return document.write_pdf()


def render_letter_pdf(task: Task, user, *, today: dt.date | None = None) -> bytes:
    """The letter for a SEND_LETTER task as PDF bytes (A4)."""
    return render_letter(task, user, today=today).pdf


def language_label(code: str) -> str:
    return str(LetterLanguage(code).label) if code in LetterLanguage.values else code


def letter_language_note(organisation, preferred: str) -> str:
    """For the case page: the language the next letter is written in, and why Swedish when it is not the household's."""
    choice = letter_language(organisation, preferred)
    if choice.fell_back:
        return gettext(
            "Hushållets språk är %(language)s, men det finns ingen godkänd brevmall på det språket: brevet skrivs på svenska."
        ) % {"language": language_label(choice.requested)}
    if choice.translated:
        return gettext("Brevet skrivs på %(language)s (hushållets språk), med den gällande svenska texten på en egen sida.") % {
            "language": language_label(choice.language)}
    return gettext("Brevet skrivs på svenska.")


# --- the admin's preview (issue 14 §3): example data only, never a real case -----------------------------

PREVIEW_SCENARIOS = {
    "arrears": gettext_lazy("Uppsägning för obetald hyra, frist om tio dagar"),
    "passed": gettext_lazy("Uppsägning för obetald hyra, fristen har passerat"),
    "eviction": gettext_lazy("Kronofogden har bestämt dag för avhysning"),
    "protected": gettext_lazy("Skyddade personuppgifter (ingen adress)"),
}


def example_facts(organisation, scenario: str, *, today: dt.date | None = None) -> dict:
    """A made-up household (test personnummer series, an example address) in the shape of letter_context."""
    from types import SimpleNamespace

    today = today or timezone.localdate()
    eviction = scenario == "eviction"
    arrears = scenario in ("arrears", "passed", "protected")
    deadline = today + dt.timedelta(days=-5 if scenario == "passed" else 10)
    protected = scenario == "protected"
    address = [] if protected else ["Exempelgatan 1, lgh 1001", "123 45 Exempelstad"]
    org = organisation or SimpleNamespace(name="Exempelstadsdelsförvaltningen", debt_advice_name="", debt_advice_phone="",
                                          debt_advice_email="", debt_advice_web="", debt_advice_hours="")
    return {
        "case": SimpleNamespace(number=f"{today.year}-0000"),
        "organisation": org,
        "recipients": [SimpleNamespace(name="Test Testsson", personal_identity_number="198001019802")],
        "protected": protected,
        "address_lines": address,
        "contact": LetterContact(unit_name="Hyresrådgivningen", person_name="Hanna Exempel", title="hyresrådgivare",
                                 phone="08-000 00 00", email="hyresradgivning@example.se"),
        "subject_type": NoticeType.EVICTION_DATE if eviction else NoticeType.RENT_ARREARS_TERMINATION,
        "sender_kind": "KRONOFOGDEN" if eviction else "LANDLORD",
        "landlord": SimpleNamespace(name="Exempelbostäder AB"),
        "termination": None,
        "rent_arrears": arrears,
        "recovery_deadline": deadline if arrears else None,
        "deadline_passed": arrears and deadline < today,
        "deadline_is_today": False,
        "recovery_amount": format_amount(Decimal("18450")) if arrears else "",
        "eviction_letter": eviction,
        "eviction_date": today + dt.timedelta(days=14) if eviction else None,
        "eviction_time": dt.time(9, 30) if eviction else None,
        "eviction_place": "Exempelgatan 1, lgh 1001" if eviction else "",
        "eviction_passed": False,
        "kronofogden_reference": "12-345678-26" if eviction else "",
        "kronofogden_phone": KRONOFOGDEN_PHONE,
        "today": today,
        "preferred_language": "",
    }


def render_preview_pdf(*, organisation, language: str, texts: dict[str, str], direction: str, scenario: str = "arrears") -> bytes:
    """The template's texts as a letter to a made-up household, with the approved Swedish text after it."""
    facts = example_facts(organisation, scenario if scenario in PREVIEW_SCENARIOS else "arrears")
    swedish = letter_language(organisation, letter_texts.SWEDISH).swedish
    if language == letter_texts.SWEDISH:
        swedish = texts
    choice = LetterLanguageChoice(language, language, texts, direction, swedish)
    return render_document_pdf(letter_document(facts, choice))

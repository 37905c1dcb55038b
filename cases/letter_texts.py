"""The texts of the letter to the household, per language (issue 14 §3), and how they are filled in safely.

A letter template (cases.models.LetterTemplate) is a set of texts, one per key below; the *layout* — which
text appears when (a passed deadline, an eviction date, a protected address) — stays in reviewed code
(templates/cases/_letter_body.html and cases/intake/letters.py). So a translator or the system administrator
edits words only, never the rules of the letter.

Placeholders are `{name}`, from a fixed list per key (`{deadline}`, `{amount}`, …). No Django template
syntax from the admin: a template tag typed into a text would run with the letter's context, so admin input
is never compiled. A text is parsed with `string.Formatter().parse`; only bare names from the key's list are
accepted (no `{x.attr}`, `{x[0]}`, `{x!r}`, `{x:fmt}`), literal text and values are HTML-escaped. `{{` and `}}`
are literal braces.

The shipped texts (SHIPPED) are data: the data migration creates the APPROVED Swedish and English default
templates from them, and the Swedish texts are the last fallback when an organisation has no approved
Swedish template, so a letter can always be printed. Imported by a migration: keep it free of model imports.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SWEDISH = "sv"
EASY_SWEDISH = "sv-easy"
# Written right to left (the suggested direction of a new template; the template's own field decides).
RTL_LANGUAGES = frozenset({"ar", "fa", "prs", "ckb", "yi"})


@dataclass(frozen=True)
class TextKey:
    key: str
    label: str  # Swedish, for the admin form: where the text appears
    placeholders: tuple[str, ...] = ()
    # Only a letter in another language than standard Swedish prints it (the line about the Swedish page).
    translation_only: bool = False


TEXT_KEYS: tuple[TextKey, ...] = (
    TextKey("title", "Dokumentets titel (syns inte i utskriften)"),
    TextKey("authoritative_note", "Rad på sida 1: den svenska texten på nästa sida är den som gäller", translation_only=True),
    TextKey("date_label", "Rubrik: Datum"),
    TextKey("case_label", "Rubrik: Vårt ärende"),
    TextKey("recipient_label", "Mottagare (för skärmläsare)"),
    TextKey("forwarding", "Skyddade personuppgifter: skickas via Skatteverket"),
    TextKey("heading_eviction", "Rubrik, brev om avhysningsdag"),
    TextKey("heading_help", "Rubrik, övriga brev"),
    TextKey("from_kronofogden", "Meddelandet kommer från Kronofogden"),
    TextKey("from_rent_tribunal", "Meddelandet kommer från hyresnämnden"),
    TextKey("from_landlord", "Meddelandet kommer från hyresvärden", ("landlord",)),
    TextKey("from_unknown", "Avsändaren är okänd"),
    TextKey("subject_sentence", "Vad meddelandet gäller", ("subject",)),
    TextKey("subject_RENT_ARREARS_TERMINATION", "Ämne: uppsägning på grund av obetald hyra"),
    TextKey("subject_DISTURBANCE_WARNING", "Ämne: tillsägelse (rättelseanmaning) på grund av störningar"),
    TextKey("subject_DISTURBANCE_TERMINATION", "Ämne: uppsägning på grund av störningar"),
    TextKey("subject_OTHER_TERMINATION", "Ämne: uppsägning av annat skäl"),
    TextKey("subject_EVICTION_APPLICATION", "Ämne: ansökan om avhysning hos Kronofogden"),
    TextKey("subject_EVICTION_DATE", "Ämne: dagen för avhysningen"),
    TextKey("voluntary", "Varför vi skriver; kontakten är frivillig"),
    TextKey("eviction_heading", "Rubrik: dag och tid för avhysningen"),
    TextKey("eviction_passed", "Avhysningsdagen har passerat", ("date",)),
    TextKey("eviction_with_time", "Avhysningens dag och tid", ("date", "time")),
    TextKey("eviction_without_time", "Avhysningens dag, tiden okänd", ("date",)),
    TextKey("eviction_place", "Var Kronofogden kommer", ("place",)),
    TextKey("eviction_meaning", "Vad avhysningen betyder"),
    TextKey("deadline_heading", "Rubrik: sista dagen att betala"),
    TextKey("deadline_unknown", "Fristen är ännu okänd"),
    TextKey("deadline_unknown_amount", "Fristen okänd: beloppet", ("amount",)),
    TextKey("deadline_passed", "Fristen har passerat", ("deadline",)),
    TextKey("deadline_passed_contact", "Fristen har passerat: kontakta oss (fetstil)"),
    TextKey("deadline_passed_exception", "Fristen har passerat: undantaget i JB 12:44"),
    TextKey("deadline_passed_agreement", "Fristen har passerat: överenskommelse med hyresvärden"),
    TextKey("deadline_with_amount", "Fristen och beloppet", ("amount", "deadline")),
    TextKey("deadline_without_amount", "Fristen, beloppet okänt", ("deadline",)),
    TextKey("deadline_today", "Fristen är i dag (fetstil)"),
    TextKey("recovery_explained", "Att återvinna hyresrätten"),
    TextKey("rent_meanwhile", "Hyra som förfaller under tiden"),
    TextKey("eviction_todo_heading", "Rubrik: det här kan du fortfarande göra (avhysning)"),
    TextKey("eviction_todo_contact", "Avhysning: kontakta oss i dag"),
    TextKey("eviction_todo_withdraw", "Avhysning: hyresvärden kan återkalla"),
    TextKey("todo_apply_assistance", "Ansök om ekonomiskt bistånd"),
    TextKey("eviction_todo_housing", "Avhysning: var du ska bo"),
    TextKey("eviction_todo_belongings", "Avhysning: saker som blir kvar"),
    TextKey("eviction_todo_kronofogden", "Avhysning: Kronofogdens telefon", ("phone",)),
    TextKey("eviction_todo_reference", "Avhysning: Kronofogdens målnummer", ("reference",)),
    TextKey("todo_heading", "Rubrik: det här kan du göra nu"),
    TextKey("todo_contact", "Kontakta mig"),
    TextKey("todo_pay", "Betala före fristen"),
    TextKey("todo_agreement", "Avbetalningsplan med hyresvärden"),
    TextKey("todo_bring", "Ta med brevet och hyresavierna"),
    TextKey("debt_heading", "Rubrik: hjälp med budget och skulder"),
    TextKey("debt_advice_default_name", "Budget- och skuldrådgivningens namn, om organisationen inte angett något"),
    TextKey("debt_advice", "Budget- och skuldrådgivningen", ("name",)),
    TextKey("label_phone", "Rubrik: Telefon"),
    TextKey("label_email", "Rubrik: E-post"),
    TextKey("label_web", "Rubrik: Webb"),
    TextKey("contact_heading", "Rubrik: Kontakta mig"),
    TextKey("label_name", "Rubrik: Namn"),
    TextKey("label_unit", "Rubrik: Enhet"),
    TextKey("case_reference", "Ange ärendenumret", ("number",)),
    TextKey("regards", "Hälsningsfras"),
)
KEYS = {k.key: k for k in TEXT_KEYS}


def _parse(text: str):
    try:
        return list(string.Formatter().parse(text))
    except ValueError as exc:  # a lone "{" or "}"
        raise PlaceholderError(f"{exc}") from exc


class PlaceholderError(ValueError):
    pass


def placeholder_problems(key: str, text: str) -> list[str]:
    """What is wrong with the placeholders of `text` for `key` (empty when nothing)."""
    allowed = KEYS[key].placeholders
    try:
        parts = _parse(text)
    except PlaceholderError:
        return ["Ojämna klammerparenteser: skriv {{ och }} för en klammer i texten."]
    problems = []
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if spec or conversion or field not in allowed:
            problems.append(f"Okänd platshållare {{{field}}}.")
    return problems


def text_problems(texts: dict[str, str], *, translation: bool) -> dict[str, list[str]]:
    """Every text must be there (a letter never mixes languages) with only its own placeholders."""
    problems: dict[str, list[str]] = {}
    for spec in TEXT_KEYS:
        value = (texts.get(spec.key) or "").strip()
        if not value:
            if translation or not spec.translation_only:
                problems[spec.key] = ["Texten behövs."]
            continue
        found = placeholder_problems(spec.key, value)
        if found:
            allowed = ", ".join(f"{{{p}}}" for p in spec.placeholders) or "inga"
            problems[spec.key] = [*found, f"Tillåtna: {allowed}."]
    return problems


# First-strong isolate … pop directional isolate: in a right-to-left text a value keeps its own order
# ("18 450 kr", "2026-0001", "120 40 Årsta" would otherwise come out as "kr 18 450", "0001-2026").
_FSI, _PDI = "\u2068", "\u2069"


def fill(text: str, values: dict[str, str], *, isolate: bool = False) -> SafeString:
    """The text with its placeholders filled in, everything escaped. Unknown names were refused on save;
    one that slips through (an older row) prints as nothing rather than failing the letter.
    `isolate`: wrap each value in a bidi isolate (right-to-left letters)."""
    out = []
    for literal, field, _spec, _conversion in _parse(text):
        out.append(escape(literal))
        if field is not None:
            value = escape(values.get(field, ""))
            out.append(f"{_FSI}{value}{_PDI}" if isolate and value else value)
    return mark_safe("".join(out))  # noqa: S308 (every piece escaped above)


def plain(text: str) -> str:
    """A text without placeholders as plain (unescaped) text: a value put into another text."""
    return "".join(literal for literal, _field, _spec, _conversion in _parse(text))


def fill_all(texts: dict[str, str], values: dict[str, str], *, isolate: bool = False) -> dict[str, SafeString]:
    return {key: fill(texts.get(key, ""), values, isolate=isolate) for key in KEYS}


_SV = {
    "title": "Brev från Hyresrådgivningen",
    "authoritative_note": "",
    "date_label": "Datum",
    "case_label": "Vårt ärende",
    "recipient_label": "Mottagare",
    "forwarding": "Skickas via Skatteverkets vidarebefordran.",
    "heading_eviction": "Kronofogden har bestämt en dag för avhysning",
    "heading_help": "Vi vill hjälpa dig att behålla din bostad",
    "from_kronofogden": "Socialtjänsten har fått ett meddelande från Kronofogden.",
    "from_rent_tribunal": "Socialtjänsten har fått ett meddelande från hyresnämnden.",
    "from_landlord": "Socialtjänsten har fått ett meddelande från din hyresvärd {landlord}.",
    "from_unknown": "Socialtjänsten har fått ett meddelande om ditt boende.",
    "subject_sentence": "Meddelandet gäller {subject}.",
    "subject_RENT_ARREARS_TERMINATION": "uppsägning av ditt hyresavtal på grund av obetald hyra",
    "subject_DISTURBANCE_WARNING": "en tillsägelse (rättelseanmaning) på grund av störningar",
    "subject_DISTURBANCE_TERMINATION": "uppsägning av ditt hyresavtal på grund av störningar",
    "subject_OTHER_TERMINATION": "uppsägning av ditt hyresavtal",
    "subject_EVICTION_APPLICATION": "en ansökan om avhysning hos Kronofogden",
    "subject_EVICTION_DATE": "den dag då Kronofogden ska genomföra avhysningen",
    "voluntary": "Vi skriver till dig för att du ska veta att du kan få hjälp. Det är frivilligt att ta kontakt med oss.",
    "eviction_heading": "Dag och tid för avhysningen",
    "eviction_passed": "Avhysningen var bestämd till den {date}. Kontakta oss omedelbart om du behöver hjälp.",
    "eviction_with_time": "Kronofogden har meddelat att avhysningen ska ske den {date} klockan {time}.",
    "eviction_without_time": "Kronofogden har meddelat att avhysningen ska ske den {date}. Kronofogden meddelar tiden.",
    "eviction_place": "Kronofogden kommer till {place}.",
    "eviction_meaning": "Det betyder att du kan tvingas lämna bostaden den dagen. Det går fortfarande att göra saker före dess.",
    "deadline_heading": "Sista dagen att betala skulden",
    "deadline_unknown": (
        "Vi vet ännu inte vilken dag som är sista dagen att betala. Fristen är tre veckor från den dag du fick uppsägningen "
        "(delgavs) eller den dag socialtjänsten fick meddelandet, den av dagarna som kommer sist. Kontakta oss eller "
        "hyresvärden så snart som möjligt."
    ),
    "deadline_unknown_amount": "Beloppet som ska betalas är {amount}.",
    "deadline_passed": "Sista dagen att betala skulden för att återvinna hyresrätten var den {deadline}. Den dagen har passerat.",
    "deadline_passed_contact": "Kontakta oss omedelbart, så går vi igenom vad som fortfarande går att göra.",
    "deadline_passed_exception": (
        "Om du inte kunde betala i tid på grund av sjukdom eller någon annan oförutsedd omständighet gäller ett undantag: "
        "du får då inte tvingas flytta på grund av skulden, om den betalas så snart det är möjligt och senast när frågan om "
        "avhysning avgörs i första instans (jordabalken 12 kap. 44 §)."
    ),
    "deadline_passed_agreement": (
        "Det kan också gå att komma överens med hyresvärden, till exempel om en avbetalningsplan. Vi kan hjälpa dig att ta kontakt."
    ),
    "deadline_with_amount": (
        "Om hela beloppet, {amount}, är betalt senast den {deadline} får du inte tvingas flytta på grund av den här skulden."
    ),
    "deadline_without_amount": (
        "Om hela skulden är betald senast den {deadline} får du inte tvingas flytta på grund av den här skulden. "
        "Fråga hyresvärden exakt hur mycket du ska betala."
    ),
    "deadline_today": "Det är i dag.",
    "recovery_explained": (
        "Det gäller även om du redan har blivit uppsagd. Det kallas att återvinna hyresrätten (jordabalken 12 kap. 44 §)."
    ),
    "rent_meanwhile": (
        "Hyra som förfaller under tiden måste också betalas i tid. Betalningen skyddar mot uppsägningen för den här skulden, "
        "inte mot uppsägning av andra skäl."
    ),
    "eviction_todo_heading": "Det här kan du fortfarande göra",
    "eviction_todo_contact": (
        "Kontakta oss i dag. Vi kan gå igenom din situation tillsammans och hjälpa dig att ta kontakt med hyresvärden."
    ),
    "eviction_todo_withdraw": (
        "Hyresvärden kan återkalla sin ansökan om avhysning, till exempel om ni kommer överens om hur skulden ska betalas. "
        "Kontakta hyresvärden så snart som möjligt."
    ),
    "todo_apply_assistance": "Ansök om ekonomiskt bistånd hos socialtjänsten om du inte själv kan betala. Gör det så snart som möjligt.",
    "eviction_todo_housing": (
        "Om du inte vet var du ska bo efter avhysningen: kontakta socialtjänsten före avhysningsdagen, så att vi kan planera tillsammans."
    ),
    "eviction_todo_belongings": "Saker som blir kvar i bostaden förvaras i tre månader. Fråga Kronofogden vad som gäller.",
    "eviction_todo_kronofogden": "Frågor om själva avhysningen besvaras av Kronofogden, telefon {phone}.",
    "eviction_todo_reference": "Ange målnummer {reference}.",
    "todo_heading": "Det här kan du göra nu",
    "todo_contact": "Kontakta mig. Vi kan tillsammans gå igenom din situation, din ekonomi och vad som går att göra.",
    "todo_pay": "Betala skulden till hyresvärden före fristen, om du kan. Spara kvittot.",
    "todo_agreement": "Prata med din hyresvärd om en avbetalningsplan eller annan överenskommelse.",
    "todo_bring": "Ta med brevet från hyresvärden och dina senaste hyresavier när du kontaktar oss.",
    "debt_heading": "Hjälp med budget och skulder",
    "debt_advice_default_name": "Budget- och skuldrådgivningen",
    "debt_advice": "{name} i kommunen hjälper dig kostnadsfritt att göra en budget och att få ordning på skulder.",
    "label_phone": "Telefon",
    "label_email": "E-post",
    "label_web": "Webb",
    "contact_heading": "Kontakta mig",
    "label_name": "Namn",
    "label_unit": "Enhet",
    "case_reference": "Ange ärendenummer {number} när du hör av dig.",
    "regards": "Med vänliga hälsningar",
}

_EN = {
    "title": "Letter from the Tenancy Advice Service",
    "authoritative_note": "This letter is a translation. The Swedish text on the next page is the one that applies.",
    "date_label": "Date",
    "case_label": "Our reference",
    "recipient_label": "Recipient",
    "forwarding": "Sent through the Swedish Tax Agency's forwarding service.",
    "heading_eviction": "The Swedish Enforcement Authority (Kronofogden) has set a day for the eviction",
    "heading_help": "We want to help you keep your home",
    "from_kronofogden": "Social services have received a message from the Swedish Enforcement Authority (Kronofogden).",
    "from_rent_tribunal": "Social services have received a message from the Rent Tribunal (hyresnämnden).",
    "from_landlord": "Social services have received a message from your landlord, {landlord}.",
    "from_unknown": "Social services have received a message about your housing.",
    "subject_sentence": "The message concerns {subject}.",
    "subject_RENT_ARREARS_TERMINATION": "termination of your tenancy because of unpaid rent",
    "subject_DISTURBANCE_WARNING": "a warning (request for rectification) because of disturbances",
    "subject_DISTURBANCE_TERMINATION": "termination of your tenancy because of disturbances",
    "subject_OTHER_TERMINATION": "termination of your tenancy",
    "subject_EVICTION_APPLICATION": "an application for eviction to the Swedish Enforcement Authority (Kronofogden)",
    "subject_EVICTION_DATE": "the day on which the Swedish Enforcement Authority (Kronofogden) is to carry out the eviction",
    "voluntary": "We are writing to let you know that you can get help. Contacting us is voluntary.",
    "eviction_heading": "Day and time of the eviction",
    "eviction_passed": "The eviction was set for {date}. Contact us at once if you need help.",
    "eviction_with_time": (
        "The Swedish Enforcement Authority (Kronofogden) has announced that the eviction will take place on {date} at {time}."
    ),
    "eviction_without_time": (
        "The Swedish Enforcement Authority (Kronofogden) has announced that the eviction will take place on {date}. "
        "Kronofogden will tell you the time."
    ),
    "eviction_place": "Kronofogden will come to {place}.",
    "eviction_meaning": (
        "This means that you may be forced to leave your home on that day. There are still things that can be done before then."
    ),
    "deadline_heading": "The last day to pay the debt",
    "deadline_unknown": (
        "We do not yet know the last day for payment. The deadline is three weeks from the day you received the notice of "
        "termination (were served) or the day social services received the message, whichever is later. Contact us or your "
        "landlord as soon as possible."
    ),
    "deadline_unknown_amount": "The amount to be paid is {amount}.",
    "deadline_passed": "The last day to pay the debt to recover the tenancy was {deadline}. That day has passed.",
    "deadline_passed_contact": "Contact us at once, and we will go through what can still be done.",
    "deadline_passed_exception": (
        "If you could not pay in time because of illness or another unforeseen circumstance, an exception applies: you may "
        "then not be forced to move because of the debt, if it is paid as soon as possible and at the latest when the question "
        "of eviction is decided at first instance (Land Code, chapter 12, section 44)."
    ),
    "deadline_passed_agreement": (
        "It may also be possible to reach an agreement with the landlord, for example on a payment plan. We can help you get in touch."
    ),
    "deadline_with_amount": (
        "If the whole amount, {amount}, is paid by {deadline} at the latest, you may not be forced to move because of this debt."
    ),
    "deadline_without_amount": (
        "If the whole debt is paid by {deadline} at the latest, you may not be forced to move because of this debt. "
        "Ask the landlord exactly how much you have to pay."
    ),
    "deadline_today": "That is today.",
    "recovery_explained": (
        "This applies even if you have already been given notice. It is called recovering the tenancy "
        "(Land Code, chapter 12, section 44)."
    ),
    "rent_meanwhile": (
        "Rent that falls due in the meantime must also be paid on time. The payment protects against the termination for "
        "this debt, not against termination for other reasons."
    ),
    "eviction_todo_heading": "What you can still do",
    "eviction_todo_contact": (
        "Contact us today. We can go through your situation together and help you get in touch with the landlord."
    ),
    "eviction_todo_withdraw": (
        "The landlord can withdraw the application for eviction, for example if you agree on how the debt is to be paid. "
        "Contact the landlord as soon as possible."
    ),
    "todo_apply_assistance": "Apply to social services for financial assistance if you cannot pay yourself. Do it as soon as possible.",
    "eviction_todo_housing": (
        "If you do not know where you will live after the eviction: contact social services before the day of the eviction, "
        "so that we can plan together."
    ),
    "eviction_todo_belongings": "Belongings left in the home are stored for three months. Ask Kronofogden what applies.",
    "eviction_todo_kronofogden": "Questions about the eviction itself are answered by Kronofogden, phone {phone}.",
    "eviction_todo_reference": "Quote case number {reference}.",
    "todo_heading": "What you can do now",
    "todo_contact": "Contact me. Together we can go through your situation, your finances and what can be done.",
    "todo_pay": "Pay the debt to your landlord before the deadline, if you can. Keep the receipt.",
    "todo_agreement": "Talk to your landlord about a repayment plan or another arrangement.",
    "todo_bring": "Bring the letter from your landlord and your latest rent statements when you contact us.",
    "debt_heading": "Help with budget and debts",
    "debt_advice_default_name": "The budget and debt advice service",
    "debt_advice": "{name} of the municipality helps you free of charge to make a budget and sort out debts.",
    "label_phone": "Telephone",
    "label_email": "Email",
    "label_web": "Web",
    "contact_heading": "Contact me",
    "label_name": "Name",
    "label_unit": "Unit",
    "case_reference": "Please quote case number {number} when you get in touch.",
    "regards": "Kind regards",
}

# Lättläst: short sentences, everyday words, one thing at a time. Shipped as a DRAFT: to be reviewed
# (by someone who writes easy-to-read Swedish) before it is approved and used.
_SV_EASY = {
    **_SV,
    "authoritative_note": (
        "Det här brevet är skrivet på lättläst svenska. På nästa sida finns samma brev på vanlig svenska. "
        "Det är den texten som gäller."
    ),
    "heading_eviction": "Kronofogden har bestämt en dag när du måste flytta",
    "heading_help": "Vi vill hjälpa dig att bo kvar i din bostad",
    "from_kronofogden": "Socialtjänsten har fått ett brev från Kronofogden.",
    "from_rent_tribunal": "Socialtjänsten har fått ett brev från hyresnämnden.",
    "from_landlord": "Socialtjänsten har fått ett brev från din hyresvärd {landlord}.",
    "from_unknown": "Socialtjänsten har fått ett brev om din bostad.",
    "subject_sentence": "Brevet handlar om {subject}.",
    "subject_RENT_ARREARS_TERMINATION": "att du kan få flytta för att hyran inte är betald",
    "subject_DISTURBANCE_WARNING": "att grannar har klagat på störningar",
    "subject_DISTURBANCE_TERMINATION": "att du kan få flytta på grund av störningar",
    "subject_OTHER_TERMINATION": "att du kan få flytta",
    "subject_EVICTION_APPLICATION": "att hyresvärden har bett Kronofogden om hjälp att få dig att flytta",
    "subject_EVICTION_DATE": "dagen då Kronofogden kommer",
    "voluntary": "Vi vill att du ska veta att du kan få hjälp. Du bestämmer själv om du vill prata med oss.",
    "eviction_heading": "När Kronofogden kommer",
    "eviction_passed": "Kronofogden skulle komma den {date}. Ring oss på en gång om du behöver hjälp.",
    "eviction_with_time": "Kronofogden kommer den {date} klockan {time}.",
    "eviction_without_time": "Kronofogden kommer den {date}. Kronofogden säger vilken tid.",
    "eviction_place": "Kronofogden kommer till {place}.",
    "eviction_meaning": "Då kan du behöva flytta från bostaden. Men du kan fortfarande göra saker innan dess.",
    "deadline_heading": "Sista dagen att betala",
    "deadline_unknown": (
        "Vi vet inte än vilken dag som är sista dagen att betala. Du har tre veckor på dig. "
        "Ring oss eller hyresvärden så fort du kan."
    ),
    "deadline_unknown_amount": "Du ska betala {amount}.",
    "deadline_passed": "Sista dagen att betala var den {deadline}. Den dagen har redan varit.",
    "deadline_passed_contact": "Ring oss på en gång. Vi hjälper dig att se vad du kan göra nu.",
    "deadline_passed_exception": (
        "Kanske kunde du inte betala i tid för att du var sjuk, eller för att något annat hände som du inte kunde veta. "
        "Då kan du ändå få bo kvar om du betalar så fort du kan (jordabalken 12 kap. 44 §)."
    ),
    "deadline_passed_agreement": "Du kan också prata med hyresvärden om att betala lite i taget. Vi kan hjälpa dig.",
    "deadline_with_amount": "Om du betalar {amount} senast den {deadline} får du bo kvar. Du behöver inte flytta för den här skulden.",
    "deadline_without_amount": (
        "Om du betalar hela skulden senast den {deadline} får du bo kvar. Fråga hyresvärden hur mycket du ska betala."
    ),
    "deadline_today": "Det är i dag.",
    "recovery_explained": "Det gäller också om du redan har fått en uppsägning (jordabalken 12 kap. 44 §).",
    "rent_meanwhile": "Du måste också betala hyran för nästa månad i tid.",
    "eviction_todo_heading": "Det här kan du göra",
    "eviction_todo_contact": "Ring oss i dag. Vi kan prata om hur du har det och hjälpa dig att prata med hyresvärden.",
    "eviction_todo_withdraw": (
        "Hyresvärden kan ändra sig, till exempel om ni bestämmer hur skulden ska betalas. Prata med hyresvärden snart."
    ),
    "todo_apply_assistance": "Om du inte har pengar kan du söka ekonomiskt bistånd hos socialtjänsten. Gör det snart.",
    "eviction_todo_housing": "Om du inte vet var du ska bo sedan: prata med socialtjänsten innan Kronofogden kommer.",
    "eviction_todo_belongings": "Saker som är kvar i bostaden sparas i tre månader. Fråga Kronofogden.",
    "eviction_todo_kronofogden": "Du kan ringa Kronofogden på {phone}.",
    "eviction_todo_reference": "Säg numret {reference}.",
    "todo_heading": "Det här kan du göra nu",
    "todo_contact": "Ring mig. Vi kan prata om hur du har det och om dina pengar.",
    "todo_pay": "Betala skulden till hyresvärden innan sista dagen, om du kan. Spara kvittot.",
    "todo_agreement": "Prata med hyresvärden om att betala lite i taget.",
    "todo_bring": "Ta med brevet från hyresvärden och dina hyresavier när du träffar oss.",
    "debt_heading": "Hjälp med pengar och skulder",
    "debt_advice": "{name} i kommunen hjälper dig gratis med en plan för dina pengar och dina skulder.",
    "case_reference": "Säg numret {number} när du ringer eller skriver till oss.",
    "regards": "Hälsningar",
}

# (language, status, text direction, texts): what the data migration creates as the shipped defaults.
SHIPPED: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    (SWEDISH, "APPROVED", "ltr", _SV),
    ("en", "APPROVED", "ltr", _EN),
    (EASY_SWEDISH, "DRAFT", "ltr", _SV_EASY),
)
SWEDISH_TEXTS: dict[str, str] = _SV
# The first line of the Swedish page of a translated letter: always Swedish, whatever the letter's language.
SWEDISH_VERSION_HEADING = "Detta är den gällande svenska texten"

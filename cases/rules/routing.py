"""Handlingsplanens regler – vem ansvarar och vad ska göras.
The action plan's rules – who is responsible and what must be done.

SVENSKA
Den här filen är handlingsplanen (docs/domain/handlingsplan.md) skriven som kod.
Varje regel är en liten funktion med samma namn och id (R1, R2a, …) som i
planen, så att en enhetschef kan läsa filen och planen sida vid sida.
Funktionen ``decide`` tar allt som är känt om ett ärende (anmälningstyp,
hushållet, var hushållet är aktuellt, boendeform, telefon, kontakt) och
returnerar det ÖNSKADE läget: vilka enheter som är tilldelade (exakt en
leder), vilka uppgifter planen kräver hittills, en förklaring på svenska där
varje mening nämner regel-id (sparad som mening-id och parametrar, ``SENTENCES``,
så att sidan kan visa den på läsarens språk), och vilka regler som slog till. Samma indata
ger alltid samma beslut; den som anropar jämför med databasen och skapar
bara det som saknas. Siffror, enheter och tidsfrister finns i ``PlanConfig``
och sparas med varje beslut tillsammans med planversionen (R10).

ENGLISH
This file is the action plan written as code. Each rule is a small function
named after the rule, with its id. ``decide`` returns the desired state for a
case; it is pure (no database, no Django) and deterministic, and the caller
reconciles it with the database idempotently.

Tolkningar / interpretations (where the plan is silent; all configurable):
- R1: several units have the household aktuell -> all are assigned, one leads
  by ``PlanConfig.lead_precedence`` (units not in the list come after, in
  alphabetical order). If the hyresrådgivning itself is aktuell, R1a adds
  no copy (it already has the case).
- R2d: the contact window is ``contact_window_working_days`` working days
  after the letter was sent (or after the first notice was received, if no
  letter is registered yet). Contact registered on the window's last day is
  in time. The home visit is planned from the FIRST WORKING DAY AFTER the
  window's last day (the "escalation date"); before that date the escalation
  is only pending (``escalations_pending``). A Kronofogden notice
  (EVICTION_APPLICATION / EVICTION_DATE) without contact escalates at once,
  counting from today.
- R3b/R3c: "proceeds to eviction" = a Kronofogden notice is on the case.
  R3c replaces R3b when the oldest tenant/co-tenant is ``elderly_age_limit``
  years or older (default 65).
- R7: for special housing (``special_housing_lead``) the routine replaces
  R1/R2/R3: the mapped unit leads, every aktuell unit (the resident's case
  worker) is assigned, the hyresrådgivning gets a copy, and the lead unit gets
  a HOUSING_ROUTINE task. No R2d/R3b/R3c escalations (the administration is
  itself the landlord and knows the resident). For a family with children
  R2c still applies – Mottagningsenheten barn och unga assigned, notify and
  orosanmälan, as tasks for the lead unit – unless a child & youth unit
  (MOTTAGNING_BARN_UNGA or BARN_UNGA) already has the family aktuell.
- R3b/R3c once carried out (``escalations_done``) stay in force: contact
  registered after the hand-over does not hand the case back.
- R1 for a family: the aktuell unit decides; R1a, and R2c unless a child &
  youth unit has the family aktuell (issue 11, defect 7).
- R4: every notice except EVICTION_CANCELLED puts the case on the next BOSAM
  agenda; the task is due on the next meeting day, or, without a planned
  meeting, ``task_due_working_days`` after the latest notice was received.
- EVICTION_CANCELLED: nothing new. Tasks that already applied before the
  cancellation stay in the list (the caller does not recreate existing kinds);
  an R2d window that ends after the cancellation was received no longer
  escalates.
- Due dates: base tasks count working days from the day the FIRST notice on
  the case was received; escalations from the escalation date.
- Before the deadline, not after (issue 11): R2d, R3b and R3c fire at the latest
  ``escalation_lead_working_days`` working days before the earliest of the
  recovery deadline and the eviction date, even while the contact window runs.
  Every task is due at the latest on the working day before the eviction date;
  the tasks that exist to reach the household (``REACH_BEFORE_RECOVERY``) also
  before the recovery deadline; the help to answer Kronofogden before the reply
  deadline. A cap never moves a due date before the day the task is planned.
- R2c for a family aktuell only at units that are not child & youth units
  (e.g. Ekonomiskt bistånd, Vuxenenheten): Mottagningsenheten barn och unga is
  assigned and the lead unit contacts it and files the orosanmälan.
- R9 at the eviction day: with children whose residence counts
  (``eviction_child_residences``) an eviction date gives CHILD_INVESTIGATION
  and ATTEND_EVICTION (due on the eviction date) to the child & youth unit.
  Every eviction date gives EVICTION_OUTCOME to the lead unit, due the first
  working day after the date (R8). An individual without contact at an eviction
  date gets INVESTIGATION_DECISION at Mottagningsenheten vuxna (R3b).
- D1: a reply deadline to Kronofogden gives HELP_REPLY_KRONOFOGDEN to the lead unit.
- D2: an application for ekonomiskt bistånd for a payment commitment assigns Ekonomiskt bistånd
  (``financial_aid_unit``) and, until it is decided, gives it PAYMENT_DECISION, due
  ``payment_decision_working_days`` working days before the recovery deadline at the latest.
- INVESTIGATION_DECISION for a person of ``elderly_age_limit`` or more goes to
  ``elderly_investigation_unit`` (the uppsökare, R3c) rather than Mottagningsenheten vuxna.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from cases.rules.workdays import add_working_days

PLAN_VERSION_DEFAULT = "2019.1"

# --- codes (docs/domain/codes.md) -------------------------------------------------

EVICTION_APPLICATION = "EVICTION_APPLICATION"
EVICTION_DATE = "EVICTION_DATE"
EVICTION_CANCELLED = "EVICTION_CANCELLED"
KRONOFOGDEN_NOTICES = (EVICTION_APPLICATION, EVICTION_DATE)

LEAD, ASSIGNED, COPY = "LEAD", "ASSIGNED", "COPY"
FAMILY, INDIVIDUAL = "FAMILY", "INDIVIDUAL"
CHILD_AND_YOUTH_UNITS = ("MOTTAGNING_BARN_UNGA", "BARN_UNGA")
ADULT_AGE = 18

# Swedish names used in explanations only (display names are configuration
# elsewhere; an unknown code is shown as it is).
UNIT_NAMES = {
    "HYRESRADGIVNING": "Hyresrådgivningen",
    "MOTTAGNING_BARN_UNGA": "Mottagningsenheten barn och unga",
    "BARN_UNGA": "Barn och unga",
    "MOTTAGNING_VUXNA": "Mottagningsenheten vuxna",
    "VUXNA": "Vuxenenheten",
    "EKONOMISKT_BISTAND": "Ekonomiskt bistånd",
    "BOSTAD": "Bostadsenheten",
    "AO_UPPSOKARE": "Uppsökare, äldreomsorg",
    "AO_BISTAND": "Biståndsenheten äldreomsorg",
    "FUNKTIONSNEDSATTNING": "Stöd och service, funktionsnedsättning",
}
HOUSING_NAMES = {
    "TRIAL_FLAT": "försökslägenhet",
    "TRAINING_FLAT": "träningslägenhet",
    "SHIS": "SHIS-lägenhet",
}

# Order in which rule ids are listed in rules_fired.
RULE_ORDER = (
    "R1",
    "R1a",
    "R1b",
    "R2",
    "R2a",
    "R2b",
    "R2c",
    "R2d",
    "R3",
    "R3a",
    "R3b",
    "R3c",
    "R4",
    "R5",
    "R6",
    "R7",
    "R8",
    "R9",
    "R10",
    "D1",
    "D2",
)


def unit_name(code: str) -> str:
    return UNIT_NAMES.get(code, code)


# --- the explanation: rule id + parameters, worded at display time ----------------


def gettext_noop(message: str) -> str:
    """Marks a sentence for the English catalogue (makemessages finds the name); the rules stay Django-free."""
    return message


# Each sentence of an explanation, by id. A decision stores the id and the parameters
# (units as codes, dates as YYYY-MM-DD); the page words it in the reader's language with
# the unit's current name (cases.explanations). The Swedish text is the plan's own words.
SENTENCES = {
    "cancelled": gettext_noop(
        "Avhysningen är återkallad eller inställd: inga nya uppgifter tillkommer; det som redan "
        "gällde före återkallelsen står kvar (R2d, R3b, R4)."
    ),
    "r1_one": gettext_noop("Hushållet är redan aktuellt hos {lead}, som ansvarar för ärendet (R1)."),
    "r1_many": gettext_noop(
        "Hushållet är aktuellt hos flera enheter: {lead} leder enligt planens turordning och {others} är tilldelade (R1)."
    ),
    "r1a_has_case": gettext_noop("Familj med barn: hyresrådgivningen har redan ärendet, så ingen kopia behövs (R1a)."),
    "r1a_copy": gettext_noop("Familj med barn: hyresrådgivaren får en kopia av anmälan (R1a)."),
    "r2": gettext_noop("Familj med barn som inte är aktuell: hyresrådgivaren ansvarar (R2)."),
    "letter": gettext_noop("Brev med hyresrådgivarens kontaktuppgifter skickas när anmälan kommer in ({rule})."),
    "r2b_no_phone": gettext_noop("Inget telefonnummer är känt, så familjen kan inte ringas upp (R2b)."),
    "r2b_phone": gettext_noop("Hyresrådgivaren ringer familjen (R2b)."),
    "r2c": gettext_noop(
        "Mottagningsenheten barn och unga kontaktas och en orosanmälan görs; "
        "enheten tilldelas ärendet så att den ser det och kan agera (R2c)."
    ),
    "r2c_aktuell": gettext_noop(
        "Familjen är redan aktuell hos {unit}, så ingen ny kontakt med Mottagningsenheten barn och unga behövs (R2c)."
    ),
    "r2d_contact": gettext_noop("Kontakt med familjen är etablerad, så inget hembesök behövs (R2d)."),
    "r2d_pending": gettext_noop(
        "Om ingen kontakt med familjen registreras senast {window_end} görs hembesök av hyresrådgivaren "
        "tillsammans med Mottagningsenheten barn och unga från {latest} (R2d)."
    ),
    "r2d_window": gettext_noop(
        "Ingen kontakt med familjen har registrerats inom {days} arbetsdagar (senast {window_end}): hembesök av "
        "hyresrådgivaren tillsammans med en handläggare från Mottagningsenheten barn och unga (R2d)."
    ),
    "r2d_deadline": gettext_noop(
        "Ingen kontakt med familjen och det är högst {days} arbetsdagar kvar till återvinningsfristen eller "
        "avhysningen: hembesök av hyresrådgivaren tillsammans med en handläggare från Mottagningsenheten barn "
        "och unga (R2d)."
    ),
    "r2d_kronofogden": gettext_noop(
        "Ärendet har gått vidare till Kronofogden utan att kontakt med familjen etablerats: hembesök av "
        "hyresrådgivaren tillsammans med en handläggare från Mottagningsenheten barn och unga (R2d)."
    ),
    "r3": gettext_noop("Enskild person utan barn som inte är aktuell: hyresrådgivaren ansvarar (R3)."),
    "r3b_eviction": gettext_noop(
        "Ärendet går vidare till avhysning utan att kontakt etablerats: Mottagningsenheten vuxna "
        "tar över och leder ärendet, hyresrådgivaren är kvar som tilldelad (R3b)."
    ),
    "r3b_deadline": gettext_noop(
        "Det är högst {days} arbetsdagar kvar till återvinningsfristen eller avhysningen utan att kontakt "
        "etablerats: Mottagningsenheten vuxna tar över och leder ärendet, hyresrådgivaren är kvar som tilldelad (R3b)."
    ),
    "r3c_eviction": gettext_noop(
        "Personen är {age} år ({limit} år eller äldre). Ärendet går vidare till avhysning utan att kontakt "
        "etablerats: uppsökaren inom äldreomsorgen kontaktas i stället för överlämning till Mottagningsenheten "
        "vuxna (R3b); hyresrådgivaren leder fortfarande (R3c)."
    ),
    "r3c_deadline": gettext_noop(
        "Personen är {age} år ({limit} år eller äldre). Det är högst {days} arbetsdagar kvar till "
        "återvinningsfristen eller avhysningen utan att kontakt etablerats: uppsökaren inom äldreomsorgen "
        "kontaktas i stället för överlämning till Mottagningsenheten vuxna (R3b); hyresrådgivaren leder "
        "fortfarande (R3c)."
    ),
    "r3_contact": gettext_noop("Kontakt med personen är etablerad, så ärendet lämnas inte över (R3b, R3c)."),
    "r3_pending": gettext_noop(
        "Går ärendet vidare till Kronofogden utan att kontakt etablerats, eller är det högst {days} arbetsdagar "
        "kvar till återvinningsfristen, lämnas det över till Mottagningsenheten vuxna (R3b) eller, för den som är "
        "{limit} år eller äldre, till äldreomsorgens uppsökare (R3c)."
    ),
    "r4_cancelled": gettext_noop("Den återkallade avhysningen läggs inte på BOSAM:s dagordning (R4)."),
    "r4_meeting": gettext_noop("Ärendet tas upp på nästa BOSAM-möte {date} (R4)."),
    "r4_no_meeting": gettext_noop("Ärendet tas upp på nästa BOSAM-möte; inget möte är planerat, så senast {date} (R4)."),
    "r7": gettext_noop(
        "Hushållet bor i en {housing}: särskild rutin där {lead} leder, den boendes "
        "handläggare tilldelas och hyresrådgivaren får en kopia (R7)."
    ),
    "d1": gettext_noop("Kronofogden har gett hushållet svarsfrist till {date}: {lead} hjälper hushållet att svara i tid (D1)."),
    "r9_eviction": gettext_noop(
        "Avhysning är utsatt till {date} och {children} barn bor i hushållet: {unit} överväger "
        "en utredning av barnens situation och planerar att vara på plats vid avhysningen (R9)."
    ),
    "r8": gettext_noop("Efter avhysningsdagen {date} registrerar {lead} vad som hände (R8)."),
    "r3b_eviction_day": gettext_noop(
        "Avhysning är utsatt till {date} utan att kontakt etablerats: Mottagningsenheten vuxna "
        "beslutar om en utredning ska inledas (R3b)."
    ),
    "investigation_decision_eviction_day": gettext_noop(
        "Avhysning är utsatt till {date} utan att kontakt etablerats: {unit} beslutar om en utredning ska inledas ({rule})."
    ),
    "d2_decided": gettext_noop("Ansökan om ekonomiskt bistånd för betalningsförbindelse är beslutad; {unit} är tilldelad (D2)."),
    "d2_pending": gettext_noop(
        "En ansökan om ekonomiskt bistånd för betalningsförbindelse kom in {applied}: {unit} tilldelas och beslutar "
        "senast {due}; utan beslut {days} arbetsdagar före återvinningsfristen är ärendet brådskande för enheten (D2)."
    ),
    "r9_children": gettext_noop("Hushållet har {children} barn (R9)."),
}
# Parameters that name units (codes; worded with the unit's name) and the housing type.
UNIT_PARAMS = ("lead", "unit")
UNIT_LIST_PARAMS = ("others",)
HOUSING_PARAMS = ("housing",)


@dataclass(frozen=True)
class Reason:
    """One sentence of an explanation as data: a SENTENCES id and its parameters."""

    id: str
    params: tuple[tuple[str, object], ...] = ()

    def to_data(self) -> dict:
        """What a decision stores (JSON)."""
        return {"id": self.id, "params": dict(self.params)}

    def text(self) -> str:
        """The Swedish sentence with the plan's unit names (the rules' own wording, for tests and logs)."""
        return swedish_sentence(self.to_data())


def swedish_sentence(item: dict) -> str:
    params = dict(item.get("params") or {})
    for key in UNIT_PARAMS:
        if key in params:
            params[key] = unit_name(params[key])
    for key in UNIT_LIST_PARAMS:
        if key in params:
            params[key] = ", ".join(unit_name(u) for u in params[key])
    for key in HOUSING_PARAMS:
        if key in params:
            params[key] = HOUSING_NAMES.get(params[key], params[key])
    return SENTENCES[item["id"]].format(**params)


# --- configuration (R10) -------------------------------------------------------


@dataclass(frozen=True)
class PlanConfig:
    version: str = PLAN_VERSION_DEFAULT
    elderly_age_limit: int = 65
    contact_window_working_days: int = 10
    # Urgent, whatever the BOSAM calendar says, when a deadline is within this many
    # WORKING days (the name is kept from when it was a calendar fallback; issue 11).
    urgency_fallback_days: int = 5
    # R2d/R3b/R3c fire at the latest this many working days before the earliest
    # of the recovery deadline and the eviction date.
    escalation_lead_working_days: int = 5
    # Start of the recovery period (JB 12:44): "SENT" (the landlord's dispatch
    # date, falling back to received; the earlier deadline) or "RECEIVED".
    recovery_period_start: str = "SENT"
    # R8: a family case without a completed orosanmälan after this many working
    # days from the first notice is a deviation (NO_REPORT_OF_CONCERN).
    report_of_concern_deviation_working_days: int = 5
    # R9: which children count for the eviction-day tasks (residence kinds).
    eviction_child_residences: tuple[str, ...] = ("LIVING", "ALTERNATING")
    # Payment commitment: without a decision this many working days before the
    # recovery deadline the case is urgent for Ekonomiskt bistånd.
    payment_decision_working_days: int = 5
    # BOSAM section 2 (issue 12): an open case at risk that is not at the Kronofogden stage, not urgent and not
    # put on the agenda by the chair comes up again once it has not been discussed for this many held meetings.
    bosam_review_after_meetings: int = 3
    financial_aid_unit: str = "EKONOMISKT_BISTAND"
    # INVESTIGATION_DECISION for a person aged elderly_age_limit or more [interpretation]: the plan hands such a
    # person to the äldreomsorg's uppsökare instead of Mottagningsenheten vuxna (R3c), so the decision goes there.
    elderly_investigation_unit: str = "AO_UPPSOKARE"
    tenancy_advisor_unit: str = "HYRESRADGIVNING"
    # Issue 14 §2: a complete notice from a landlord's portal or API is registered at once (Celery), without waiting
    # for the hyresrådgivare's click in "Inkomna underrättelser". Off by default: a person checks each one.
    submissions_auto_register: bool = False
    child_intake_unit: str = "MOTTAGNING_BARN_UNGA"
    adult_intake_unit: str = "MOTTAGNING_VUXNA"
    elderly_outreach_unit: str = "AO_UPPSOKARE"
    # R1 [interpretation]: child & youth before adult before elderly before disability before financial aid
    lead_precedence: tuple[str, ...] = (
        "MOTTAGNING_BARN_UNGA",
        "BARN_UNGA",
        "MOTTAGNING_VUXNA",
        "VUXNA",
        "AO_BISTAND",
        "AO_UPPSOKARE",
        "FUNKTIONSNEDSATTNING",
        "EKONOMISKT_BISTAND",
        "BOSTAD",
        "HYRESRADGIVNING",
    )
    # R7 [interpretation]: housing types with a special routine -> the unit that leads
    special_housing_lead: tuple[tuple[str, str], ...] = (
        ("TRIAL_FLAT", "BOSTAD"),
        ("TRAINING_FLAT", "BOSTAD"),
        ("SHIS", "BOSTAD"),
    )
    # working days after the trigger date until a task is due, per task kind
    task_due_working_days: tuple[tuple[str, int], ...] = (
        ("SEND_LETTER", 1),
        ("PHONE_CONTACT", 2),
        ("NOTIFY_CHILD_INTAKE", 1),
        ("REPORT_OF_CONCERN", 1),
        ("HOME_VISIT", 5),
        ("HANDOVER_ADULT_INTAKE", 1),
        ("CONTACT_ELDERLY_OUTREACH", 1),
        ("COPY_TO_TENANCY_ADVISOR", 1),
        ("HOUSING_ROUTINE", 2),
        ("BOSAM_REVIEW", 10),
        ("HELP_REPLY_KRONOFOGDEN", 2),
        ("CHILD_INVESTIGATION", 2),
        ("INVESTIGATION_DECISION", 2),
        # D2: counted from the application, but never later than payment_decision_working_days before the deadline
        ("PAYMENT_DECISION", 5),
        # counted from the eviction date: Kronofogden's report of the day may take a few days
        ("EVICTION_OUTCOME", 3),
        ("FOLLOW_UP_AFTER_EVICTION", 10),
        # R1b: the hyresrådgivare answers a case worker's question (a task made by hand, not by the plan)
        ("CONSULT_TENANCY_ADVISOR", 3),
    )

    def to_dict(self) -> dict:
        """Plain JSON-compatible dict (tuples become lists)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = [list(v) if isinstance(v, tuple) else v for v in value]
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, d: dict) -> PlanConfig:
        """Inverse of to_dict: unknown keys are ignored, missing keys get the default."""
        kwargs = {}
        for f in fields(cls):
            if f.name not in d:
                continue
            value = d[f.name]
            if isinstance(value, list):
                value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
            kwargs[f.name] = value
        return cls(**kwargs)

    def due_days(self, kind: str) -> int:
        return dict(self.task_due_working_days).get(kind, 1)


# --- input and output ---------------------------------------------------------


@dataclass(frozen=True)
class Member:
    # "TENANT" | "CO_TENANT" | "CHILD" | "OTHER_ADULT"
    role: str
    # age on the notice date; None if unknown
    age: int | None
    # for children: "LIVING" | "ALTERNATING" | "VISITING" ("" otherwise)
    residence: str = ""


@dataclass(frozen=True)
class ActiveUnit:
    # unit code where the household is "aktuell"
    unit: str
    # the case worker there, if known
    user_id: int | None = None


@dataclass(frozen=True)
class DecisionInput:
    # notice type of the latest notice (the one that triggered this evaluation)
    notice_type: str
    # all notice types on the case, including this one
    notice_types_on_case: tuple[str, ...]
    # date the latest notice was received
    received_date: date
    # date the first notice on the open case was received
    first_received_date: date
    members: tuple[Member, ...]
    active_units: tuple[ActiveUnit, ...]
    housing_type: str
    phone_known: bool
    contact_established: bool
    # date the SEND_LETTER task was completed, if it was
    letter_sent_date: date | None
    today: date
    # next BOSAM meeting on/after today
    next_meeting_date: date | None = None
    # task kinds of escalations already carried out on the case: a hand-over is not taken back
    escalations_done: tuple[str, ...] = ()
    # the case's legal dates (cases.rules.deadlines.case_dates)
    recovery_deadline: date | None = None
    eviction_date: date | None = None
    reply_deadline: date | None = None
    # the payment commitment (D2): the day the application for ekonomiskt bistånd came in, and whether it is decided
    payment_application_received_on: date | None = None
    payment_decided: bool = False


@dataclass(frozen=True)
class PlannedAssignment:
    unit: str
    # "LEAD" | "ASSIGNED" | "COPY"
    role: str
    user_id: int | None
    rules: tuple[str, ...]


@dataclass(frozen=True)
class PlannedTask:
    kind: str
    unit: str
    due_date: date
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    plan_version: str
    # the full desired set (exactly one LEAD)
    assignments: tuple[PlannedAssignment, ...]
    # every task the plan demands so far (the caller creates only missing kinds)
    tasks: tuple[PlannedTask, ...]
    # Swedish sentences, each naming rule ids (the words of `reasons`)
    explanation: tuple[str, ...]
    rules_fired: tuple[str, ...]
    # "FAMILY" | "INDIVIDUAL"
    household_category: str
    # e.g. ("R2d",) while the contact window runs (described in the explanation)
    escalations_pending: tuple[str, ...] = ()
    # the explanation as data: what a decision stores (explanation_data)
    reasons: tuple[Reason, ...] = ()


def explanation_data(decision: Decision) -> list[dict]:
    """The explanation as stored on RoutingDecision and Case: [{"id", "params"}, ...]."""
    return [r.to_data() for r in decision.reasons]


# --- facts about the case -----------------------------------------------------


def proceeds_to_eviction(notice_types) -> bool:
    """A Kronofogden application or eviction date is on the case."""
    return any(t in KRONOFOGDEN_NOTICES for t in notice_types)


def is_child(member: Member) -> bool:
    if member.age is None:
        return member.role == "CHILD"
    return member.age < ADULT_AGE


def is_family_with_children(members) -> bool:
    """Any member under 18 on the notice date, whatever the adults' ages (R2)."""
    return any(is_child(m) for m in members)


def number_of_children(members) -> int:
    return sum(1 for m in members if is_child(m))


def oldest_tenant_age(members) -> int | None:
    ages = [
        m.age
        for m in members
        if m.role in ("TENANT", "CO_TENANT") and m.age is not None
    ]
    return max(ages) if ages else None


def contact_window_end(inp: DecisionInput, config: PlanConfig) -> date:
    """Last day on which contact counts as established in time (R2d)."""
    start = inp.letter_sent_date or inp.first_received_date
    return add_working_days(start, config.contact_window_working_days)


def contact_escalation_date(inp: DecisionInput, config: PlanConfig) -> date:
    """First working day after the contact window: the day R2d's home visit is planned from."""
    return add_working_days(contact_window_end(inp, config), 1)


def deadline_escalation_date(inp: DecisionInput, config: PlanConfig) -> date | None:
    """The latest day R2d/R3b/R3c may wait: N working days before the earliest of
    the recovery deadline and the eviction date (None without either)."""
    dates = [d for d in (inp.recovery_deadline, inp.eviction_date) if d is not None]
    if not dates:
        return None
    return add_working_days(min(dates), -config.escalation_lead_working_days)


def deadline_escalation_due(inp: DecisionInput, config: PlanConfig) -> bool:
    """True when the deadline-driven escalation date has come (and the latest notice
    is not a cancellation received before it: a cancellation brings nothing new)."""
    day = deadline_escalation_date(inp, config)
    if day is None or inp.today < day:
        return False
    return not (inp.notice_type == EVICTION_CANCELLED and day > inp.received_date)


# Tasks that exist to reach the household before its last chance to pay.
REACH_BEFORE_RECOVERY = (
    "SEND_LETTER",
    "PHONE_CONTACT",
    "HOME_VISIT",
    "HANDOVER_ADULT_INTAKE",
    "CONTACT_ELDERLY_OUTREACH",
    "NOTIFY_CHILD_INTAKE",
)
# Tasks whose date is the event itself (or after it): never capped.
NOT_CAPPED = ("BOSAM_REVIEW", "BOSAM_ACTIVITY", "ATTEND_EVICTION", "EVICTION_OUTCOME", "FOLLOW_UP_AFTER_EVICTION")
# Tasks that belong to one eviction date: cancelled with it, planned again for a new date.
EVICTION_BOUND = ("ATTEND_EVICTION", "EVICTION_OUTCOME")


def due_cap(kind: str, inp: DecisionInput) -> date | None:
    """The latest due date a task of this kind may have: the working day before the
    eviction date, before the recovery deadline (REACH_BEFORE_RECOVERY), before the
    reply deadline (HELP_REPLY_KRONOFOGDEN); None when nothing caps it."""
    if kind in NOT_CAPPED:
        return None
    limits = [inp.eviction_date]
    if kind in REACH_BEFORE_RECOVERY:
        limits.append(inp.recovery_deadline)
    if kind == "HELP_REPLY_KRONOFOGDEN":
        limits.append(inp.reply_deadline)
    limits = [d for d in limits if d is not None]
    return add_working_days(min(limits), -1) if limits else None


def capped(due: date, cap: date | None, floor: date) -> date:
    """min(due, cap), but never before floor (a deadline already too close or passed
    does not make a task due before it is planned)."""
    if cap is None or cap >= due:
        return due
    return max(cap, floor)


def eviction_children(inp: DecisionInput, config: PlanConfig) -> int:
    """Children whose residence counts for the eviction-day tasks (unknown residence counts)."""
    return sum(
        1
        for m in inp.members
        if is_child(m) and (not m.residence or m.residence in config.eviction_child_residences)
    )


def precedence_key(config: PlanConfig, unit: str):
    order = config.lead_precedence
    return (order.index(unit), "") if unit in order else (len(order), unit)


# --- the plan being built (internal helper) -------------------------------------


_ESCALATIONS = ("HOME_VISIT", "HANDOVER_ADULT_INTAKE", "CONTACT_ELDERLY_OUTREACH")


class _Plan:
    """Collects assignments, tasks, explanation and rule ids while the rules run."""

    def __init__(self, config: PlanConfig, inp: DecisionInput | None = None):
        self.config = config
        self.inp = inp
        self.units: dict[str, dict] = {}  # unit -> {"role", "user_id", "rules"}
        self.tasks: dict[str, PlannedTask] = {}
        self.reasons: list[Reason] = []
        self.rules: set[str] = set()
        self.pending: list[str] = []

    def fired(self, *rule_ids: str) -> None:
        self.rules.update(rule_ids)

    def say(self, sentence_id: str, **params) -> None:
        """Add a sentence of SENTENCES; dates become YYYY-MM-DD, unit codes stay codes."""
        stored = tuple((k, v.isoformat() if isinstance(v, date) else v) for k, v in params.items())
        self.reasons.append(Reason(sentence_id, stored))

    def assign(
        self, unit: str, role: str, rule: str, user_id: int | None = None
    ) -> None:
        """Add a unit with a role. LEAD demotes the previous lead to ASSIGNED.
        A unit already present keeps its stronger role unless made LEAD."""
        if role == LEAD:
            for entry in self.units.values():
                if entry["role"] == LEAD:
                    entry["role"] = ASSIGNED
        entry = self.units.setdefault(
            unit, {"role": role, "user_id": user_id, "rules": []}
        )
        strength = {LEAD: 3, ASSIGNED: 2, COPY: 1}
        if strength[role] > strength[entry["role"]]:
            entry["role"] = role
        if entry["user_id"] is None:
            entry["user_id"] = user_id
        if rule not in entry["rules"]:
            entry["rules"].append(rule)

    def demote(self, unit: str, role: str) -> None:
        self.units[unit]["role"] = role

    def task(self, kind: str, unit: str, trigger_date: date, rule: str) -> None:
        due = add_working_days(trigger_date, self.config.due_days(kind))
        if self.inp is not None:
            # Before the deadline, not after: an escalation is planned today at the earliest.
            floor = max(trigger_date, self.inp.today) if kind in _ESCALATIONS else trigger_date
            due = capped(due, due_cap(kind, self.inp), floor)
        self.task_due(kind, unit, due, rule)

    def task_due(self, kind: str, unit: str, due_date: date, rule: str) -> None:
        existing = self.tasks.get(kind)
        if existing is not None:
            if rule not in existing.rules:
                self.tasks[kind] = PlannedTask(
                    kind, existing.unit, existing.due_date, (*existing.rules, rule)
                )
            return
        self.tasks[kind] = PlannedTask(kind, unit, due_date, (rule,))

    def lead_unit(self) -> str | None:
        return next((u for u, e in self.units.items() if e["role"] == LEAD), None)

    def build(self, inp: DecisionInput, category: str, drop_tasks: bool) -> Decision:
        role_order = {LEAD: 0, ASSIGNED: 1, COPY: 2}
        assignments = sorted(
            (
                PlannedAssignment(u, e["role"], e["user_id"], tuple(e["rules"]))
                for u, e in self.units.items()
            ),
            key=lambda a: (role_order[a.role], precedence_key(self.config, a.unit)),
        )
        tasks = (
            ()
            if drop_tasks
            else tuple(sorted(self.tasks.values(), key=lambda t: (t.due_date, t.kind)))
        )
        rules = tuple(r for r in RULE_ORDER if r in self.rules)
        return Decision(
            plan_version=self.config.version,
            assignments=tuple(assignments),
            tasks=tasks,
            explanation=tuple(r.text() for r in self.reasons),
            rules_fired=rules,
            household_category=category,
            escalations_pending=tuple(self.pending),
            reasons=tuple(self.reasons),
        )


# --- the rules ------------------------------------------------------------------


# R1 — household already aktuell (takes precedence over R2 and R3)
def rule_already_aktuell(inp: DecisionInput, plan: _Plan) -> None:
    units = sorted(
        {a.unit for a in inp.active_units}, key=lambda u: precedence_key(plan.config, u)
    )
    for active in inp.active_units:
        plan.assign(active.unit, ASSIGNED, "R1", active.user_id)
    lead = units[0]
    plan.assign(lead, LEAD, "R1")
    plan.fired("R1")
    if len(units) == 1:
        plan.say("r1_one", lead=lead)
    else:
        plan.say("r1_many", lead=lead, others=list(units[1:]))


# R1a — family with children already aktuell: copy to the hyresrådgivare
def rule_copy_to_tenancy_advisor(inp: DecisionInput, plan: _Plan) -> None:
    advisor = plan.config.tenancy_advisor_unit
    if advisor in plan.units:
        plan.say("r1a_has_case")
        return
    plan.assign(advisor, COPY, "R1a")
    plan.task("COPY_TO_TENANCY_ADVISOR", advisor, inp.first_received_date, "R1a")
    plan.fired("R1a")
    plan.say("r1a_copy")


# R2 — family with children, not aktuell: the hyresrådgivare is responsible
def rule_family_not_aktuell(inp: DecisionInput, plan: _Plan) -> None:
    plan.assign(plan.config.tenancy_advisor_unit, LEAD, "R2")
    plan.fired("R2")
    plan.say("r2")


# R2a / R3a — letter with the hyresrådgivare's contact details
def rule_send_letter(inp: DecisionInput, plan: _Plan, rule_id: str) -> None:
    plan.task(
        "SEND_LETTER",
        plan.config.tenancy_advisor_unit,
        inp.first_received_date,
        rule_id,
    )
    plan.fired(rule_id)
    plan.say("letter", rule=rule_id)


# R2b — phone the family if a number is known
def rule_phone_family(inp: DecisionInput, plan: _Plan) -> None:
    if not inp.phone_known:
        plan.say("r2b_no_phone")
        return
    plan.task(
        "PHONE_CONTACT",
        plan.config.tenancy_advisor_unit,
        inp.first_received_date,
        "R2b",
    )
    plan.fired("R2b")
    plan.say("r2b_phone")


# R2c — always contact Mottagningsenheten barn och unga and file an orosanmälan
def rule_child_intake(inp: DecisionInput, plan: _Plan, task_unit: str) -> None:
    plan.assign(plan.config.child_intake_unit, ASSIGNED, "R2c")
    plan.task("NOTIFY_CHILD_INTAKE", task_unit, inp.first_received_date, "R2c")
    plan.task("REPORT_OF_CONCERN", task_unit, inp.first_received_date, "R2c")
    plan.fired("R2c")
    plan.say("r2c")


# R2d — no contact with the family: home visit with Mottagningsenheten barn och unga
def rule_home_visit(inp: DecisionInput, plan: _Plan) -> None:
    config = plan.config
    if inp.contact_established:
        plan.say("r2d_contact")
        return
    window_end = contact_window_end(inp, config)
    escalation = contact_escalation_date(inp, config)
    cancelled = inp.notice_type == EVICTION_CANCELLED
    window_passed = inp.today >= escalation and not (
        cancelled and escalation > inp.received_date
    )
    deadline_day = deadline_escalation_date(inp, config)
    candidates = []  # (trigger date, reason); the earliest wins
    if window_passed:
        candidates.append((escalation, Reason("r2d_window", (
            ("days", config.contact_window_working_days), ("window_end", window_end.isoformat())))))
    if deadline_escalation_due(inp, config):
        candidates.append((deadline_day, Reason("r2d_deadline", (("days", config.escalation_lead_working_days),))))
    if not candidates and proceeds_to_eviction(inp.notice_types_on_case):
        candidates.append((inp.today, Reason("r2d_kronofogden")))
    if not candidates:
        if not cancelled:
            plan.pending.append("R2d")
            latest = escalation if deadline_day is None else min(escalation, deadline_day)
            plan.say("r2d_pending", window_end=window_end, latest=latest)
        return
    trigger, reason = min(candidates, key=lambda c: c[0])
    plan.task("HOME_VISIT", config.tenancy_advisor_unit, trigger, "R2d")
    plan.fired("R2d")
    plan.reasons.append(reason)


# R3 — individual (no children), not aktuell: the hyresrådgivare is responsible
def rule_individual_not_aktuell(inp: DecisionInput, plan: _Plan) -> None:
    plan.assign(plan.config.tenancy_advisor_unit, LEAD, "R3")
    plan.fired("R3")
    plan.say("r3")


def _no_contact_reason(inp: DecisionInput, config: PlanConfig) -> tuple[str, dict]:
    """Why R3b/R3c apply: the case went to Kronofogden ("eviction"), or a deadline is close (issue 11)."""
    if proceeds_to_eviction(inp.notice_types_on_case):
        return "eviction", {}
    return "deadline", {"days": config.escalation_lead_working_days}


# R3b — no contact and the case proceeds to eviction: hand over to Mottagningsenheten vuxna
def rule_handover_adult_intake(inp: DecisionInput, plan: _Plan) -> None:
    config = plan.config
    plan.assign(config.adult_intake_unit, LEAD, "R3b")
    plan.assign(config.tenancy_advisor_unit, ASSIGNED, "R3b")
    plan.task("HANDOVER_ADULT_INTAKE", config.adult_intake_unit, inp.today, "R3b")
    plan.fired("R3b")
    why, params = _no_contact_reason(inp, config)
    plan.say(f"r3b_{why}", **params)


# R3c — person aged 65 or more: the äldreomsorg uppsökare instead of the hand-over
def rule_elderly_outreach(inp: DecisionInput, plan: _Plan, age: int) -> None:
    config = plan.config
    plan.assign(config.elderly_outreach_unit, ASSIGNED, "R3c")
    plan.task(
        "CONTACT_ELDERLY_OUTREACH", config.elderly_outreach_unit, inp.today, "R3c"
    )
    plan.fired("R3c")
    why, params = _no_contact_reason(inp, config)
    plan.say(f"r3c_{why}", age=age, limit=config.elderly_age_limit, **params)


def rule_no_contact_individual(inp: DecisionInput, plan: _Plan) -> None:
    """R3b or R3c, whichever applies."""
    if "HANDOVER_ADULT_INTAKE" in inp.escalations_done:
        rule_handover_adult_intake(inp, plan)  # already handed over: it stays so
        return
    if "CONTACT_ELDERLY_OUTREACH" in inp.escalations_done:
        rule_elderly_outreach(inp, plan, oldest_tenant_age(inp.members) or plan.config.elderly_age_limit)
        return
    if inp.contact_established:
        plan.say("r3_contact")
        return
    if not proceeds_to_eviction(inp.notice_types_on_case) and not deadline_escalation_due(inp, plan.config):
        plan.say("r3_pending", days=plan.config.escalation_lead_working_days, limit=plan.config.elderly_age_limit)
        return
    age = oldest_tenant_age(inp.members)
    if age is not None and age >= plan.config.elderly_age_limit:
        rule_elderly_outreach(inp, plan, age)
    else:
        rule_handover_adult_intake(inp, plan)


# R4 — every notice of termination or eviction goes on the next BOSAM agenda
def rule_bosam_review(inp: DecisionInput, plan: _Plan) -> None:
    advisor = plan.config.tenancy_advisor_unit
    if inp.notice_type == EVICTION_CANCELLED:
        if any(t != EVICTION_CANCELLED for t in inp.notice_types_on_case):
            # already applied for the earlier notices; kept so the decision stays the full set
            plan.task("BOSAM_REVIEW", advisor, inp.first_received_date, "R4")
            plan.fired("R4")
        plan.say("r4_cancelled")
        return
    plan.fired("R4")
    if inp.next_meeting_date is not None:
        plan.task_due("BOSAM_REVIEW", advisor, inp.next_meeting_date, "R4")
        plan.say("r4_meeting", date=inp.next_meeting_date)
    else:
        plan.task("BOSAM_REVIEW", advisor, inp.received_date, "R4")
        due = plan.tasks["BOSAM_REVIEW"].due_date
        plan.say("r4_no_meeting", date=due)


# R7 — special housing: trial and training flats, SHIS
def rule_special_housing(inp: DecisionInput, plan: _Plan, family: bool) -> None:
    config = plan.config
    lead = dict(config.special_housing_lead)[inp.housing_type]
    for active in inp.active_units:
        plan.assign(active.unit, ASSIGNED, "R7", active.user_id)
    plan.assign(lead, LEAD, "R7")
    if lead != config.tenancy_advisor_unit:
        plan.assign(config.tenancy_advisor_unit, COPY, "R7")
    plan.task("HOUSING_ROUTINE", lead, inp.first_received_date, "R7")
    plan.fired("R7")
    plan.say("r7", housing=inp.housing_type, lead=lead)
    if family:
        rule_child_intake_if_missing(inp, plan, task_unit=lead)


# R2c for a family aktuell elsewhere: the child & youth unit is reached whatever other unit has the family
def rule_child_intake_if_missing(inp: DecisionInput, plan: _Plan, task_unit: str) -> None:
    aktuell_child_units = [a.unit for a in inp.active_units if a.unit in CHILD_AND_YOUTH_UNITS]
    if aktuell_child_units:
        plan.say("r2c_aktuell", unit=aktuell_child_units[0])
        return
    rule_child_intake(inp, plan, task_unit=task_unit)


def child_unit(inp: DecisionInput, plan: _Plan) -> str:
    """The child & youth unit that has the family: an aktuell one, else the intake unit."""
    return next((a.unit for a in inp.active_units if a.unit in CHILD_AND_YOUTH_UNITS), plan.config.child_intake_unit)


# D1 — Kronofogden's reply deadline: the lead unit helps the household answer in time
def rule_help_reply(inp: DecisionInput, plan: _Plan) -> None:
    if inp.reply_deadline is None or inp.notice_type == EVICTION_CANCELLED:
        return
    lead = plan.lead_unit() or plan.config.tenancy_advisor_unit
    plan.task("HELP_REPLY_KRONOFOGDEN", lead, inp.received_date, "D1")
    plan.fired("D1")
    plan.say("d1", date=inp.reply_deadline, lead=lead)


# R9 / R8 / R3b — the eviction day: be there for the children, record what happened
def rule_eviction_day(inp: DecisionInput, plan: _Plan, family: bool) -> None:
    config = plan.config
    if inp.eviction_date is None:
        return
    day = inp.eviction_date
    lead = plan.lead_unit() or config.tenancy_advisor_unit
    children = eviction_children(inp, config)
    if children:
        unit = child_unit(inp, plan)
        plan.assign(unit, ASSIGNED, "R9")
        plan.task("CHILD_INVESTIGATION", unit, inp.received_date, "R9")
        plan.task_due("ATTEND_EVICTION", unit, inp.eviction_date, "R9")
        plan.fired("R9")
        plan.say("r9_eviction", date=day, children=children, unit=unit)
    plan.task_due("EVICTION_OUTCOME", lead, add_working_days(inp.eviction_date, config.due_days("EVICTION_OUTCOME")), "R8")
    plan.fired("R8")
    plan.say("r8", date=day, lead=lead)
    if not family and not inp.contact_established:
        age = oldest_tenant_age(inp.members)
        if age is not None and age >= config.elderly_age_limit:
            # R3c: a person of 65 or more is the äldreomsorg's, not Mottagningsenheten vuxna's [interpretation].
            unit, rule = config.elderly_investigation_unit, "R3c"
        else:
            unit, rule = config.adult_intake_unit, "R3b"
        plan.assign(unit, ASSIGNED, rule)
        plan.task("INVESTIGATION_DECISION", unit, inp.received_date, rule)
        plan.fired(rule)
        plan.say("investigation_decision_eviction_day", date=day, unit=unit, rule=rule)


# D2 — payment commitment: an application for ekonomiskt bistånd is decided before the recovery deadline
def rule_payment_decision(inp: DecisionInput, plan: _Plan) -> None:
    config = plan.config
    applied = inp.payment_application_received_on
    if applied is None:
        return
    unit = config.financial_aid_unit
    plan.assign(unit, ASSIGNED, "D2")
    plan.fired("D2")
    if inp.payment_decided:
        plan.say("d2_decided", unit=unit)
        return
    due = add_working_days(applied, config.due_days("PAYMENT_DECISION"))
    if inp.recovery_deadline is not None:
        due = max(applied, min(due, add_working_days(inp.recovery_deadline, -config.payment_decision_working_days)))
    plan.task_due("PAYMENT_DECISION", unit, due, "D2")
    plan.say("d2_pending", applied=applied, unit=unit, due=due, days=config.payment_decision_working_days)


# R9 — priority for children: the children are visible and counted
def rule_children_visible(inp: DecisionInput, plan: _Plan) -> None:
    plan.fired("R9")
    plan.say("r9_children", children=number_of_children(inp.members))


# --- the decision ---------------------------------------------------------------


def decide(inp: DecisionInput, config: PlanConfig = PlanConfig()) -> Decision:
    """Apply the plan to what is known about a case; see the module docstring."""
    plan = _Plan(config, inp)
    family = is_family_with_children(inp.members)

    if inp.notice_type == EVICTION_CANCELLED:
        plan.say("cancelled")

    if inp.housing_type in dict(config.special_housing_lead):
        rule_special_housing(inp, plan, family)
    elif inp.active_units:
        rule_already_aktuell(inp, plan)
        if family:
            rule_copy_to_tenancy_advisor(inp, plan)
            rule_child_intake_if_missing(inp, plan, task_unit=plan.lead_unit())
    elif family:
        rule_family_not_aktuell(inp, plan)
        rule_send_letter(inp, plan, "R2a")
        rule_phone_family(inp, plan)
        rule_child_intake(inp, plan, task_unit=config.tenancy_advisor_unit)
        rule_home_visit(inp, plan)
    else:
        rule_individual_not_aktuell(inp, plan)
        rule_send_letter(inp, plan, "R3a")
        rule_no_contact_individual(inp, plan)

    rule_help_reply(inp, plan)
    rule_payment_decision(inp, plan)
    rule_eviction_day(inp, plan, family)
    rule_bosam_review(inp, plan)
    if family:
        rule_children_visible(inp, plan)

    only_cancellations = all(t == EVICTION_CANCELLED for t in inp.notice_types_on_case)
    return plan.build(
        inp, FAMILY if family else INDIVIDUAL, drop_tasks=only_cancellations
    )

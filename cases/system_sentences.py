"""The sentences the application writes on deviations and tasks, stored as an id and parameters (issue 12, item 6).

An automatic deviation stores `sentence` + `params` (Deviation.description stays empty) and a task the
application closed stores `note_sentence` + `note_params` (Task.completion_note stays for a person's note);
cases.explanations words them when they are shown, in the reader's language and with the unit's current
name. What a person wrote (a manual deviation, a user's completion note, an override's reason) is kept as
written: as the text field, or as the `reason`/`note` parameter of a sentence.

Parameters are plain JSON: `date` an ISO date, `task` a TaskKind code, `unit` a unit code, `department` a
department code (with `name`, its name when written, for a department no longer there), `result` an
EvictionResult code, `decision` a PaymentDecision code; `reason` and `note` a person's words.

`parse_deviation` and `parse_task_note` read back the Swedish sentences stored before (migration 0025_codes).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from .rules.routing import gettext_noop

# Deviation.sentence → the Swedish sentence (the msgid). The ids are a contract with the stored rows and
# the database constraint on Deviation: add, never rename.
DEVIATION_SENTENCES = {
    "task_overdue": gettext_noop("%(task)s skulle vara klar %(date)s."),
    "eviction_without_contact": gettext_noop("Avhysningsdatumet %(date)s nåddes utan etablerad kontakt."),
    "no_report_of_concern": gettext_noop("Ingen orosanmälan var gjord %(date)s (familj med barn, R2c)."),
    "absent_at_eviction_with_children": gettext_noop(
        "Barn var närvarande vid avhysningen %(date)s men socialtjänsten var inte på plats."
    ),
    "bosam_absence": gettext_noop("%(department)s var inte närvarande på BOSAM-mötet %(date)s."),
    "routing_override": gettext_noop("Ansvaret flyttades manuellt till %(unit)s: %(reason)s"),
}

# The deviation kind each sentence belongs to (the migration reads a kind's old text against its sentence).
DEVIATION_SENTENCE_OF_KIND = {
    "TASK_OVERDUE": "task_overdue",
    "EVICTION_WITHOUT_CONTACT": "eviction_without_contact",
    "NO_REPORT_OF_CONCERN": "no_report_of_concern",
    "ABSENT_AT_EVICTION_WITH_CHILDREN": "absent_at_eviction_with_children",
    "BOSAM_ABSENCE": "bosam_absence",
    "ROUTING_OVERRIDE": "routing_override",
}

# Task.note_sentence → the Swedish sentence. "eviction_result" is the result's label alone.
TASK_NOTE_SENTENCES = {
    "eviction_cancelled": gettext_noop("Avhysningen är återkallad eller inställd."),
    "contact_no_home_visit": gettext_noop("Kontakt etablerad, hembesöket behövs inte (R2d)."),
    "case_closed": gettext_noop("Ärendet avslutades."),
    "assignment_ended": gettext_noop("Enhetens tilldelning avslutades."),
    "bosam_discussed": gettext_noop("Behandlat på BOSAM %(date)s."),
    "eviction_result": "%(result)s",
    "eviction_result_note": gettext_noop("%(result)s: %(note)s"),
    "payment_decision": "%(decision)s",
}

# Sentences whose old text only a task of this kind can have (a person's note on another task stays text).
TASK_NOTE_KINDS = {
    "eviction_result": "EVICTION_OUTCOME",
    "eviction_result_note": "EVICTION_OUTCOME",
    "payment_decision": "PAYMENT_DECISION",
}


# Deviation.status_sentence and DeviationEvent.comment_sentence → the Swedish sentence: the note the
# application writes when it closes an automatic deviation whose cause is gone (issue 13). Add, never rename.
CLOSING_SENTENCES = {
    "task_gone": gettext_noop("Uppgiften finns inte längre; avvikelsen stängdes automatiskt."),
    "task_done_same_day": gettext_noop(
        "Uppgiften slutfördes %(date)s, samma dag som avvikelsen uppstod; avvikelsen stängdes automatiskt."
    ),
    "task_due_moved": gettext_noop("Uppgiftens sista dag flyttades till %(date)s; avvikelsen stängdes automatiskt."),
    "contact_registered_late": gettext_noop("En kontakt %(date)s registrerades i efterhand; avvikelsen stängdes automatiskt."),
    "eviction_date_changed": gettext_noop("Avhysningsdatumet ändrades; avvikelsen stängdes automatiskt."),
}

# Assignment.end_sentence → the Swedish sentence the plan writes when it ends an assignment. `role` an
# AssignmentRole code. Add, never rename.
END_REASON_SENTENCES = {
    "plan_new_role": gettext_noop("Ny roll enligt planen: %(role)s"),
}

# bosam.AgendaItem.added_sentence → the Swedish sentence written when an item not discussed is carried over to
# the next meeting (`date` the meeting it was not discussed at). The chair's own reason stays text. Add, never rename.
AGENDA_SENTENCES = {
    "not_discussed": gettext_noop("Inte behandlat på BOSAM %(date)s."),
}


def deviation(sentence_id: str, **params) -> dict:
    """The fields of an automatic deviation: `Deviation(**deviation("task_overdue", task=…, date=…))`."""
    if sentence_id not in DEVIATION_SENTENCES:
        raise ValueError(sentence_id)
    return {"sentence": sentence_id, "params": _json(params), "description": ""}


def task_note(sentence_id: str, **params) -> dict:
    """The fields of a note the application writes on a task it closes."""
    if sentence_id not in TASK_NOTE_SENTENCES:
        raise ValueError(sentence_id)
    return {"note_sentence": sentence_id, "note_params": _json(params), "completion_note": ""}


def closing(sentence_id: str, **params) -> tuple[str, dict]:
    """The note of an automatic close: (sentence id, params) for Deviation.status_sentence/status_params and
    DeviationEvent.comment_sentence/comment_params (the text fields stay empty)."""
    if sentence_id not in CLOSING_SENTENCES:
        raise ValueError(sentence_id)
    return sentence_id, _json(params)


def end_reason(sentence_id: str, **params) -> dict:
    """The fields of an assignment the plan ends: `end_sentence`, `end_params`, and an empty `end_reason`."""
    if sentence_id not in END_REASON_SENTENCES:
        raise ValueError(sentence_id)
    return {"end_sentence": sentence_id, "end_params": _json(params), "end_reason": ""}


def agenda_reason(sentence_id: str, **params) -> dict:
    """The fields of an agenda item the application carries over: `added_sentence`, `added_params`, empty `added_reason`."""
    if sentence_id not in AGENDA_SENTENCES:
        raise ValueError(sentence_id)
    return {"added_sentence": sentence_id, "added_params": _json(params), "added_reason": ""}


def _json(params: dict) -> dict:
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in params.items()}


# --- reading the old sentences back (migration 0025_codes) --------------------------------------
# They were worded when written, in the language of whoever caused them (the daily checks in Swedish, an
# override or an eviction outcome in the user's language): both languages are read back.

LANGUAGES = ("sv", "en")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"(%\(\w+\)s)", template)
    regex = "".join(f"(?P<{p[2:-2]}>.+?)" if re.fullmatch(r"%\(\w+\)s", p) else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$", re.DOTALL)


@functools.cache
def _patterns(which: str, language: str) -> dict[str, re.Pattern]:
    from django.utils import translation

    templates = {"deviation": DEVIATION_SENTENCES, "task_note": TASK_NOTE_SENTENCES, "closing": CLOSING_SENTENCES,
                 "end_reason": END_REASON_SENTENCES, "agenda": AGENDA_SENTENCES}[which]
    with translation.override(language):
        return {sid: _pattern(t if t.startswith("%(") and t.endswith(")s") else translation.gettext(t)) for sid, t in templates.items()}


def choice_codes(choices) -> dict[str, str]:
    """Label in every language → code, for reading old sentences back (a code reads as itself)."""
    from django.utils import translation

    codes = {value: value for value in choices.values}
    for language in LANGUAGES:
        with translation.override(language):
            codes.update({str(label): value for value, label in choices.choices})
    return codes


def parse_deviation(kind: str, text: str, *, task_kinds: Mapping[str, str], units: Mapping[str, str],
                    departments: Mapping[str, str]) -> tuple[str, dict] | None:
    """An automatic deviation's old description → (sentence id, params), or None when it is not exactly the
    application's sentence. `task_kinds` (choice_codes(TaskKind)), `units`, `departments`: name → code (the
    units and departments of the deviation's organisation)."""
    sentence_id = DEVIATION_SENTENCE_OF_KIND.get(kind)
    if sentence_id is None:
        return None
    for language in LANGUAGES:
        match = _patterns("deviation", language)[sentence_id].match(text or "")
        if match is None:
            continue
        params = _deviation_params(match.groupdict(), task_kinds, units, departments)
        if params is not None:
            return sentence_id, params
    return None


def _deviation_params(params: dict, task_kinds, units, departments) -> dict | None:
    if "date" in params and not _DATE.match(params["date"]):
        return None
    if "task" in params:
        params["task"] = task_kinds.get(params["task"])
    if "unit" in params:
        params["unit"] = units.get(params["unit"])
    if "department" in params:
        name = params["department"]
        params.update(department=departments.get(name), name=name)
    return None if any(value is None for value in params.values()) else params


def parse_task_note(kind: str, text: str, *, results: Mapping[str, str], decisions: Mapping[str, str]) -> tuple[str, dict] | None:
    """A task's old completion note → (sentence id, params) when the application wrote it, else None.
    `results`, `decisions`: choice_codes(EvictionResult), choice_codes(PaymentDecision)."""
    for language in LANGUAGES:
        for sentence_id, pattern in _patterns("task_note", language).items():
            if TASK_NOTE_KINDS.get(sentence_id, kind) != kind:
                continue
            match = pattern.match(text or "")
            if match is None:
                continue
            params = match.groupdict()
            if "date" in params and not _DATE.match(params["date"]):
                continue
            if "result" in params:
                params["result"] = results.get(params["result"])
            if "decision" in params:
                params["decision"] = decisions.get(params["decision"])
            if all(value is not None for value in params.values()):
                return sentence_id, params
    return None


def parse_closing(text: str, which: str = "closing") -> tuple[str, dict] | None:
    """An automatic close's old Swedish note → (sentence id, params), or None (a person's words stay text).
    `which="agenda"`: an agenda item's old reason for being carried over (only a date parameter too)."""
    for sentence_id, pattern in _patterns(which, "sv").items():
        match = pattern.match(text or "")
        if match is None:
            continue
        params = match.groupdict()
        if all(_DATE.match(value) for value in params.values()):
            return sentence_id, params
    return None


def parse_end_reason(text: str, *, roles: Mapping[str, str]) -> tuple[str, dict] | None:
    """An assignment's old Swedish end reason → (sentence id, params) when the plan wrote it, else None.
    `roles`: choice_codes(AssignmentRole)."""
    for sentence_id, pattern in _patterns("end_reason", "sv").items():
        match = pattern.match(text or "")
        if match is None:
            continue
        role = roles.get(match.group("role"))
        if role is not None:
            return sentence_id, {"role": role}
    return None

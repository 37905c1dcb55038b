"""The plan's explanations, worded at display time (issue 12, item 6).

A decision stores each sentence as a rule-sentence id and its parameters
(`{"id": "r1_one", "params": {"lead": "BARN_UNGA"}}`, see cases.rules.routing.SENTENCES);
this module words it in the reader's language, with the unit's current name — as pretix
words its log entries when they are shown, not when they are written. A plain string in
a stored list is an old sentence that could not be read back (migration 0017_casepage): shown as is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext, gettext_lazy

from organisation.models import Unit

from . import system_sentences
from .models import HousingType
from .rules import routing


def unit_names(organisation_id: int) -> dict[str, str]:
    """Unit code → the unit's current name in the organisation (one query)."""
    return dict(Unit.objects.filter(organisation_id=organisation_id).values_list("code", "name"))


def sentence(item: dict | str, names: Mapping[str, str]) -> str:
    """One stored explanation item as a sentence in the active language."""
    if isinstance(item, str):
        return item
    template = routing.SENTENCES.get(item.get("id", ""))
    if template is None:
        return ""
    params = dict(item.get("params") or {})
    for key in routing.UNIT_PARAMS:
        if key in params:
            params[key] = names.get(params[key]) or routing.unit_name(params[key])
    for key in routing.UNIT_LIST_PARAMS:
        if key in params:
            params[key] = ", ".join(names.get(u) or routing.unit_name(u) for u in params[key])
    for key in routing.HOUSING_PARAMS:
        if key in params:
            params[key] = _housing(params[key])
    try:
        return gettext(template).format(**params)
    except (KeyError, IndexError, ValueError):  # a parameter missing from an old item
        return ""


def _housing(code: str) -> str:
    """The housing type's name inside a sentence: "försökslägenhet", but "SHIS-lägenhet" as it is."""
    if code not in HousingType.values:
        return code
    label = str(HousingType(code).label)
    return label[0].lower() + label[1:] if label[1:2].islower() else label


def sentences(items: Iterable[dict | str], names: Mapping[str, str]) -> list[str]:
    return [text for text in (sentence(item, names) for item in items or ()) if text]


# --- reading old sentences back (data migration 0017_casepage) ---------------------------

_UNIT_CODES = {name: code for code, name in routing.UNIT_NAMES.items()}
_HOUSING_CODES = {name: code for code, name in routing.HOUSING_NAMES.items()}


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"({\w+})", template)
    regex = "".join(f"(?P<{p[1:-1]}>.+?)" if re.fullmatch(r"{\w+}", p) else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$")


_PATTERNS = [(sentence_id, _pattern(template)) for sentence_id, template in routing.SENTENCES.items()]


def parse(text: str) -> dict | None:
    """An old stored Swedish sentence → {"id", "params"}, or None when it matches no sentence exactly."""
    for sentence_id, pattern in _PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        params = _params(match.groupdict())
        if params is not None and routing.swedish_sentence({"id": sentence_id, "params": params}) == text:
            return {"id": sentence_id, "params": params}
    return None


def _params(raw: dict[str, str]) -> dict | None:
    params: dict = {}
    for key, value in raw.items():
        if key in routing.UNIT_PARAMS:
            params[key] = _UNIT_CODES.get(value, value)
        elif key in routing.UNIT_LIST_PARAMS:
            params[key] = [_UNIT_CODES.get(v, v) for v in value.split(", ")]
        elif key in routing.HOUSING_PARAMS:
            params[key] = _HOUSING_CODES.get(value, value)
        elif key in ("days", "age", "limit", "children"):
            if not value.isdigit():
                return None
            params[key] = int(value)
        else:
            params[key] = value
    return params


def parse_all(items: Iterable) -> list:
    """A stored list with every sentence that can be read back as data; the others kept as text."""
    return [item if not isinstance(item, str) else (parse(item) or item) for item in items or ()]


# --- codes in stored technical text (the audit log's detail) ----------------------

_CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b[A-Z]{3,}\b")


def _code_labels() -> dict:
    from . import models

    labels: dict = {}
    for choices in (
        models.NoticeType, models.TaskKind, models.ContactChannel, models.ConsentRecipient, models.Outcome,
        models.DeviationKind, models.AssignmentRole, models.EvictionResult, models.PaymentDecision,
        models.DeviationStatus, models.SenderKind, models.NoticeGround,
    ):
        for value, label in choices.choices:
            labels.setdefault(value, label)
    labels["PAYMENT_COMMITMENT"] = _PAYMENT_COMMITMENT
    labels["PENDING"] = _PENDING
    return labels


_PAYMENT_COMMITMENT = gettext_lazy("Betalningsförbindelse")
_PENDING = gettext_lazy("inget beslut ännu")


def code_labels(text: str, names: Mapping[str, str]) -> str:
    """Every code in `text` (RENT_ARREARS_TERMINATION, BARN_UNGA …) replaced by its label or the unit's name."""
    if not text:
        return text
    labels = _code_labels()

    def label(match: re.Match) -> str:
        code = match.group()
        return str(names.get(code) or labels.get(code) or code)

    return _CODE.sub(label, text)


# --- deviations and task notes the application wrote (cases.system_sentences) ------------------


def department_names(organisation_id: int) -> dict[str, str]:
    """Department code → the department's current name in the organisation (one query)."""
    from organisation.models import Department

    return dict(Department.objects.filter(organisation_id=organisation_id).values_list("code", "name"))


def organisation_names(organisation_id: int | None) -> tuple[dict[str, str], dict[str, str]]:
    """(unit code → name, department code → name) of the organisation: what a list of deviations needs (two queries)."""
    if organisation_id is None:
        return {}, {}
    return unit_names(organisation_id), department_names(organisation_id)


def _choice_label(choices, code: str) -> str:
    return str(choices(code).label) if code in choices.values else code


def _worded(params: Mapping, units: Mapping[str, str], departments: Mapping[str, str]) -> dict:
    from .models import AssignmentRole, EvictionResult, PaymentDecision, TaskKind

    values = dict(params)
    if "task" in values:
        values["task"] = _choice_label(TaskKind, values["task"])
    if "unit" in values:
        values["unit"] = units.get(values["unit"]) or routing.unit_name(values["unit"])
    if "department" in values:
        values["department"] = departments.get(values["department"]) or values.get("name") or values["department"]
    if "result" in values:
        values["result"] = _choice_label(EvictionResult, values["result"])
    if "decision" in values:
        values["decision"] = _choice_label(PaymentDecision, values["decision"])
    if "role" in values:
        values["role"] = _choice_label(AssignmentRole, values["role"])
    return values


def _system_sentence(templates: Mapping[str, str], sentence_id: str, params: Mapping,
                     units: Mapping[str, str], departments: Mapping[str, str]) -> str:
    template = templates.get(sentence_id)
    if template is None:
        return ""
    # A template that is only a parameter ("%(result)s") is not a msgid: the label is translated itself.
    text = template if template.startswith("%(") and template.endswith(")s") else gettext(template)
    try:
        return text % _worded(params or {}, units, departments)
    except (KeyError, TypeError, ValueError):  # a parameter missing from a stored row
        return ""


def deviation_text(deviation, units: Mapping[str, str] | None = None, departments: Mapping[str, str] | None = None) -> str:
    """A deviation's description: the application's sentence in the reader's language (the unit's and the
    department's current names when given), or a person's text as written."""
    if deviation.sentence:
        return _system_sentence(system_sentences.DEVIATION_SENTENCES, deviation.sentence, deviation.params,
                                units or {}, departments or {}) or deviation.description
    return deviation.description


def task_note_text(task, units: Mapping[str, str] | None = None) -> str:
    """A closed task's note: the application's sentence in the reader's language, or a person's note as written."""
    if task.note_sentence:
        return _system_sentence(system_sentences.TASK_NOTE_SENTENCES, task.note_sentence, task.note_params,
                                units or {}, {}) or task.completion_note
    return task.completion_note


def closing_text(sentence_id: str, params: Mapping, text: str) -> str:
    """The note of an automatic close (Deviation.status_*, DeviationEvent.comment_*) in the reader's language,
    or a person's comment as written."""
    if sentence_id:
        return _system_sentence(system_sentences.CLOSING_SENTENCES, sentence_id, params, {}, {}) or text
    return text


def end_reason_text(assignment) -> str:
    """Why an assignment ended: the plan's sentence in the reader's language, or a person's reason as written."""
    if assignment.end_sentence:
        return _system_sentence(system_sentences.END_REASON_SENTENCES, assignment.end_sentence, assignment.end_params,
                                {}, {}) or assignment.end_reason
    return assignment.end_reason


def agenda_reason_text(sentence_id: str, params: Mapping, text: str) -> str:
    """Why an item is on the agenda: the application's sentence (carried over) in the reader's language, or the
    chair's reason as written."""
    if sentence_id:
        return _system_sentence(system_sentences.AGENDA_SENTENCES, sentence_id, params, {}, {}) or text
    return text

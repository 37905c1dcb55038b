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


# --- deviations raised by the application -----------------------------------------

# The sentences the services write for automatic deviations, by kind (the same msgids as there). A stored
# description is read back against its kind's sentence and worded again in the reader's language; a description
# that does not match (written by a person, or by an older wording) is shown as it was stored.
DEVIATION_SENTENCES = {
    "TASK_OVERDUE": routing.gettext_noop("%(task)s skulle vara klar %(date)s."),
    "EVICTION_WITHOUT_CONTACT": routing.gettext_noop("Avhysningsdatumet %(date)s nåddes utan etablerad kontakt."),
    "NO_REPORT_OF_CONCERN": routing.gettext_noop("Ingen orosanmälan var gjord %(date)s (familj med barn, R2c)."),
    "ABSENT_AT_EVICTION_WITH_CHILDREN": routing.gettext_noop(
        "Barn var närvarande vid avhysningen %(date)s men socialtjänsten var inte på plats."
    ),
    "BOSAM_ABSENCE": routing.gettext_noop("%(department)s var inte närvarande på BOSAM-mötet %(date)s."),
    "ROUTING_OVERRIDE": routing.gettext_noop("Ansvaret flyttades manuellt till %(unit)s: %(reason)s"),
}


def _percent_pattern(template: str) -> re.Pattern:
    parts = re.split(r"(%\(\w+\)s)", template)
    regex = "".join(f"(?P<{p[2:-2]}>.+?)" if re.fullmatch(r"%\(\w+\)s", p) else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$", re.DOTALL)


_DEVIATION_PATTERNS = {kind: _percent_pattern(template) for kind, template in DEVIATION_SENTENCES.items()}


def deviation_description(kind: str, description: str) -> str:
    """A deviation's description in the reader's language when the application wrote it; else as stored."""
    from django.utils import translation

    from .models import TaskKind

    pattern = _DEVIATION_PATTERNS.get(kind)
    match = pattern.match(description or "") if pattern else None
    if match is None:
        return description
    params = match.groupdict()
    if "task" in params:
        with translation.override("sv"):
            codes = {str(label): value for value, label in TaskKind.choices}
        code = codes.get(params["task"])
        if code is None:
            return description
        params["task"] = str(TaskKind(code).label)
    return gettext(DEVIATION_SENTENCES[kind]) % params


# The notes the application writes when it closes a task (cases.services, bosam.services): worded again like the
# deviations above; a person's note is shown as written.
TASK_NOTE_SENTENCES = (
    routing.gettext_noop("Avhysningen är återkallad eller inställd."),
    routing.gettext_noop("Kontakt etablerad, hembesöket behövs inte (R2d)."),
    routing.gettext_noop("Ärendet avslutades."),
    routing.gettext_noop("Enhetens tilldelning avslutades."),
    routing.gettext_noop("Behandlat på BOSAM %(date)s."),
)
_TASK_NOTE_PATTERNS = [(template, _percent_pattern(template)) for template in TASK_NOTE_SENTENCES]


def task_note(note: str) -> str:
    """A task's completion note in the reader's language when the application wrote it; else as stored."""
    for template, pattern in _TASK_NOTE_PATTERNS:
        match = pattern.match(note or "")
        if match is not None:
            return gettext(template) % match.groupdict() if match.groupdict() else gettext(template)
    return note

"""Every code the plan (cases/rules/routing.py) and the case facts emit is a member of the model's choices
(docs/domain/codes.md: the codes are a contract), and the Kronofogden-stage notice types are listed once."""

import ast
import itertools
import re
from datetime import date
from pathlib import Path

from django.db import models

from cases import models as case_models
from cases.models import AssignmentRole, CaseFlag, HousingType, MemberRole, NoticeType, TaskKind
from cases.rules import case_facts, routing
from organisation.defaults import UNITS

ROOT = Path(__file__).resolve().parent.parent
UNIT_CODES = {code for code, _name, _department in UNITS}
ALL_CHOICES = set().union(*(
    set(obj.values) for obj in vars(case_models).values()
    if isinstance(obj, type) and issubclass(obj, models.TextChoices) and obj is not models.TextChoices
))


def test_every_upper_case_code_in_routing_py_is_a_known_code():
    """A static sweep: any code-like string literal in routing.py is a choice, a unit code or a household category."""
    tree = ast.parse((ROOT / "cases/rules/routing.py").read_text(encoding="utf-8"))
    literals = {
        node.value for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"[A-Z][A-Z0-9_]+", node.value)
        and not re.fullmatch(r"[RD]\d+[a-z]?", node.value)  # rule ids (R1, R2d, D1) are the plan's, not model codes
    }
    # FAMILY/INDIVIDUAL is the decision's household category: shown, never stored, so no model choices.
    unknown = literals - ALL_CHOICES - UNIT_CODES - {routing.FAMILY, routing.INDIVIDUAL}
    assert unknown == set()


def _inputs():
    members_by_kind = {
        "family": (routing.Member(MemberRole.TENANT, 40), routing.Member(MemberRole.CHILD, 6, "LIVING")),
        "adult": (routing.Member(MemberRole.TENANT, 40),),
        "elderly": (routing.Member(MemberRole.TENANT, 80),),
    }
    for notice_type, members, housing, contact, phone in itertools.product(
        NoticeType.values, members_by_kind.values(), HousingType.values, (False, True), (False, True)
    ):
        for today in (date(2026, 11, 20), date(2026, 12, 20)):
            yield routing.DecisionInput(
                notice_type=notice_type, notice_types_on_case=(notice_type,), received_date=date(2026, 11, 20),
                first_received_date=date(2026, 11, 20), members=members,
                active_units=(routing.ActiveUnit("EKONOMISKT_BISTAND", None),), housing_type=housing, phone_known=phone,
                contact_established=contact, letter_sent_date=date(2026, 11, 23), today=today,
                next_meeting_date=date(2026, 12, 1),
            )


def test_every_code_the_plan_emits_is_a_member_of_the_choices():
    config = routing.PlanConfig()
    kinds, roles, units = set(), set(), set()
    for inp in _inputs():
        decision = routing.decide(inp, config)
        kinds |= {t.kind for t in decision.tasks}
        roles |= {a.role for a in decision.assignments}
        units |= {a.unit for a in decision.assignments} | {t.unit for t in decision.tasks}
    assert kinds and kinds <= set(TaskKind.values)
    assert roles and roles <= set(AssignmentRole.values)
    assert units and units <= UNIT_CODES
    assert {kind for kind, _days in config.task_due_working_days} <= set(TaskKind.values)
    assert {housing for housing, _unit in config.special_housing_lead} <= set(HousingType.values)
    assert set(routing.KRONOFOGDEN_NOTICES) <= set(NoticeType.values)


def test_every_flag_the_case_facts_set_is_a_case_flag():
    notices = [case_facts.NoticeFacts(NoticeType.RENT_ARREARS_TERMINATION, date(2026, 11, 20)),
               case_facts.NoticeFacts(NoticeType.DISTURBANCE_TERMINATION, date(2026, 11, 21), order=1)]
    flags = case_facts.case_flags(notices)
    assert len(flags) == 2 and set(flags) <= set(CaseFlag.values)
    assert {case_facts.FLAG_SERVED_DATE_MISSING, case_facts.FLAG_DISTURBANCE_WITHOUT_WARNING} == set(CaseFlag.values)


KRONOFOGDEN_PAIR = {"EVICTION_APPLICATION", "EVICTION_DATE"}


def _names(node) -> set[str]:
    names = set()
    for element in getattr(node, "elts", []):
        if isinstance(element, ast.Constant) and isinstance(element.value, str):
            names.add(element.value)
        elif isinstance(element, ast.Attribute):
            names.add(element.attr)
        elif isinstance(element, ast.Name):
            names.add(element.id)
    return names


def test_the_kronofogden_notice_types_are_listed_once():
    """Only routing.py lists EVICTION_APPLICATION with EVICTION_DATE (a tuple, list or set); the rest import KRONOFOGDEN_NOTICES."""
    found = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in (".venv", "tests") or "migrations" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # Exactly the Kronofogden pair; an ordering of all notice types (bosam's agenda) is another rule.
            if isinstance(node, ast.Tuple | ast.List | ast.Set) and _names(node) & set(NoticeType.values) == KRONOFOGDEN_PAIR:
                found.append(f"{relative}:{node.lineno}")
    source = (ROOT / "cases/rules/routing.py").read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(source, start=1) if text.startswith("KRONOFOGDEN_NOTICES = "))
    assert found == [f"cases/rules/routing.py:{line}"]

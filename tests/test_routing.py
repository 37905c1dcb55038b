"""The handlingsplan's routing rules (cases/rules/routing.py); pure, no database."""

import dataclasses
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from cases.rules.routing import (
    PLAN_VERSION_DEFAULT,
    ActiveUnit,
    DecisionInput,
    Member,
    PlanConfig,
    contact_window_end,
    decide,
    is_family_with_children,
    proceeds_to_eviction,
)

RECEIVED = date(2026, 3, 2)  # a Monday

ADULT_40 = (Member("TENANT", 40),)
ADULT_70 = (Member("TENANT", 70),)
FAMILY_2 = (
    Member("TENANT", 35),
    Member("CO_TENANT", 37),
    Member("CHILD", 4, "LIVING"),
    Member("CHILD", 9, "ALTERNATING"),
)


def make_input(**overrides) -> DecisionInput:
    values = {
        "notice_type": "RENT_ARREARS_TERMINATION",
        "notice_types_on_case": None,
        "received_date": RECEIVED,
        "first_received_date": RECEIVED,
        "members": ADULT_40,
        "active_units": (),
        "housing_type": "ORDINARY",
        "phone_known": True,
        "contact_established": False,
        "letter_sent_date": None,
        "today": RECEIVED,
        "next_meeting_date": None,
    }
    values.update(overrides)
    if values["notice_types_on_case"] is None:
        values["notice_types_on_case"] = (values["notice_type"],)
    return DecisionInput(**values)


def roles(decision):
    return {(a.unit, a.role) for a in decision.assignments}


def kinds(decision):
    return {t.kind for t in decision.tasks}


def lead(decision):
    leads = [a.unit for a in decision.assignments if a.role == "LEAD"]
    assert len(leads) == 1
    return leads[0]


def task(decision, kind):
    return next(t for t in decision.tasks if t.kind == kind)


EVICTION = {
    "notice_type": "EVICTION_APPLICATION",
    "notice_types_on_case": ("RENT_ARREARS_TERMINATION", "EVICTION_APPLICATION"),
    "received_date": date(2026, 4, 20),
    "today": date(2026, 4, 20),
}

SCENARIOS = [
    pytest.param(
        {
            "members": FAMILY_2,
            "active_units": (
                ActiveUnit("VUXNA", 7),
                ActiveUnit("EKONOMISKT_BISTAND", 8),
                ActiveUnit("BARN_UNGA", 9),
            ),
        },
        {
            ("BARN_UNGA", "LEAD"),
            ("VUXNA", "ASSIGNED"),
            ("EKONOMISKT_BISTAND", "ASSIGNED"),
            ("HYRESRADGIVNING", "COPY"),
        },
        {"COPY_TO_TENANCY_ADVISOR", "BOSAM_REVIEW"},
        ("R1", "R1a", "R4", "R9"),
        "FAMILY",
        id="aktuell-family-several-units-precedence",
    ),
    pytest.param(
        {"active_units": (ActiveUnit("EKONOMISKT_BISTAND", 8),)},
        {("EKONOMISKT_BISTAND", "LEAD")},
        {"BOSAM_REVIEW"},
        ("R1", "R4"),
        "INDIVIDUAL",
        id="aktuell-individual",
    ),
    pytest.param(
        {"members": FAMILY_2},
        {("HYRESRADGIVNING", "LEAD"), ("MOTTAGNING_BARN_UNGA", "ASSIGNED")},
        {
            "SEND_LETTER",
            "PHONE_CONTACT",
            "NOTIFY_CHILD_INTAKE",
            "REPORT_OF_CONCERN",
            "BOSAM_REVIEW",
        },
        ("R2", "R2a", "R2b", "R2c", "R4", "R9"),
        "FAMILY",
        id="family-not-aktuell-with-phone",
    ),
    pytest.param(
        {"members": FAMILY_2, "phone_known": False},
        {("HYRESRADGIVNING", "LEAD"), ("MOTTAGNING_BARN_UNGA", "ASSIGNED")},
        {"SEND_LETTER", "NOTIFY_CHILD_INTAKE", "REPORT_OF_CONCERN", "BOSAM_REVIEW"},
        ("R2", "R2a", "R2c", "R4", "R9"),
        "FAMILY",
        id="family-not-aktuell-without-phone",
    ),
    pytest.param(
        dict(members=FAMILY_2, **EVICTION),
        {("HYRESRADGIVNING", "LEAD"), ("MOTTAGNING_BARN_UNGA", "ASSIGNED")},
        {
            "SEND_LETTER",
            "PHONE_CONTACT",
            "NOTIFY_CHILD_INTAKE",
            "REPORT_OF_CONCERN",
            "HOME_VISIT",
            "BOSAM_REVIEW",
        },
        ("R2", "R2a", "R2b", "R2c", "R2d", "R4", "R9"),
        "FAMILY",
        id="family-kronofogden-without-contact-home-visit-at-once",
    ),
    pytest.param(
        dict(members=FAMILY_2, contact_established=True, **EVICTION),
        {("HYRESRADGIVNING", "LEAD"), ("MOTTAGNING_BARN_UNGA", "ASSIGNED")},
        {
            "SEND_LETTER",
            "PHONE_CONTACT",
            "NOTIFY_CHILD_INTAKE",
            "REPORT_OF_CONCERN",
            "BOSAM_REVIEW",
        },
        ("R2", "R2a", "R2b", "R2c", "R4", "R9"),
        "FAMILY",
        id="family-kronofogden-contact-established-no-visit",
    ),
    pytest.param(
        {},
        {("HYRESRADGIVNING", "LEAD")},
        {"SEND_LETTER", "BOSAM_REVIEW"},
        ("R3", "R3a", "R4"),
        "INDIVIDUAL",
        id="individual-not-aktuell",
    ),
    pytest.param(
        dict(**EVICTION),
        {("MOTTAGNING_VUXNA", "LEAD"), ("HYRESRADGIVNING", "ASSIGNED")},
        {"SEND_LETTER", "HANDOVER_ADULT_INTAKE", "BOSAM_REVIEW"},
        ("R3", "R3a", "R3b", "R4"),
        "INDIVIDUAL",
        id="individual-40-eviction-handover",
    ),
    pytest.param(
        dict(members=(Member("TENANT", 64),), **EVICTION),
        {("MOTTAGNING_VUXNA", "LEAD"), ("HYRESRADGIVNING", "ASSIGNED")},
        {"SEND_LETTER", "HANDOVER_ADULT_INTAKE", "BOSAM_REVIEW"},
        ("R3", "R3a", "R3b", "R4"),
        "INDIVIDUAL",
        id="individual-64-eviction-handover",
    ),
    pytest.param(
        dict(members=ADULT_70, **EVICTION),
        {("HYRESRADGIVNING", "LEAD"), ("AO_UPPSOKARE", "ASSIGNED")},
        {"SEND_LETTER", "CONTACT_ELDERLY_OUTREACH", "BOSAM_REVIEW"},
        ("R3", "R3a", "R3c", "R4"),
        "INDIVIDUAL",
        id="individual-70-eviction-elderly-outreach",
    ),
    pytest.param(
        dict(members=(Member("TENANT", 65), Member("CO_TENANT", 60)), **EVICTION),
        {("HYRESRADGIVNING", "LEAD"), ("AO_UPPSOKARE", "ASSIGNED")},
        {"SEND_LETTER", "CONTACT_ELDERLY_OUTREACH", "BOSAM_REVIEW"},
        ("R3", "R3a", "R3c", "R4"),
        "INDIVIDUAL",
        id="couple-oldest-65-eviction-elderly-outreach",
    ),
    pytest.param(
        dict(contact_established=True, **EVICTION),
        {("HYRESRADGIVNING", "LEAD")},
        {"SEND_LETTER", "BOSAM_REVIEW"},
        ("R3", "R3a", "R4"),
        "INDIVIDUAL",
        id="individual-eviction-contact-established-no-handover",
    ),
    pytest.param(
        dict(members=ADULT_70, contact_established=True, **EVICTION),
        {("HYRESRADGIVNING", "LEAD")},
        {"SEND_LETTER", "BOSAM_REVIEW"},
        ("R3", "R3a", "R4"),
        "INDIVIDUAL",
        id="individual-70-eviction-contact-established",
    ),
    pytest.param(
        {"members": FAMILY_2, "housing_type": "TRAINING_FLAT"},
        {
            ("BOSTAD", "LEAD"),
            ("HYRESRADGIVNING", "COPY"),
            ("MOTTAGNING_BARN_UNGA", "ASSIGNED"),
        },
        {"HOUSING_ROUTINE", "NOTIFY_CHILD_INTAKE", "REPORT_OF_CONCERN", "BOSAM_REVIEW"},
        ("R2c", "R4", "R7", "R9"),
        "FAMILY",
        id="family-training-flat",
    ),
    pytest.param(
        {"housing_type": "TRAINING_FLAT", "active_units": (ActiveUnit("VUXNA", 5),)},
        {("BOSTAD", "LEAD"), ("VUXNA", "ASSIGNED"), ("HYRESRADGIVNING", "COPY")},
        {"HOUSING_ROUTINE", "BOSAM_REVIEW"},
        ("R4", "R7"),
        "INDIVIDUAL",
        id="individual-training-flat-aktuell",
    ),
    pytest.param(
        dict(housing_type="TRIAL_FLAT", **EVICTION),
        {("BOSTAD", "LEAD"), ("HYRESRADGIVNING", "COPY")},
        {"HOUSING_ROUTINE", "BOSAM_REVIEW"},
        ("R4", "R7"),
        "INDIVIDUAL",
        id="individual-trial-flat-eviction-no-r3b",
    ),
    pytest.param(
        {
            "members": FAMILY_2,
            "housing_type": "SHIS",
            "active_units": (ActiveUnit("BARN_UNGA", 9),),
        },
        {("BOSTAD", "LEAD"), ("BARN_UNGA", "ASSIGNED"), ("HYRESRADGIVNING", "COPY")},
        {"HOUSING_ROUTINE", "BOSAM_REVIEW"},
        ("R4", "R7", "R9"),
        "FAMILY",
        id="family-shis-child-unit-aktuell-no-r2c",
    ),
    pytest.param(
        {"members": (Member("TENANT", 70), Member("CHILD", 12, "VISITING"))},
        {("HYRESRADGIVNING", "LEAD"), ("MOTTAGNING_BARN_UNGA", "ASSIGNED")},
        {
            "SEND_LETTER",
            "PHONE_CONTACT",
            "NOTIFY_CHILD_INTAKE",
            "REPORT_OF_CONCERN",
            "BOSAM_REVIEW",
        },
        ("R2", "R2a", "R2b", "R2c", "R4", "R9"),
        "FAMILY",
        id="elderly-with-child-is-family",
    ),
]


@pytest.mark.parametrize(
    "overrides, expected_roles, expected_kinds, expected_rules, category", SCENARIOS
)
def test_scenarios(overrides, expected_roles, expected_kinds, expected_rules, category):
    inp = make_input(**overrides)
    decision = decide(inp)
    assert roles(decision) == expected_roles
    assert kinds(decision) == expected_kinds
    assert decision.rules_fired == expected_rules
    assert decision.household_category == category
    assert decision.plan_version == PLAN_VERSION_DEFAULT
    lead(decision)  # exactly one LEAD
    assert len({a.unit for a in decision.assignments}) == len(decision.assignments)
    for sentence in decision.explanation:
        assert re.search(r"\(R\d", sentence), sentence
    assert decide(inp) == decision  # deterministic


def test_r1_precedence_and_user_ids():
    inp = make_input(
        members=FAMILY_2,
        active_units=(
            ActiveUnit("ZZ_NEW_UNIT", 1),
            ActiveUnit("AA_NEW_UNIT", 2),
            ActiveUnit("VUXNA", 7),
            ActiveUnit("EKONOMISKT_BISTAND", 8),
            ActiveUnit("MOTTAGNING_BARN_UNGA", 9),
        ),
    )
    decision = decide(inp)
    assert [(a.unit, a.role, a.user_id) for a in decision.assignments] == [
        ("MOTTAGNING_BARN_UNGA", "LEAD", 9),
        ("VUXNA", "ASSIGNED", 7),
        ("EKONOMISKT_BISTAND", "ASSIGNED", 8),
        (
            "AA_NEW_UNIT",
            "ASSIGNED",
            2,
        ),  # units outside the precedence list: after, alphabetically
        ("ZZ_NEW_UNIT", "ASSIGNED", 1),
        ("HYRESRADGIVNING", "COPY", None),
    ]
    assert task(decision, "COPY_TO_TENANCY_ADVISOR").unit == "HYRESRADGIVNING"
    assert decision.assignments[0].rules == ("R1",)


def test_r1_configurable_precedence():
    config = PlanConfig(lead_precedence=("EKONOMISKT_BISTAND", "VUXNA"))
    decision = decide(
        make_input(
            active_units=(ActiveUnit("VUXNA", 7), ActiveUnit("EKONOMISKT_BISTAND", 8))
        ),
        config,
    )
    assert lead(decision) == "EKONOMISKT_BISTAND"


def test_r1a_no_copy_when_tenancy_advisor_already_aktuell():
    decision = decide(
        make_input(members=FAMILY_2, active_units=(ActiveUnit("HYRESRADGIVNING", 3),))
    )
    assert roles(decision) == {("HYRESRADGIVNING", "LEAD")}
    assert "COPY_TO_TENANCY_ADVISOR" not in kinds(decision)


def test_r2_explanation_and_r9_children_count():
    decision = decide(make_input(members=FAMILY_2))
    assert (
        "Familj med barn som inte är aktuell: hyresrådgivaren ansvarar (R2)."
        in decision.explanation
    )
    assert "Hushållet har 2 barn (R9)." in decision.explanation
    assert decision.escalations_pending == ("R2d",)


def test_r2c_and_r2d_task_units():
    decision = decide(
        make_input(
            members=FAMILY_2, **dict(EVICTION, first_received_date=date(2026, 4, 14))
        )
    )
    for kind in (
        "SEND_LETTER",
        "PHONE_CONTACT",
        "NOTIFY_CHILD_INTAKE",
        "REPORT_OF_CONCERN",
        "HOME_VISIT",
    ):
        assert task(decision, kind).unit == "HYRESRADGIVNING"
    assert any(
        "Mottagningsenheten barn och unga" in s and "(R2d)" in s
        for s in decision.explanation
    )
    # window still running (ends 2026-04-28): the Kronofogden notice escalates at once,
    # counting from today 2026-04-20 (Mon) + 5 working days
    assert task(decision, "HOME_VISIT").due_date == date(2026, 4, 27)
    assert decision.escalations_pending == ()


def test_r2d_window_already_passed_counts_from_escalation_date():
    # first notice 2026-03-02, window ends 2026-03-16, escalation date 2026-03-17 (+5 -> 2026-03-24),
    # even though the Kronofogden notice only came on 2026-04-20
    decision = decide(make_input(members=FAMILY_2, **EVICTION))
    assert task(decision, "HOME_VISIT").due_date == date(2026, 3, 24)


def test_r3_handover_and_outreach_task_units():
    handover = decide(make_input(**EVICTION))
    assert task(handover, "HANDOVER_ADULT_INTAKE").unit == "MOTTAGNING_VUXNA"
    assert task(handover, "HANDOVER_ADULT_INTAKE").due_date == date(2026, 4, 21)
    outreach = decide(make_input(members=ADULT_70, **EVICTION))
    assert task(outreach, "CONTACT_ELDERLY_OUTREACH").unit == "AO_UPPSOKARE"
    assert "HANDOVER_ADULT_INTAKE" not in kinds(outreach)


def test_r3c_age_limit_is_configurable():
    inp = make_input(members=(Member("TENANT", 66),), **EVICTION)
    assert "R3c" in decide(inp).rules_fired
    assert "R3b" in decide(inp, PlanConfig(elderly_age_limit=67)).rules_fired


def test_r3_unknown_age_is_handover():
    decision = decide(make_input(members=(Member("TENANT", None),), **EVICTION))
    assert "R3b" in decision.rules_fired


def test_r7_family_tasks_belong_to_lead_unit():
    decision = decide(make_input(members=FAMILY_2, housing_type="TRAINING_FLAT"))
    assert task(decision, "HOUSING_ROUTINE").unit == "BOSTAD"
    assert task(decision, "NOTIFY_CHILD_INTAKE").unit == "BOSTAD"
    assert task(decision, "HOUSING_ROUTINE").due_date == date(2026, 3, 4)


def test_r7_lead_unit_aktuell_keeps_its_case_worker():
    decision = decide(
        make_input(housing_type="SHIS", active_units=(ActiveUnit("BOSTAD", 11),))
    )
    assert [(a.unit, a.role, a.user_id) for a in decision.assignments] == [
        ("BOSTAD", "LEAD", 11),
        ("HYRESRADGIVNING", "COPY", None),
    ]


# --- R2d: the contact window, across Christmas 2026 ------------------------------

LETTER_SENT = date(
    2026, 12, 14
)  # Monday; 10 working days later = Wednesday 30 December


@pytest.mark.parametrize(
    "today, visit",
    [
        (date(2026, 12, 29), False),
        (
            date(2026, 12, 30),
            False,
        ),  # last day of the window: contact today is still in time
        (date(2026, 12, 31), False),  # Nyårsafton
        (date(2027, 1, 1), False),  # Nyårsdagen
        (date(2027, 1, 3), False),  # Sunday
        (date(2027, 1, 4), True),  # first working day after the window
        (date(2027, 1, 5), True),
    ],
)
def test_r2d_escalates_on_first_working_day_after_window(today, visit):
    inp = make_input(
        members=FAMILY_2,
        received_date=date(2026, 12, 11),
        first_received_date=date(2026, 12, 11),
        letter_sent_date=LETTER_SENT,
        today=today,
    )
    assert contact_window_end(inp, PlanConfig()) == date(2026, 12, 30)
    decision = decide(inp)
    assert ("HOME_VISIT" in kinds(decision)) is visit
    assert ("R2d" in decision.rules_fired) is visit
    assert decision.escalations_pending == (() if visit else ("R2d",))
    if visit:
        # counts from the escalation date 2027-01-04: 5 working days over Trettondedag jul
        assert task(decision, "HOME_VISIT").due_date == date(2027, 1, 12)
    else:
        assert any(
            "2026-12-30" in s and "2027-01-04" in s for s in decision.explanation
        )


def test_r2d_contact_established_stops_escalation():
    decision = decide(
        make_input(
            members=FAMILY_2,
            letter_sent_date=LETTER_SENT,
            today=date(2027, 2, 1),
            contact_established=True,
        )
    )
    assert "HOME_VISIT" not in kinds(decision)
    assert decision.escalations_pending == ()


def test_r2d_window_counts_from_first_notice_without_letter():
    inp = make_input(members=FAMILY_2, first_received_date=date(2026, 12, 14))
    assert contact_window_end(inp, PlanConfig()) == date(2026, 12, 30)
    assert contact_window_end(inp, PlanConfig(contact_window_working_days=5)) == date(
        2026, 12, 21
    )


# --- due dates, R4 ----------------------------------------------------------------


def test_base_task_due_dates_count_from_first_notice():
    inp = make_input(
        members=FAMILY_2,
        first_received_date=date(2026, 12, 23),
        notice_type="DISTURBANCE_TERMINATION",
        notice_types_on_case=("DISTURBANCE_WARNING", "DISTURBANCE_TERMINATION"),
        received_date=date(2027, 1, 11),
        today=date(2027, 1, 11),
    )
    decision = decide(inp)
    assert task(decision, "SEND_LETTER").due_date == date(2026, 12, 28)
    assert task(decision, "PHONE_CONTACT").due_date == date(2026, 12, 29)
    assert task(decision, "REPORT_OF_CONCERN").due_date == date(2026, 12, 28)
    # R4 counts from the latest notice when no meeting is planned
    assert task(decision, "BOSAM_REVIEW").due_date == date(2027, 1, 25)


def test_r4_due_on_next_meeting():
    decision = decide(make_input(next_meeting_date=date(2026, 3, 11)))
    assert task(decision, "BOSAM_REVIEW").due_date == date(2026, 3, 11)
    assert task(decision, "BOSAM_REVIEW").unit == "HYRESRADGIVNING"
    assert any("2026-03-11" in s and "(R4)" in s for s in decision.explanation)


# --- EVICTION_CANCELLED ------------------------------------------------------------

CANCELLED = {
    "notice_type": "EVICTION_CANCELLED",
    "notice_types_on_case": (
        "RENT_ARREARS_TERMINATION",
        "EVICTION_APPLICATION",
        "EVICTION_CANCELLED",
    ),
}


def test_cancelled_adds_nothing_new():
    before = decide(make_input(members=FAMILY_2, **EVICTION))
    after = decide(
        make_input(
            members=FAMILY_2,
            received_date=date(2026, 5, 4),
            today=date(2026, 5, 4),
            **CANCELLED,
        )
    )
    assert kinds(after) <= kinds(before)
    assert roles(after) == roles(before)
    assert any("återkallad" in s for s in after.explanation)


def test_cancelled_window_ending_after_cancellation_does_not_escalate():
    inp = make_input(
        members=FAMILY_2,
        notice_type="EVICTION_CANCELLED",
        notice_types_on_case=("RENT_ARREARS_TERMINATION", "EVICTION_CANCELLED"),
        letter_sent_date=LETTER_SENT,
        received_date=date(2026, 12, 21),
        today=date(2027, 1, 20),
    )
    decision = decide(inp)
    assert "HOME_VISIT" not in kinds(decision)
    assert decision.escalations_pending == ()
    # the window had already passed when the cancellation came: the visit already applied and stays
    passed = dataclasses.replace(inp, received_date=date(2027, 1, 4))
    assert "HOME_VISIT" in kinds(decide(passed))


def test_case_with_only_a_cancellation_has_no_tasks():
    decision = decide(make_input(notice_type="EVICTION_CANCELLED"))
    assert decision.tasks == ()
    assert lead(decision) == "HYRESRADGIVNING"


# --- helpers, config, purity -----------------------------------------------------------


@pytest.mark.parametrize(
    "types, expected",
    [
        (("RENT_ARREARS_TERMINATION",), False),
        (("RENT_ARREARS_TERMINATION", "EVICTION_APPLICATION"), True),
        (("EVICTION_DATE",), True),
        (("DISTURBANCE_WARNING", "EVICTION_CANCELLED"), False),
        ((), False),
    ],
)
def test_proceeds_to_eviction(types, expected):
    assert proceeds_to_eviction(types) is expected


@pytest.mark.parametrize(
    "members, expected",
    [
        (ADULT_40, False),
        (FAMILY_2, True),
        ((Member("TENANT", 40), Member("OTHER_ADULT", 17)), True),
        ((Member("TENANT", 40), Member("CHILD", None, "VISITING")), True),
        ((Member("TENANT", 40), Member("CHILD", 18)), False),
        ((Member("TENANT", None),), False),
        ((), False),
    ],
)
def test_is_family_with_children(members, expected):
    assert is_family_with_children(members) is expected


def test_plan_config_round_trip_through_json():
    config = PlanConfig(
        version="2026.1",
        elderly_age_limit=67,
        special_housing_lead=(("SHIS", "BOSTAD"),),
    )
    stored = json.loads(json.dumps(config.to_dict()))
    assert PlanConfig.from_dict(stored) == config
    assert PlanConfig.from_dict({"version": "x", "unknown_key": 1}) == PlanConfig(
        version="x"
    )
    assert PlanConfig.from_dict({}) == PlanConfig()


def test_decision_records_config_version():
    decision = decide(make_input(), PlanConfig(version="2026.1"))
    assert decision.plan_version == "2026.1"


def test_configured_housing_routine_and_due_days():
    config = PlanConfig(
        special_housing_lead=(("OTHER", "VUXNA"),),
        task_due_working_days=(("SEND_LETTER", 3),),
    )
    decision = decide(make_input(housing_type="OTHER"), config)
    assert lead(decision) == "VUXNA"
    ordinary = decide(make_input(), config)
    assert task(ordinary, "SEND_LETTER").due_date == date(2026, 3, 5)
    assert "R7" not in ordinary.rules_fired


def test_pure_modules_import_without_django():
    code = (
        "import sys; import cases.rules.routing, cases.rules.workdays, cases.rules.deadlines, cases.rules.identity; "
        "assert 'django' not in sys.modules"
    )
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)

"""Writes on cases: registering notices, re-evaluating the plan, tasks, contacts, deviations.

Views, the API, imports and Celery tasks all call these functions; none of them
writes case data on its own. The rules themselves are in cases/rules/ (pure);
these modules turn the database into a DecisionInput and the Decision back into
assignments and tasks, idempotently: evaluating the same state twice changes nothing.

- intake.py: registering a notice (and the input dataclasses the forms and the API build)
- evaluation.py: re-evaluation, reconciliation, case facts, the daily checks
- actions.py: what case workers do on a case
- deviations.py: automatic and manual deviations (R8)
- letters.py: the letter as sent (frozen when SEND_LETTER is done), a new letter task
- plan.py: the plan's settings and the next BOSAM meeting (asked through cases.hooks)
- bosam_requests.py: a unit's request that BOSAM take up the case, and its lifecycle
- legal.py: the eviction day's outcome and the payment commitment (issue 11)

`from cases import services` and `services.notice_register(...)` keep working: the
public names are re-exported here.
"""

from .actions import (
    ConcurrentChange,
    assignment_change,
    case_close,
    case_reopen,
    consent_record,
    consult_tenancy_advisor,
    contact_register,
    task_complete,
    task_create,
)
from .bosam_requests import (
    BosamRequestRefused,
    bosam_request,
    bosam_request_unit,
    bosam_request_withdraw,
    bosam_requests_handle,
    bosam_requests_reopen,
)
from .deviations import (
    MANDATORY_TASK_KINDS,
    close_resolved_deviations,
    deviation_raise_once,
    deviation_record,
    raise_automatic_deviations,
)
from .evaluation import ESCALATION_TASK_KINDS, case_reevaluate, decision_input_for, decision_members, run_daily_checks
from .intake import (
    ActiveUnitData,
    DuplicateSubmission,
    HouseholdData,
    LandlordData,
    MemberData,
    NoticeData,
    RegistrationBatch,
    notice_register,
    open_case_for_identity_numbers,
)
from .legal import EvictionOutcomeData, PaymentCommitmentData, eviction_outcome_record, payment_commitment_record
from .letters import LetterTaskOpen, letter_freeze, letter_task_create
from .plan import next_meeting_date, plan_config_for, units_by_code

__all__ = [
    "ESCALATION_TASK_KINDS",
    "MANDATORY_TASK_KINDS",
    "ActiveUnitData",
    "BosamRequestRefused",
    "ConcurrentChange",
    "DuplicateSubmission",
    "EvictionOutcomeData",
    "HouseholdData",
    "LandlordData",
    "LetterTaskOpen",
    "MemberData",
    "NoticeData",
    "PaymentCommitmentData",
    "RegistrationBatch",
    "assignment_change",
    "bosam_request",
    "bosam_request_unit",
    "bosam_request_withdraw",
    "bosam_requests_handle",
    "bosam_requests_reopen",
    "case_close",
    "case_reevaluate",
    "case_reopen",
    "close_resolved_deviations",
    "consent_record",
    "consult_tenancy_advisor",
    "contact_register",
    "decision_input_for",
    "decision_members",
    "deviation_raise_once",
    "deviation_record",
    "eviction_outcome_record",
    "letter_freeze",
    "letter_task_create",
    "next_meeting_date",
    "notice_register",
    "open_case_for_identity_numbers",
    "payment_commitment_record",
    "plan_config_for",
    "raise_automatic_deviations",
    "run_daily_checks",
    "task_complete",
    "task_create",
    "units_by_code",
]

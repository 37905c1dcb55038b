"""The pure case facts (cases/rules/case_facts.py): no database, no Django."""

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from cases.rules.case_facts import NoticeFacts, case_facts
from cases.rules.routing import Member


def test_facts_from_plain_notices():
    notices = [
        NoticeFacts("RENT_ARREARS_TERMINATION", date(2026, 3, 2), 1, served_date=None, debt_amount=Decimal("12000")),
        NoticeFacts("EVICTION_DATE", date(2026, 5, 4), 2, eviction_date=date(2026, 6, 10)),
        NoticeFacts("DISTURBANCE_TERMINATION", date(2026, 5, 4), 3),
    ]
    members = [Member(role="TENANT", age=40), Member(role="CHILD", age=7), Member(role="CHILD", age=19)]
    facts = case_facts(notices, members)
    assert facts.flags == ["SERVED_DATE_MISSING", "DISTURBANCE_WITHOUT_WARNING"]
    assert facts.eviction_date == date(2026, 6, 10)
    assert facts.debt_amount == Decimal("12000")
    assert facts.latest_notice_type == "DISTURBANCE_TERMINATION"  # same day, higher order
    assert facts.children_count == 1
    assert facts.recovery_deadline is None  # served date unknown: ask the landlord


def test_cancelled_eviction_has_no_date_and_warning_clears_flag():
    notices = [
        NoticeFacts("DISTURBANCE_WARNING", date(2026, 1, 5), 1),
        NoticeFacts("DISTURBANCE_TERMINATION", date(2026, 2, 5), 2),
        NoticeFacts("EVICTION_DATE", date(2026, 3, 5), 3, eviction_date=date(2026, 4, 1)),
        NoticeFacts("EVICTION_CANCELLED", date(2026, 3, 20), 4),
    ]
    facts = case_facts(notices, [])
    assert facts.flags == []
    assert facts.eviction_date is None
    assert facts.recovery_deadline is None
    assert facts.debt_amount is None


def test_case_facts_import_without_django():
    code = "import sys; import cases.rules.case_facts; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent, check=True)

"""The plan's settings and what the plan needs to know of the rest of the system."""
from __future__ import annotations

import datetime as dt

from organisation.models import Organisation, Unit

from .. import hooks
from ..models import (
    PlanConfiguration,
)
from ..rules import routing

# --- lookups -------------------------------------------------------------------


def plan_config_for(organisation: Organisation) -> routing.PlanConfig:
    active = PlanConfiguration.objects.filter(organisation=organisation, is_active=True).first()
    return active.as_plan_config() if active else routing.PlanConfig()


def next_meeting_date(organisation: Organisation, today: dt.date) -> dt.date | None:
    # The forum app (BOSAM) answers through cases.hooks; without it there is no meeting.
    return hooks.next_meeting_date(organisation, today)


def _units_by_code(organisation: Organisation) -> dict[str, Unit]:
    return {u.code: u for u in Unit.objects.filter(organisation=organisation)}


units_by_code = _units_by_code  # public: a caller registering many notices reads the units once (imports)

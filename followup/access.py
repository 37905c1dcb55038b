"""Who may see and handle which deviation, and who may see which statistics.

Deviations hold case numbers and, for manual ones, free text; they never leave the organisation:
- styrgrupp: the whole organisation's register, without case contents (no descriptions written by people,
  no links to case pages); handles deviations;
- chef: deviations of cases where a unit of their department holds or held an assignment, and those
  registered by someone in their department; handles them;
- hyresrådgivare, handläggare: their own unit's (cases where the unit holds or held an assignment, or
  registered by someone in the unit); register manual deviations;
- stad, systemadministratör, ordförande i BOSAM: no deviation rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cases.models import Assignment, Deviation
from organisation.models import Role
from organisation.roles import has_role, user_roles

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from organisation.models import User

REGISTER_ROLES = (Role.STYRGRUPP, Role.CHEF, Role.HYRESRADGIVARE, Role.HANDLAGGARE)
HANDLER_ROLES = (Role.STYRGRUPP, Role.CHEF)
RECORDER_ROLES = (Role.CHEF, Role.HYRESRADGIVARE, Role.HANDLAGGARE)
STATISTICS_ROLES = (Role.STYRGRUPP, Role.CHEF, Role.STAD)


def may_open_register(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.organisation_id and has_role(user, *REGISTER_ROLES))


def may_record(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.organisation_id and has_role(user, *RECORDER_ROLES))


def sees_case_contents(user: User) -> bool:
    """The steering group sees the register without case contents: only the roles that work cases see more."""
    return has_role(user, Role.CHEF, Role.HYRESRADGIVARE, Role.HANDLAGGARE)


def visible_deviations(user: User) -> QuerySet[Deviation]:
    """Every deviation this user may see, within their own organisation only."""
    if not may_open_register(user):
        return Deviation.objects.none()
    base = Deviation.objects.filter(organisation_id=user.organisation_id)
    roles = user_roles(user)
    if Role.STYRGRUPP in roles:
        return base
    condition = Q(pk__in=[])
    if Role.CHEF in roles and user.unit_id:
        department_id = user.unit.department_id
        condition |= Q(Exists(Assignment.objects.filter(case=OuterRef("case_id"), unit__department_id=department_id)))
        condition |= Q(created_by__unit__department_id=department_id)
    if roles & {Role.HYRESRADGIVARE, Role.HANDLAGGARE} and user.unit_id:
        condition |= Q(Exists(Assignment.objects.filter(case=OuterRef("case_id"), unit_id=user.unit_id)))
        condition |= Q(created_by__unit_id=user.unit_id)
    return base.filter(condition)


def handleable_deviations(user: User) -> QuerySet[Deviation]:
    if not has_role(user, *HANDLER_ROLES):
        return Deviation.objects.none()
    return visible_deviations(user)


def deviation_get_for_user(user: User, pk, *, handle: bool = False) -> Deviation:
    """The deviation if the user may see it (and handle it); else 404, as for cases (no existence leak)."""
    queryset = handleable_deviations(user) if handle else visible_deviations(user)
    deviation = queryset.select_related("case", "case__lead_unit", "case_unit", "created_by", "status_changed_by").filter(pk=pk).first()
    if deviation is None:
        raise Http404("Avvikelsen finns inte eller så saknar du behörighet.")
    return deviation


def may_see_statistics(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not has_role(user, *STATISTICS_ROLES):
        return False
    return has_role(user, Role.STAD) or bool(user.organisation_id)


def is_city_level(user: User) -> bool:
    """The city's central office: sums over all organisations, suppression always on, no rows, no cases."""
    return has_role(user, Role.STAD) and not has_role(user, Role.STYRGRUPP, Role.CHEF)


class ScopeError(ValueError):
    """A unit the user may not see statistics for."""


def statistics_scope(user: User, unit_code: str = "", department_code: str = ""):
    """The organisations and units whose figures this user may see, narrowed to `unit_code` if given.

    stad: every organisation of the installation; styrgrupp: the whole organisation; chef: their department."""
    from organisation.models import Organisation, Unit

    from .statistics import Scope

    if not may_see_statistics(user):
        raise PermissionDenied
    if is_city_level(user):
        organisation_ids = tuple(Organisation.objects.order_by("pk").values_list("pk", flat=True))
        units = Unit.objects.all()
        allowed = None
    else:
        organisation_ids = (user.organisation_id,)
        units = Unit.objects.filter(organisation_id=user.organisation_id)
        allowed = None
        if not has_role(user, Role.STYRGRUPP):
            if not user.unit_id:
                raise PermissionDenied
            units = units.filter(department_id=user.unit.department_id)
            allowed = tuple(sorted(units.values_list("code", flat=True)))
    if department_code:
        units = units.filter(department__code=department_code)
        if not units.exists():
            raise ScopeError(department_code)
        allowed = tuple(sorted(set(units.values_list("code", flat=True))))
    if unit_code:
        if not units.filter(code=unit_code).exists():
            raise ScopeError(unit_code)
        return Scope(organisation_ids=organisation_ids, unit_codes=(unit_code,))
    return Scope(organisation_ids=organisation_ids, unit_codes=allowed)


def may_see_reports(user: User | AnonymousUser) -> bool:
    """The period report is the steering group's."""
    return bool(user.is_authenticated and user.organisation_id and has_role(user, Role.STYRGRUPP))


def report_get_for_user(user: User, pk):
    from .models import PeriodReport

    report = PeriodReport.objects.filter(pk=pk, organisation_id=user.organisation_id).select_related("organisation").first()
    if report is None or not may_see_reports(user):
        raise Http404("Rapporten finns inte eller så saknar du behörighet.")
    return report

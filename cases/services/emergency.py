"""Emergency access ("break the glass", issue 15 §4).

A user with the permission `cases.emergency_access` (socialjouren, out of office hours) who is refused a case may
take time-limited access to that one case by stating a reason: read, and write if asked. The grant is audit-logged
with its own action (EMERGENCY_ACCESS, reason in the detail), the head of the case's lead unit (or, when it has none, of the
assigned units' departments) is told at once by
e-mail (no personal data: the case number and a link), and the monthly log review lists every emergency access first.
Never across organisations: the case is looked up in the user's own organisation only (cases.access).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from organisation.models import Role, User

from ..access import may_take_emergency_access
from ..audit import audit_log
from ..models import AuditAction, Case, EmergencyAccess, NotificationKind

REASON_MAX_LENGTH = 1000


def emergency_access_grant(*, user: User, case: Case, reason: str, write: bool = False, request=None,
                           now: dt.datetime | None = None) -> EmergencyAccess:
    """Grant `user` access to `case` for EMERGENCY_ACCESS_HOURS from `now`; log it and tell the head of unit."""
    reason = (reason or "").strip()
    if not may_take_emergency_access(user):
        raise PermissionDenied("Du har inte behörighet att ta nödåtkomst.")
    if case.organisation_id != user.organisation_id:
        raise PermissionDenied("Nödåtkomst gäller bara ärenden i den egna organisationen.")
    if not reason:
        raise ValueError("Ett skäl krävs för nödåtkomst.")
    now = now or timezone.now()
    with transaction.atomic():
        access = EmergencyAccess.objects.create(
            organisation_id=case.organisation_id, case=case, user=user, reason=reason[:REASON_MAX_LENGTH], write=write,
            granted_at=now, expires_at=now + dt.timedelta(hours=settings.EMERGENCY_ACCESS_HOURS),
        )
        kind = "läsa och ändra" if write else "läsa"
        audit_log(user=user, action=AuditAction.EMERGENCY_ACCESS, case=case, request=request, without_assignment=True,
                  detail=f"{kind} till {timezone.localtime(access.expires_at):%Y-%m-%d %H:%M}: {access.reason}")
        transaction.on_commit(lambda: emergency_access_notify(access_id=access.pk))
    return access


def heads_of_unit_for(case: Case) -> list[User]:
    """The heads (chef) of the case's lead unit; if that unit has none (Hyresrådgivningen often leads), the heads
    in the departments of the units assigned to the case now: the heads who review its log."""
    heads = User.objects.filter(organisation_id=case.organisation_id, groups__name=Role.CHEF, is_active=True).distinct()
    at_unit = list(heads.filter(unit_id=case.lead_unit_id)) if case.lead_unit_id else []
    if at_unit:
        return at_unit
    departments = case.assignments.filter(ended_at__isnull=True).values("unit__department_id")
    return list(heads.filter(unit__department_id__in=departments))


def emergency_access_notify(*, access_id: int) -> int:
    """Tell the heads of unit (cases/services/notifications.py: in the app, and by e-mail as each has chosen):
    the case number and a link to the log review, nothing else. Called after the commit; a mail server that does
    not answer must not undo the access nor fail the request (the log review shows the access either way)."""
    from .notifications import notify

    access = EmergencyAccess.objects.select_related("case", "case__lead_unit").get(pk=access_id)
    granted = timezone.localtime(access.granted_at)
    url = reverse("cases:audit_review") + f"?month={granted:%Y-%m}&action={AuditAction.EMERGENCY_ACCESS}"
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Nödåtkomst till ärende %(number)s %(when)s. Skälet och vem det var står i logguppföljningen.") % {
            "number": access.case.number, "when": f"{granted:%Y-%m-%d %H:%M}"}
    return len(notify(users=heads_of_unit_for(access.case), kind=NotificationKind.EMERGENCY_ACCESS, text=text, url=url,
                      dedupe_key=f"emergency:{access.pk}"))

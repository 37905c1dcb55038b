"""A unit's request that BOSAM take up the case (issue 12 §5), and its lifecycle.

Open from the request until a meeting discusses the case; then handled (who, when, which meeting: bosam calls
`bosam_requests_handle`, since cases does not know bosam's meetings). An item carried over undiscussed keeps
the request open. The requesting unit may withdraw an open request. At most one open request per case and
unit (a database constraint). The reason is a code, shown on the agenda; `details` is for the case page only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.models import Unit

from .. import hooks
from ..audit import audit_log
from ..models import AuditAction, BosamRequest, BosamRequestReason, BosamRequestStatus, Case

if TYPE_CHECKING:
    from django.http import HttpRequest

    from organisation.models import User


class BosamRequestRefused(Exception):
    pass


def _touch(case_id: int) -> None:
    Case.objects.filter(pk=case_id).update(version=F("version") + 1, updated_at=timezone.now())


def bosam_request_unit(user: User, case: Case) -> Unit | None:
    """The user's unit when it is assigned to the case now (lead or not): only such a unit may ask for BOSAM."""
    if not user.unit_id or case.organisation_id != user.organisation_id:
        return None
    if not case.assignments.filter(unit_id=user.unit_id, ended_at__isnull=True).exists():
        return None
    return user.unit


@transaction.atomic
def bosam_request(
    *, case: Case, user: User, reason: str, details: str = "", request: HttpRequest | None = None,
) -> BosamRequest:
    """A unit assigned to the case asks for it at BOSAM: section 2 of every agenda until a meeting discusses it."""
    unit = bosam_request_unit(user, case)
    if unit is None or not case.is_open:
        raise BosamRequestRefused(_("Bara en enhet som är tilldelad ärendet kan begära att det tas upp på BOSAM."))
    if reason not in BosamRequestReason.values:
        raise BosamRequestRefused(_("Välj en anledning."))
    details = details.strip()[:300]
    if reason == BosamRequestReason.OTHER and not details:
        raise BosamRequestRefused(_("Beskriv anledningen när du väljer Annat."))
    try:
        with transaction.atomic():
            made = BosamRequest.objects.create(case=case, unit=unit, reason=reason, details=details, requested_by=user)
    except IntegrityError as exc:  # bosam_request_one_open_per_case_unit
        raise BosamRequestRefused(_("Din enhet har redan en öppen begäran om BOSAM i ärendet.")) from exc
    audit_log(user=user, action=AuditAction.CASE_CHANGE, case=case, request=request, detail=f"BOSAM_REQUEST {unit.code} {reason}")
    _touch(case.pk)
    hooks.case_changed(case.pk)  # the prepared agenda takes the case into section 2
    return made


@transaction.atomic
def bosam_request_withdraw(
    *, case: Case, user: User, bosam_request_id: int, request: HttpRequest | None = None,
) -> BosamRequest:
    """The requesting unit takes back its open request: the agendas still ahead drop the case (unless it needs the
    forum for another reason)."""
    made = BosamRequest.objects.select_for_update().filter(pk=bosam_request_id, case=case).first()
    if made is None or not made.is_open:
        raise BosamRequestRefused(_("Begäran är inte längre öppen."))
    if made.unit_id != user.unit_id:
        raise BosamRequestRefused(_("Bara enheten som begärde BOSAM kan återkalla begäran."))
    made.status, made.withdrawn_at, made.withdrawn_by = BosamRequestStatus.WITHDRAWN, timezone.now(), user
    made.save(update_fields=["status", "withdrawn_at", "withdrawn_by"])
    audit_log(user=user, action=AuditAction.CASE_CHANGE, case=case, request=request,
              detail=f"BOSAM_REQUEST_WITHDRAWN {made.unit.code}")
    _touch(case.pk)
    hooks.case_changed(case.pk)
    return made


@transaction.atomic
def bosam_requests_handle(
    *, case_ids: Iterable[int], meeting_id: int, meeting_date: dt.date, user: User | None = None,
    request: HttpRequest | None = None,
) -> int:
    """The meeting discussed these cases: their open requests are handled by it. Returns how many. Idempotent."""
    open_requests = list(
        BosamRequest.objects.select_for_update().filter(case_id__in=list(case_ids), status=BosamRequestStatus.OPEN)
        .select_related("case", "unit")
    )
    if not open_requests:
        return 0
    now = timezone.now()
    handler = user if getattr(user, "is_authenticated", False) else None
    for made in open_requests:
        made.status, made.handled_at, made.handled_by = BosamRequestStatus.HANDLED, now, handler
        made.handled_meeting_id, made.handled_meeting_date = meeting_id, meeting_date
    BosamRequest.objects.bulk_update(
        open_requests, ["status", "handled_at", "handled_by", "handled_meeting_id", "handled_meeting_date"],
    )
    for case_id in {r.case_id for r in open_requests}:
        case = next(r.case for r in open_requests if r.case_id == case_id)
        units = " ".join(sorted(r.unit.code for r in open_requests if r.case_id == case_id))
        audit_log(user=handler, action=AuditAction.CASE_CHANGE, case=case, request=request,
                  detail=f"BOSAM_REQUEST_HANDLED {meeting_date.isoformat()} {units}")
        _touch(case_id)
        hooks.case_changed(case_id)  # an agenda ahead that held the case only for the request lets it go
    return len(open_requests)


@transaction.atomic
def bosam_requests_reopen(
    *, case_id: int, meeting_id: int, user: User | None = None, request: HttpRequest | None = None,
) -> int:
    """The chair undid "behandlad": the requests that meeting handled for the case are open again (unless the unit
    has asked anew since, then the new request stands). Returns how many."""
    handled = list(
        BosamRequest.objects.select_for_update()
        .filter(case_id=case_id, status=BosamRequestStatus.HANDLED, handled_meeting_id=meeting_id).select_related("case", "unit")
    )
    open_units = set(
        BosamRequest.objects.filter(case_id=case_id, status=BosamRequestStatus.OPEN).values_list("unit_id", flat=True)
    )
    reopened = [r for r in handled if r.unit_id not in open_units]
    for made in reopened:
        made.status, made.handled_at, made.handled_by = BosamRequestStatus.OPEN, None, None
        made.handled_meeting_id = made.handled_meeting_date = None
    BosamRequest.objects.bulk_update(reopened, ["status", "handled_at", "handled_by", "handled_meeting_id", "handled_meeting_date"])
    if reopened:
        handler = user if getattr(user, "is_authenticated", False) else None
        audit_log(user=handler, action=AuditAction.CASE_CHANGE, case=reopened[0].case, request=request,
                  detail="BOSAM_REQUEST_REOPENED " + " ".join(sorted(r.unit.code for r in reopened)))
        _touch(case_id)
        hooks.case_changed(case_id)
    return len(reopened)

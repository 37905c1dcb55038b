"""Writes of the landlord's channel: receive, register (one click, the pre-filled form, or automatically), reject.

Registering goes through cases.services.notice_register, the intake form's own service: routing, tasks, letters,
deadlines and BOSAM are the same as for a notice typed in; only the notice's channel says PORTAL or API.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from rest_framework import serializers

from cases import services as case_services
from cases.audit import audit_log
from cases.models import AuditAction, Notice

from . import payload
from .models import Submission, SubmissionStatus

if TYPE_CHECKING:
    from django.http import HttpRequest

    from organisation.models import User


class SubmissionNotOpen(Exception):
    """Registered or rejected already (a second click, a second worker, the automatic registration)."""

    def __init__(self, submission: Submission):
        self.submission = submission
        super().__init__(submission.status)


class SubmissionIncomplete(Exception):
    """The body does not make a notice as it stands: ``errors`` are the API's field errors."""

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__(str(errors))


class SubmissionRowInvalid(Exception):
    """One body of a list is refused (submissions_receive): ``index`` in the list, ``detail`` the API's field errors."""

    def __init__(self, index: int, detail):
        self.index, self.detail = index, detail
        super().__init__(f"{index}: {detail}")


def _receive(
    *, user: User, channel: str, body, now: dt.datetime, auto_register: bool | None = None,
    validator: payload.BodyValidator | None = None,
) -> Submission:
    """One submission: fixed (payload.fixed_body), validated as POST /api/v1/notices/ validates, stored with what it
    lacks for the recovery period; a complete one is registered automatically once committed when the plan says so
    (`auto_register`: the plan's setting, read here when not given; `validator`: one serializer for a list's bodies,
    payload.BodyValidator). Raises serializers.ValidationError (field
    errors). Inside the caller's transaction."""
    from .tasks import submission_auto_register_task

    landlord = user.landlord
    fixed = payload.fixed_body(body, landlord=landlord, channel=channel, received_date=timezone.localdate(now))
    if validator is not None:
        validator.validate(fixed)
    else:
        payload.body_validate(fixed, organisation=landlord.organisation)
    submission = Submission.objects.create(
        organisation=landlord.organisation, landlord=landlord, submitted_by=user, channel=channel, payload=fixed,
        received_at=now, missing=payload.missing_facts(fixed),
    )
    if submission.missing:
        return submission
    if auto_register is None:
        auto_register = case_services.plan_config_for(submission.organisation).submissions_auto_register
    if auto_register:
        transaction.on_commit(lambda: submission_auto_register_task.delay(submission.pk))
    return submission


def submission_receive(*, user: User, channel: str, body, request: HttpRequest | None = None) -> Submission:
    """Take a landlord's notice as sent (see _receive). Raises serializers.ValidationError (field errors).
    When the plan registers complete submissions automatically, the task is queued once the row is committed."""
    with transaction.atomic():
        submission = _receive(user=user, channel=channel, body=body, now=timezone.now())
        audit_log(user=user, action=AuditAction.SUBMISSION_RECEIVE, request=request, organisation=submission.organisation,
                  detail=f"submission={submission.pk} channel={channel}", without_assignment=False)
    return submission


def submissions_receive(
    *, user: User, channel: str, bodies: list, request: HttpRequest | None = None, detail: str = ""
) -> list[Submission]:
    """A list of notices (the landlord's import), each taken as submission_receive takes one, all or nothing, with one
    audit event for the list. Raises SubmissionRowInvalid for the first body refused (nothing is stored)."""
    with transaction.atomic():
        organisation = user.landlord.organisation
        auto_register = case_services.plan_config_for(organisation).submissions_auto_register
        now, validator = timezone.now(), payload.BodyValidator(organisation=organisation)
        submissions = []
        for index, body in enumerate(bodies):
            try:
                submissions.append(_receive(user=user, channel=channel, body=body, now=now, auto_register=auto_register,
                                            validator=validator))
            except serializers.ValidationError as exc:
                raise SubmissionRowInvalid(index, exc.detail) from exc
        ids = f"submissions={submissions[0].pk}-{submissions[-1].pk} " if submissions else ""
        audit_log(user=user, action=AuditAction.SUBMISSION_RECEIVE, request=request, organisation=organisation,
                  detail=f"{detail} count={len(submissions)} {ids}channel={channel}".strip()[:500], without_assignment=False)
    return submissions


def submission_problems(submission: Submission) -> dict:
    """Why one click cannot register it: the field errors of its body today (a unit or a date may have changed), and
    what the recovery period lacks. Empty when it is complete."""
    problems: dict = {}
    try:
        payload.body_validate(submission.payload, organisation=submission.organisation)
    except serializers.ValidationError as exc:
        problems.update(exc.detail)
    for code in submission.missing:
        problems.setdefault("missing", []).append(code)
    return problems


def _lock_open(submission_id: int, organisation_id: int) -> Submission:
    submission = (
        Submission.objects.select_for_update(of=("self",)).select_related("organisation", "landlord")
        .get(pk=submission_id, organisation_id=organisation_id)
    )
    if submission.status != SubmissionStatus.RECEIVED:
        raise SubmissionNotOpen(submission)
    return submission


@transaction.atomic
def submission_register(
    *,
    submission: Submission,
    user: User | None,
    request: HttpRequest | None = None,
    notice: case_services.NoticeData | None = None,
    household: case_services.HouseholdData | None = None,
    allow_missing: bool = False,
    today: dt.date | None = None,
) -> Notice:
    """Register the submission as a notice. Without `notice`/`household` (one click, the automatic registration) its
    body must be complete: valid, and — unless `allow_missing` — not lacking what the recovery period needs; else
    SubmissionIncomplete. With them (the pre-filled intake form) they are what the hyresrådgivare checked. The
    notice's channel is the submission's whatever the form says. Raises SubmissionNotOpen when handled already."""
    submission = _lock_open(submission.pk, submission.organisation_id)
    if notice is None or household is None:
        problems = submission_problems(submission)
        if allow_missing:
            problems.pop("missing", None)
        if problems:
            raise SubmissionIncomplete(problems)
        serializer = payload.body_validate(submission.payload, organisation=submission.organisation)
        notice, household = serializer.notice_data(), serializer.household_data()
    notice.channel = submission.channel
    notice_obj = case_services.notice_register(
        organisation=submission.organisation, user=user, notice=notice, household=household, request=request, today=today
    )
    submission.status, submission.notice, submission.registered_at = SubmissionStatus.REGISTERED, notice_obj, timezone.now()
    submission.handled_by = user if getattr(user, "is_authenticated", False) else None
    submission.save(update_fields=["status", "notice", "registered_at", "handled_by"])
    return notice_obj


def submission_auto_register(*, submission_id: int) -> Notice | None:
    """The plan setting submissions_auto_register: a complete submission registered without a click. Idempotent: a
    second run (or a click first) finds it handled and does nothing; an incomplete one waits for the hyresrådgivare."""
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None or submission.status != SubmissionStatus.RECEIVED:
        return None
    if not case_services.plan_config_for(submission.organisation).submissions_auto_register:
        return None
    try:
        return submission_register(submission=submission, user=None)
    except (SubmissionNotOpen, SubmissionIncomplete):
        return None


@transaction.atomic
def submission_reject(*, submission: Submission, user: User, reason: str, request: HttpRequest | None = None) -> Submission:
    """Reject with a reason the landlord reads (e.g. not our district, a duplicate)."""
    submission = _lock_open(submission.pk, submission.organisation_id)
    submission.status, submission.rejected_reason, submission.handled_by = SubmissionStatus.REJECTED, reason.strip()[:500], user
    submission.save(update_fields=["status", "rejected_reason", "handled_by"])
    audit_log(user=user, action=AuditAction.SUBMISSION_REJECT, request=request, organisation=submission.organisation,
              detail=f"submission={submission.pk}", without_assignment=False)
    return submission

"""Registering a notice: household, persons, the case (new or joined), the first decision.

The input dataclasses are built by forms, the API and imports.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from organisation.models import Organisation, Unit

from ..audit import audit_log
from ..models import (
    AuditAction,
    Case,
    CaseNumberSequence,
    CaseStatus,
    Household,
    Landlord,
    MemberRole,
    Notice,
    Person,
    RoutingDecision,
    SubmissionToken,
)
from .evaluation import case_reevaluate
from .membership import TENANT_ROLES, identity_numbers_lock, memberships_sync, open_case_for_numbers
from .plan import _units_by_code

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from organisation.models import User

# --- input data (built by forms, the API and imports) ---------------------------


@dataclass
class MemberData:
    name: str
    role: str
    personal_identity_number: str = ""  # normalised, 12 digits, or ""
    birth_date: dt.date | None = None
    protected_identity: bool = False
    child_residence: str = ""


@dataclass
class ActiveUnitData:
    unit_code: str
    case_worker_id: int | None = None


@dataclass
class HouseholdData:
    street_address: str
    members: list[MemberData]
    apartment_number: str = ""
    object_number: str = ""
    postal_code: str = ""
    city: str = ""
    area: str = ""
    housing_type: str = "ORDINARY"
    rooms: int | None = None
    phone: str = ""
    other_residents: str = ""
    preferred_language: str = ""  # a LetterLanguage code; "" = not known (issue 14 §3)
    active_units: list[ActiveUnitData] = field(default_factory=list)


@dataclass
class LandlordData:
    name: str
    org_number: str  # normalised NNNNNN-NNNN
    reference: str = ""
    contact_name: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class NoticeData:
    notice_type: str
    received_date: dt.date
    sender_kind: str = "LANDLORD"
    landlord: LandlordData | None = None
    agent: str = ""
    kronofogden_reference: str = ""
    channel: str = "POST"
    document_date: dt.date | None = None
    served_date: dt.date | None = None
    termination_date: dt.date | None = None
    eviction_date: dt.date | None = None
    eviction_time: dt.time | None = None
    eviction_place: str = ""
    reply_deadline: dt.date | None = None
    debt_amount: Decimal | None = None
    debt_months: int | None = None
    recovery_amount: Decimal | None = None
    monthly_rent: Decimal | None = None
    warning_date: dt.date | None = None
    description: str = ""
    ground: str = ""  # NoticeGround, on EVICTION_APPLICATION / EVICTION_DATE
    sent_date: dt.date | None = None  # the landlord's dispatch date (start of the recovery period, reading SENT)


def open_case_for_identity_numbers(organisation: Organisation, numbers: list[str]) -> Case | None:
    """The open case of a household where a tenant has one of these personnummer."""
    numbers = [n for n in numbers if n]
    if not numbers:
        return None
    return (
        Case.objects.filter(
            organisation=organisation,
            status=CaseStatus.OPEN,
            household__members__personal_identity_number__in=numbers,
            household__members__role__in=[MemberRole.TENANT, MemberRole.CO_TENANT],
        )
        .select_related("household")
        .first()
    )


# --- registering a notice ------------------------------------------------------


def earlier_household_for_identity_numbers(organisation: Organisation, numbers: list[str]) -> Household | None:
    """The household of the latest closed case where a tenant has one of these personnummer:
    a new notice opens a new case for the same household, so its history stays (issue 11)."""
    numbers = [n for n in numbers if n]
    if not numbers:
        return None
    case = (
        Case.objects.filter(
            organisation=organisation,
            household__members__personal_identity_number__in=numbers,
            household__members__role__in=[MemberRole.TENANT, MemberRole.CO_TENANT],
        )
        .exclude(household__cases__status=CaseStatus.OPEN)
        .select_related("household")
        .order_by("-opened_at", "-id")
        .first()
    )
    return case.household if case else None


def _next_case_number(organisation: Organisation, year: int) -> str:
    # The UPDATE locks the year's row until the transaction ends (as select_for_update did); the row is made once a year.
    rows = CaseNumberSequence.objects.filter(organisation=organisation, year=year)
    if not rows.update(last=F("last") + 1):
        CaseNumberSequence.objects.get_or_create(organisation=organisation, year=year)
        rows.update(last=F("last") + 1)
    last = rows.values_list("last", flat=True).get()
    return f"{year}-{last:04d}"


def _landlord_get_or_create(organisation: Organisation, data: LandlordData) -> Landlord:
    landlord, _created = Landlord.objects.get_or_create(
        organisation=organisation,
        org_number=data.org_number,
        defaults={"name": data.name, "contact_name": data.contact_name, "phone": data.phone, "email": data.email},
    )
    return landlord


def _household_create(organisation: Organisation, data: HouseholdData) -> Household:
    household = Household.objects.create(
        organisation=organisation,
        street_address=data.street_address,
        apartment_number=data.apartment_number,
        object_number=data.object_number,
        postal_code=data.postal_code,
        city=data.city,
        area=data.area,
        housing_type=data.housing_type,
        rooms=data.rooms,
        phone=data.phone,
        other_residents=data.other_residents,
        preferred_language=data.preferred_language,
    )
    Person.objects.bulk_create([_person(household, member) for member in data.members])
    return household


def _person_create(household: Household, member: MemberData) -> Person:
    person = _person(household, member)
    person.save()
    return person


def _person(household: Household, member: MemberData) -> Person:
    return Person(
        household=household,
        name=member.name,
        role=member.role,
        personal_identity_number=member.personal_identity_number,
        birth_date=member.birth_date,
        protected_identity=member.protected_identity,
        child_residence=member.child_residence if member.role == MemberRole.CHILD else "",
    )


def _household_update(household: Household, data: HouseholdData) -> None:
    """A later notice may bring a phone number or members the first one lacked."""
    changed = []
    for name in ("phone", "apartment_number", "object_number", "postal_code", "city", "area", "other_residents"):
        value = getattr(data, name)
        if value and not getattr(household, name):
            setattr(household, name, value)
            changed.append(name)
    # A later notice (often from Kronofogden) may not know the contract type: only a
    # special housing type is news, "ordinary" never overwrites what is known.
    if data.housing_type and data.housing_type != "ORDINARY" and data.housing_type != household.housing_type:
        household.housing_type = data.housing_type
        changed.append("housing_type")
    # A language given with a later notice is the newer word (the form shows the stored one); none given keeps it.
    if data.preferred_language and data.preferred_language != household.preferred_language:
        household.preferred_language = data.preferred_language
        changed.append("preferred_language")
    if changed:
        household.save(update_fields=changed)
    existing = list(household.members.all())
    known_numbers = {p.personal_identity_number for p in existing if p.personal_identity_number}
    known_names = {p.name.casefold() for p in existing}
    for member in data.members:
        if member.personal_identity_number and member.personal_identity_number in known_numbers:
            continue
        if not member.personal_identity_number and member.name.casefold() in known_names:
            continue
        _person_create(household, member)


def _involvements_add(household: Household, active_units: list[ActiveUnitData], units: dict[str, Unit], today: dt.date) -> None:
    if not active_units:
        return
    open_units = set(household.involvements.filter(ended__isnull=True).values_list("unit__code", flat=True))
    for entry in active_units:
        if entry.unit_code in open_units or entry.unit_code not in units:
            continue
        household.involvements.create(unit=units[entry.unit_code], case_worker_id=entry.case_worker_id, started=today)
        open_units.add(entry.unit_code)


class DuplicateSubmission(Exception):
    """The intake form was submitted twice (a double-click): the first submission's case is ``case``."""

    def __init__(self, case: Case):
        self.case = case
        super().__init__(case.number)


def _submission_token_use(token: str, user: User, case: Case) -> None:
    """Mark the form's one-time token used, in the notice's transaction.

    A concurrent second submission waits on the unique index until the first
    commits, then gets IntegrityError: it is refused with the first one's case."""
    try:
        with transaction.atomic():
            SubmissionToken.objects.create(token=token, user=user, case=case)
    except IntegrityError:
        first = SubmissionToken.objects.select_related("case").get(token=token)
        raise DuplicateSubmission(first.case) from None


def _case_open(organisation: Organisation, household: HouseholdData, notice: NoticeData, today: dt.date) -> Case | None:
    """A new open case, or None when a tenant has an open case already. The household is the one of an earlier,
    closed case of the same tenants when there is one, so its history stays (issue 11); else a new household."""
    tenant_numbers = [m.personal_identity_number for m in household.members if m.role in TENANT_ROLES]
    try:
        with transaction.atomic():  # a savepoint: a lost race rolls back only this
            household_obj = earlier_household_for_identity_numbers(organisation, tenant_numbers)
            if household_obj is not None:
                _household_update(household_obj, household)
            else:
                household_obj = _household_create(organisation, household)
            case = Case.objects.create(
                organisation=organisation,
                household=household_obj,
                number=_next_case_number(organisation, notice.received_date.year if notice.received_date else today.year),
            )
            memberships_sync(case, strict=True)
    except IntegrityError:
        return None
    return case


def _case_join(case: Case, organisation: Organisation, household: HouseholdData) -> Case:
    """Lock the open case (DoesNotExist when it was closed meanwhile) and add what the notice brings."""
    case = Case.objects.select_for_update().get(pk=case.pk, organisation=organisation, status=CaseStatus.OPEN)
    _household_update(case.household, household)
    memberships_sync(case, strict=False)
    return case


def _case_for_notice(
    organisation: Organisation, household: HouseholdData, notice: NoticeData, join_case: Case | None, tenant_numbers: list[str],
    today: dt.date,
) -> Case:
    """The case the notice goes on: the one chosen, the open case of a tenant, or a new one."""
    case = join_case
    if case is None:
        case = open_case_for_numbers(organisation.pk, tenant_numbers) or open_case_for_identity_numbers(organisation, tenant_numbers)
    if case is None:
        case = _case_open(organisation, household, notice, today)
        if case is None:
            # Another registration won the unique constraint (a path without the lock,
            # or SQLite): join the case it opened.
            case = open_case_for_numbers(organisation.pk, tenant_numbers)
            if case is None:  # pragma: no cover - the constraint guarantees the row
                raise Case.DoesNotExist
            return _case_join(case, organisation, household)
        return case
    return _case_join(case, organisation, household)


def _notice_create(case: Case, notice: NoticeData, landlord: Landlord | None, user: User | AnonymousUser) -> Notice:
    return Notice.objects.create(
        case=case,
        notice_type=notice.notice_type,
        sender_kind=notice.sender_kind,
        landlord=landlord,
        agent=notice.agent,
        landlord_reference=notice.landlord.reference if notice.landlord else "",
        kronofogden_reference=notice.kronofogden_reference,
        channel=notice.channel,
        document_date=notice.document_date,
        received_date=notice.received_date,
        served_date=notice.served_date,
        termination_date=notice.termination_date,
        eviction_date=notice.eviction_date,
        eviction_time=notice.eviction_time,
        eviction_place=notice.eviction_place,
        reply_deadline=notice.reply_deadline,
        debt_amount=notice.debt_amount,
        debt_months=notice.debt_months,
        recovery_amount=notice.recovery_amount,
        monthly_rent=notice.monthly_rent,
        warning_date=notice.warning_date,
        ground=notice.ground,
        sent_date=notice.sent_date,
        description=notice.description,
        registered_by=user if getattr(user, "is_authenticated", False) else None,
    )


@transaction.atomic
def notice_register(
    *,
    organisation: Organisation,
    user: User | AnonymousUser,
    notice: NoticeData,
    household: HouseholdData,
    join_case: Case | None = None,
    attachment=None,
    request: HttpRequest | None = None,
    today: dt.date | None = None,
    submission_token: str = "",
) -> Notice:
    """Register a notice: household and persons, the case (new or joined), the
    routing decision with its assignments and tasks — all or nothing.

    The notice joins `join_case` when the user chose it, or else the open case of
    a household where a tenant has the same personnummer (one open case per person,
    see services/membership.py). `submission_token` is the intake form's one-time
    token: a second submission raises DuplicateSubmission and saves nothing."""
    if submission_token:
        used = SubmissionToken.objects.select_related("case").filter(token=submission_token).first()
        if used is not None:
            raise DuplicateSubmission(used.case)
    today = today or timezone.localdate()
    units = _units_by_code(organisation)
    tenant_numbers = [m.personal_identity_number for m in household.members if m.role in TENANT_ROLES and m.personal_identity_number]
    # Taken before the lookup: a concurrent registration of the same people waits here
    # and then finds (and joins) the case this one creates.
    identity_numbers_lock(organisation.pk, tenant_numbers)
    case = _case_for_notice(organisation, household, notice, join_case, tenant_numbers, today)
    household_obj = case.household
    _involvements_add(household_obj, household.active_units, units, today)

    landlord = _landlord_get_or_create(organisation, notice.landlord) if notice.landlord else None
    notice_obj = _notice_create(case, notice, landlord, user)
    if submission_token:
        _submission_token_use(submission_token, user, case)
    # The case is locked (joined) or new in this transaction: evaluated as it is, the instance brought up to date.
    case.organisation = organisation
    case_reevaluate(case, trigger=RoutingDecision.Trigger.NOTICE, today=today, notice=notice_obj, locked=True, units=units)
    audit_log(
        user=user, action=AuditAction.NOTICE_REGISTER, case=case, request=request, detail=notice.notice_type, without_assignment=False
    )
    # The scan is written last: a failure earlier in the transaction leaves no stray file behind.
    if attachment is not None:
        notice_obj.attachment.save(f"underrattelse-{notice_obj.pk}.pdf", attachment, save=True)
    return notice_obj

"""Registering a notice: household, persons, the case (new or joined), the first decision.

The input dataclasses are built by forms, the API and imports.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection, transaction
from django.db.models import Case as DbCase
from django.db.models import Value, When
from django.utils import timezone

from organisation.models import Organisation, Unit

from ..audit import audit_event
from ..models import (
    AuditAction,
    AuditEvent,
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
from .evaluation import Context, case_reevaluate, new_case_data
from .membership import TENANT_ROLES, identity_numbers_lock, memberships_sync, open_case_id_for_numbers, writes_serialised
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


def tenant_household_ids(organisation: Organisation, numbers: list[str]) -> list[int]:
    """The organisation's households where one of these personnummer is a tenant or co-tenant.

    A query of the persons alone, by the index on the personnummer, and the organisation checked here: joined with
    the organisation's cases, PostgreSQL started from the cases whenever its statistics knew the organisation as small
    (a district's first import), so each row of a 5,000-row import read every case imported before it."""
    rows = Person.objects.filter(personal_identity_number__in=numbers, role__in=TENANT_ROLES).values_list(
        "household_id", "organisation_id")
    return sorted({household_id for household_id, organisation_id in rows if organisation_id == organisation.pk})


def open_case_for_identity_numbers(organisation: Organisation, numbers: list[str], *, or_latest_closed: bool = False) -> Case | None:
    """The open case of a household where a tenant has one of these personnummer.

    ``or_latest_closed``: without an open case, the latest closed case of such a household (one query for both:
    intake's new case keeps that household, see `earlier_household_for_identity_numbers`). Members belong to the
    household, not the case, so a household with an open case always has that case come first."""
    numbers = [n for n in numbers if n]
    household_ids = tenant_household_ids(organisation, numbers) if numbers else []
    if not household_ids:
        return None
    # The households are the organisation's (their persons are): the cases are read by household only.
    cases = Case.objects.filter(household_id__in=household_ids).select_related("household")
    if not or_latest_closed:
        return cases.filter(status=CaseStatus.OPEN).first()
    open_first = DbCase(When(status=CaseStatus.OPEN, then=Value(0)), default=Value(1))
    return cases.order_by(open_first, "-opened_at", "-id").first()


# --- registering a notice ------------------------------------------------------


def earlier_household_for_identity_numbers(organisation: Organisation, numbers: list[str]) -> Household | None:
    """The household of the latest closed case where a tenant has one of these personnummer:
    a new notice opens a new case for the same household, so its history stays (issue 11)."""
    numbers = [n for n in numbers if n]
    household_ids = tenant_household_ids(organisation, numbers) if numbers else []
    if not household_ids:
        return None
    case = (
        Case.objects.filter(household_id__in=household_ids)
        .exclude(household__cases__status=CaseStatus.OPEN)
        .select_related("household")
        .order_by("-opened_at", "-id")
        .first()
    )
    return case.household if case else None


_CASE_NUMBER_INCREMENT = (
    'UPDATE "cases_casenumbersequence" SET "last" = "last" + %s WHERE "organisation_id" = %s AND "year" = %s RETURNING "last"'
)
_CASE_NUMBERS_GIVE_BACK = (
    'UPDATE "cases_casenumbersequence" SET "last" = "last" - %s WHERE "organisation_id" = %s AND "year" = %s AND "last" = %s'
)


def _case_number_increment(organisation: Organisation, year: int, count: int = 1) -> int | None:
    """The year's last number plus `count`, in one statement (UPDATE … RETURNING, PostgreSQL and SQLite ≥ 3.35); None
    when the year has no row yet. The UPDATE locks the row until the transaction ends (as select_for_update did)."""
    with connection.cursor() as cursor:
        cursor.execute(_CASE_NUMBER_INCREMENT, [count, organisation.pk, year])
        row = cursor.fetchone()
    return row[0] if row else None


def _case_numbers_take(organisation: Organisation, year: int, count: int = 1) -> int:
    """Take `count` numbers of the year; returns the last one taken."""
    last = _case_number_increment(organisation, year, count)
    if last is None:  # the row is made once a year
        CaseNumberSequence.objects.get_or_create(organisation=organisation, year=year)
        last = _case_number_increment(organisation, year, count)
    return last


def _next_case_number(organisation: Organisation, year: int, numbers: CaseNumbers | None = None) -> str:
    last = numbers.take(year) if numbers is not None else _case_numbers_take(organisation, year)
    return f"{year}-{last:04d}"


@dataclass
class CaseNumbers:
    """Case numbers taken ahead for the new cases of many registrations in one transaction (an import's chunk): one
    UPDATE for `wanted` numbers instead of one per case (issue 16), more one at a time when they run out. `release`
    gives back the ones not used, so the numbering has no gaps: the sequence's row stays locked by the first UPDATE
    until the transaction ends, so no one else has taken a number after them."""

    organisation: Organisation
    wanted: int = 1
    ranges: dict[int, list[int]] = field(default_factory=dict)  # year -> [next number, last number taken]

    def take(self, year: int) -> int:
        taken = self.ranges.get(year)
        if taken is None or taken[0] > taken[1]:
            count = max(self.wanted, 1)
            last = _case_numbers_take(self.organisation, year, count)
            taken = self.ranges[year] = [last - count + 1, last]
            self.wanted = 1  # beyond what was expected: one at a time
        number = taken[0]
        taken[0] += 1
        return number

    def release(self) -> None:
        with connection.cursor() as cursor:
            for year, (next_number, last) in self.ranges.items():
                if next_number <= last:
                    cursor.execute(_CASE_NUMBERS_GIVE_BACK, [last - next_number + 1, self.organisation.pk, year, last])
        self.ranges.clear()


@dataclass
class RegistrationBatch:
    """What many registrations in one transaction (an import's commit) read once instead of once per notice: the
    organisation's context for the day (units, plan configuration, next BOSAM meeting, who is told of new work) and
    the landlords met so far."""

    context: Context
    landlords: dict[str, Landlord] = field(default_factory=dict)
    # The new cases' numbers, taken ahead (`expect_new_cases`) and the ones left given back (`release`).
    case_numbers: CaseNumbers | None = None
    # The registrations' audit events, written together by `release` (one statement per batch, not one per notice).
    audit_events: list = field(default_factory=list)

    @classmethod
    def of(cls, organisation: Organisation, today: dt.date, notifications=None) -> RegistrationBatch:
        return cls(context=Context.of(organisation, today, notifications=notifications), case_numbers=CaseNumbers(organisation))

    def expect_new_cases(self, count: int) -> None:
        """About `count` of the registrations will open a case: their numbers are taken in one statement."""
        self.case_numbers.wanted = count

    def release(self) -> None:
        """After the batch's registrations: the case numbers taken ahead and not used are given back, and the
        registrations' audit events are written."""
        self.case_numbers.release()
        AuditEvent.objects.bulk_create(self.audit_events)
        self.audit_events = []


def _landlord_get_or_create(organisation: Organisation, data: LandlordData, batch: RegistrationBatch | None = None) -> Landlord:
    if batch is not None and data.org_number in batch.landlords:
        return batch.landlords[data.org_number]
    landlord = _landlord_read_or_create(organisation, data)
    if batch is not None:
        batch.landlords[data.org_number] = landlord
    return landlord


def _landlord_read_or_create(organisation: Organisation, data: LandlordData) -> Landlord:
    landlord, _created = Landlord.objects.get_or_create(
        organisation=organisation,
        org_number=data.org_number,
        defaults={"name": data.name, "contact_name": data.contact_name, "phone": data.phone, "email": data.email},
    )
    return landlord


def _household_create(organisation: Organisation, data: HouseholdData) -> tuple[Household, list[Person]]:
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
    persons = Person.objects.bulk_create([_person(household, member) for member in data.members])
    return household, persons


def _person(household: Household, member: MemberData) -> Person:
    return Person(
        household=household,
        organisation_id=household.organisation_id,
        name=member.name,
        role=member.role,
        personal_identity_number=member.personal_identity_number,
        birth_date=member.birth_date,
        protected_identity=member.protected_identity,
        child_residence=member.child_residence if member.role == MemberRole.CHILD else "",
    )


def _household_update(household: Household, data: HouseholdData) -> list[Person]:
    """A later notice may bring a phone number or members the first one lacked. Returns the members (by id)."""
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
        person = _person(household, member)
        person.save()
        existing.append(person)
    return existing


def _involvements_add(
    household: Household, active_units: list[ActiveUnitData], units: dict[str, Unit], today: dt.date, *, new_household: bool
) -> list:
    """The involvements the notice adds (a household just created has no others: not read)."""
    created = []
    if not active_units:
        return created
    open_units = set() if new_household else set(household.involvements.filter(ended__isnull=True).values_list("unit__code", flat=True))
    for entry in active_units:
        if entry.unit_code in open_units or entry.unit_code not in units:
            continue
        created.append(household.involvements.create(unit=units[entry.unit_code], case_worker_id=entry.case_worker_id, started=today))
        open_units.add(entry.unit_code)
    return created


class DuplicateSubmission(Exception):
    """The intake form was submitted twice (a double-click): the first submission's case is ``case``.

    Raised inside the registration's transaction, which it rolls back; ``case`` is read afterwards, on first use."""

    def __init__(self, case: Case | None = None, *, token: str = ""):
        self._case = case
        self.token = token
        super().__init__(case.number if case is not None else token)

    @property
    def case(self) -> Case:
        if self._case is None:
            self._case = SubmissionToken.objects.select_related("case").get(token=self.token).case
        return self._case


def _submission_token_use(token: str, user: User, case: Case) -> None:
    """Mark the form's one-time token used, in the notice's transaction.

    The unique index is the only check (issue 16: no lookup first, no savepoint): a second submission, or a
    concurrent one that waits on the index until the first commits, gets IntegrityError here and is refused
    with DuplicateSubmission, which rolls the whole registration back."""
    try:
        SubmissionToken.objects.create(token=token, user=user, case=case)
    except IntegrityError:
        raise DuplicateSubmission(token=token) from None


@dataclass
class _Target:
    """The case a notice goes on, with the household's members as just read and written (not read again)."""

    case: Case
    members: list[Person]
    new_case: bool = False
    new_household: bool = False


def _case_open(
    organisation: Organisation, household: HouseholdData, notice: NoticeData, today: dt.date, earlier: Household | None = None,
    *, may_race: bool = True, numbers: CaseNumbers | None = None,
) -> _Target | None:
    """A new open case, or None when a tenant has an open case already. The household is `earlier`, the one of an
    earlier, closed case of the same tenants when there is one, so its history stays (issue 11); else a new household.

    `may_race`: a concurrent registration may have opened the case meanwhile (the unique constraints refuse this one):
    the writes run in a savepoint, so that a lost race rolls back only them. When it cannot (see `_open_may_race`),
    no savepoint (issue 16: two queries) and an IntegrityError is an error like any other."""
    if not may_race:
        return _case_open_writes(organisation, household, notice, today, earlier, numbers)
    try:
        with transaction.atomic():  # a savepoint: a lost race rolls back only this
            return _case_open_writes(organisation, household, notice, today, earlier, numbers)
    except IntegrityError:
        return None


def _case_open_writes(
    organisation: Organisation, household: HouseholdData, notice: NoticeData, today: dt.date, earlier: Household | None,
    numbers: CaseNumbers | None = None,
) -> _Target:
    household_obj = earlier
    new_household = household_obj is None
    if new_household:
        household_obj, members = _household_create(organisation, household)
    else:
        members = _household_update(household_obj, household)
    case = Case.objects.create(
        organisation=organisation,
        household=household_obj,
        number=_next_case_number(organisation, notice.received_date.year if notice.received_date else today.year, numbers),
    )
    memberships_sync(case, strict=True, members=members, new_case=True)
    return _Target(case=case, members=members, new_case=True, new_household=new_household)


def _open_may_race(numbers_locked: bool, earlier: Household | None) -> bool:
    """Whether a case opened now may meet a concurrent registration that opens the same one.

    Not on SQLite in an IMMEDIATE transaction (no writing transaction runs beside it), nor on PostgreSQL for a new
    household once the tenants' personnummer are locked (identity_numbers_lock): its memberships are exactly those
    numbers, so any registration that could open the same case waits for this one and then finds its case. The
    household of an earlier case is not covered: it may hold tenants this notice does not name (not locked), and two
    notices of different tenants may both reopen it (one_open_case_per_household)."""
    if writes_serialised():
        return False
    return not (numbers_locked and earlier is None)


def _case_join(case_id: int, organisation: Organisation, household: HouseholdData) -> _Target:
    """Lock the open case (DoesNotExist when it was closed meanwhile) and add what the notice brings."""
    # The household and the payment commitment with it: the plan reads both (cases.services.evaluation._load).
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("household", "payment_commitment")
        .get(pk=case_id, organisation=organisation, status=CaseStatus.OPEN)
    )
    members = _household_update(case.household, household)
    memberships_sync(case, strict=False, members=members)
    return _Target(case=case, members=members)


def _case_for_notice(
    organisation: Organisation, household: HouseholdData, notice: NoticeData, join_case: Case | None, tenant_numbers: list[str],
    today: dt.date, numbers_locked: bool = False, numbers: CaseNumbers | None = None,
) -> _Target:
    """The case the notice goes on: the one chosen, the open case of a tenant, or a new one (on the household of the
    tenants' latest closed case when there is one)."""
    case_id, earlier = (join_case.pk if join_case is not None else None), None
    if case_id is None:
        case_id = open_case_id_for_numbers(organisation.pk, tenant_numbers)
    if case_id is None:
        latest = open_case_for_identity_numbers(organisation, tenant_numbers, or_latest_closed=True)
        if latest is not None and latest.status == CaseStatus.OPEN:
            case_id = latest.pk
        elif latest is not None:
            earlier = latest.household
    if case_id is None:
        target = _case_open(organisation, household, notice, today, earlier, may_race=_open_may_race(numbers_locked, earlier),
                            numbers=numbers)
        if target is None:
            # Another registration won the unique constraint (a path without the lock, or an earlier household's
            # tenant this notice does not name): join the case it opened.
            case_id = open_case_id_for_numbers(organisation.pk, tenant_numbers)
            if case_id is None:  # pragma: no cover - the constraint guarantees the row
                raise Case.DoesNotExist
            return _case_join(case_id, organisation, household)
        return target
    return _case_join(case_id, organisation, household)


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
    units: dict[str, Unit] | None = None,
    batch: RegistrationBatch | None = None,
) -> Notice:
    """Register a notice: household and persons, the case (new or joined), the
    routing decision with its assignments and tasks — all or nothing.

    The notice joins `join_case` when the user chose it, or else the open case of
    a household where a tenant has the same personnummer (one open case per person,
    see services/membership.py). `submission_token` is the intake form's one-time
    token: a second submission raises DuplicateSubmission and saves nothing.

    The notice returned has `joined_open_case`: True when it went on a case that was open before. `units`: the
    organisation's units by code when the caller has read them (the intake form has); `batch`: what a caller
    registering many notices of one organisation and day has read once (see RegistrationBatch)."""
    today = today or timezone.localdate()
    context = batch.context if batch is not None and batch.context.today == today else None
    if context is not None:
        units = context.units
    units = units if units is not None else _units_by_code(organisation)
    tenant_numbers = [m.personal_identity_number for m in household.members if m.role in TENANT_ROLES and m.personal_identity_number]
    # Taken before the lookup: a concurrent registration of the same people waits here
    # and then finds (and joins) the case this one creates.
    numbers_locked = identity_numbers_lock(organisation.pk, tenant_numbers)
    target = _case_for_notice(organisation, household, notice, join_case, tenant_numbers, today, numbers_locked,
                              batch.case_numbers if batch is not None else None)
    case = target.case
    involvements = _involvements_add(case.household, household.active_units, units, today, new_household=target.new_household)

    landlord = _landlord_get_or_create(organisation, notice.landlord, batch) if notice.landlord else None
    notice_obj = _notice_create(case, notice, landlord, user)
    notice_obj.joined_open_case = not target.new_case
    notice_obj.new_household = target.new_household
    if submission_token:
        _submission_token_use(submission_token, user, case)
    # The case is locked (joined) or new in this transaction: evaluated as it is, the instance brought up to date;
    # a case and household both new are evaluated on what was just written, without reading it back.
    case.organisation = organisation
    data = new_case_data(case, notice_obj, target.members, involvements) if target.new_household else None
    case_reevaluate(
        case, trigger=RoutingDecision.Trigger.NOTICE, today=today, notice=notice_obj, locked=True, units=units, data=data,
        members=target.members, context=context,
    )
    event = audit_event(
        user=user, action=AuditAction.NOTICE_REGISTER, case=case, request=request, detail=notice.notice_type, without_assignment=False
    )
    if batch is not None:
        batch.audit_events.append(event)
    else:
        event.save()
    # The scan is written last: a failure earlier in the transaction leaves no stray file behind.
    if attachment is not None:
        notice_obj.attachment.save(f"underrattelse-{notice_obj.pk}.pdf", attachment, save=True)
    return notice_obj

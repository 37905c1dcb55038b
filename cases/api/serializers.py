"""The REST API's request and response shapes (issue 3, "REST API"): a contract with integrations.

Field names and codes follow docs/domain/codes.md and must not change.
Request serializers only parse and validate; they turn the body into the
services' input dataclasses (NoticeData, HouseholdData) and never write.
Every error is keyed by the field's name, nested the way DRF nests them, so an
integration can point at the exact field (a bad personnummer of the first
member is ``{"household": {"members": [{"personal_identity_number": [...]}]}}``).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from organisation.models import Unit

from .. import services
from ..identity_messages import IDENTITY_MESSAGES
from ..models import (
    AssignmentRole,
    CaseStatus,
    ChildResidence,
    ContactChannel,
    DeviationKind,
    HousingType,
    LetterLanguage,
    MemberRole,
    NoticeChannel,
    NoticeGround,
    NoticeType,
    SenderKind,
    TaskKind,
    TaskStatus,
)
from ..rules.identity import InvalidIdentityNumber, normalize_org_number, normalize_personal_identity_number
from ..rules.routing import KRONOFOGDEN_NOTICES
from ..validation import (
    DESCRIPTION_MAX,
    OBJECT_NUMBER_MAX,
    OBJECT_NUMBER_MESSAGE,
    OBJECT_NUMBER_PATTERN,
    OTHER_RESIDENTS_MAX,
    FreeTextSerializerMixin,
)

# Dates outside this range are typing errors, and far-future dates would overflow date arithmetic.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)

MAX_MEMBERS = 30
MAX_ACTIVE_UNITS = 20
MAX_TEXT = 10_000

# The notice types Kronofogden sends: one list, in the plan (cases.rules.routing).
KRONOFOGDEN_NOTICE_TYPES = KRONOFOGDEN_NOTICES


class BoundedDateField(serializers.DateField):
    """A YYYY-MM-DD date between 1900 and 2199."""

    default_error_messages: ClassVar[dict[str, str]] = {"out_of_range": _("Datumet måste ligga mellan {earliest} och {latest}.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        date = super().to_internal_value(value)
        if not EARLIEST_DATE <= date <= LATEST_DATE:
            self.fail("out_of_range", earliest=EARLIEST_DATE.isoformat(), latest=LATEST_DATE.isoformat())
        return date


def _optional_date(**kwargs):
    return BoundedDateField(required=False, allow_null=True, **kwargs)


def _text(max_length: int, **kwargs):
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, default="", **kwargs)


# --- requests ----------------------------------------------------------------------


class ListOfObjects(serializers.ListSerializer):
    """DRF's list of nested objects, with Swedish messages for the length limits (DRF has none translated).

    Errors inside items are keyed by the item's index, DRF's current format:
    ``{"members": {"0": {"personal_identity_number": ["…"]}}}``."""

    default_error_messages: ClassVar[dict[str, str]] = {
        "max_length": _("Högst {max_length} poster."),
        "min_length": _("Minst {min_length} poster."),
    }


class MemberSerializer(FreeTextSerializerMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    personal_identity_number = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="",
        help_text=_("Personnummer eller samordningsnummer, 10 eller 12 siffror, med eller utan - eller +."),
    )
    birth_date = _optional_date(help_text=_("När personnummer saknas."))
    role = serializers.ChoiceField(choices=MemberRole.choices)
    protected_identity = serializers.BooleanField(required=False, default=False)
    child_residence = serializers.ChoiceField(choices=ChildResidence.choices, required=False, allow_blank=True, default="")

    class Meta:
        list_serializer_class = ListOfObjects

    def validate_personal_identity_number(self, value: str) -> str:
        if not value.strip():
            return ""
        try:
            return normalize_personal_identity_number(value, today=timezone.localdate())
        except InvalidIdentityNumber as exc:
            raise serializers.ValidationError(IDENTITY_MESSAGES[exc.code]) from exc

    def validate_birth_date(self, value):
        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError(_("Födelsedatumet kan inte ligga i framtiden."))
        return value

    def validate(self, attrs):
        if attrs["role"] == MemberRole.CHILD and not attrs.get("personal_identity_number") and not attrs.get("birth_date"):
            raise serializers.ValidationError({"birth_date": _("Ange personnummer eller födelsedatum för barnet.")})
        return attrs


class ActiveUnitSerializer(FreeTextSerializerMixin, serializers.Serializer):
    unit = serializers.CharField(max_length=60, help_text=_("Enhetskod enligt codes.md, t.ex. EKONOMISKT_BISTAND."))

    class Meta:
        list_serializer_class = ListOfObjects

    def validate_unit(self, value: str) -> str:
        units = self.context.get("units")  # the organisation's units by code, when the view has read them
        if units is not None:
            known = value in units and units[value].is_active
        else:
            known = Unit.objects.filter(organisation=self.context["organisation"], code=value, is_active=True).exists()
        if not known:
            raise serializers.ValidationError(_("Okänd enhet: %(code)s.") % {"code": value})
        return value


class HouseholdSerializer(FreeTextSerializerMixin, serializers.Serializer):
    street_address = serializers.CharField(max_length=200)
    apartment_number = serializers.CharField(
        max_length=4, required=False, allow_blank=True, default="",
        validators=[RegexValidator(r"^\d{4}$", _("Lägenhetsnumret ska ha fyra siffror."))],
    )
    object_number = serializers.CharField(
        max_length=OBJECT_NUMBER_MAX, required=False, allow_blank=True, default="",
        validators=[RegexValidator(OBJECT_NUMBER_PATTERN, OBJECT_NUMBER_MESSAGE)],
        help_text=_("Hyresvärdens objektnummer för lägenheten: siffror och bokstäver, högst 10 tecken."),
    )
    postal_code = serializers.CharField(
        max_length=6, required=False, allow_blank=True, default="",
        validators=[RegexValidator(r"^\d{3} ?\d{2}$", _("Postnumret ska ha fem siffror."))],
    )
    city = _text(100)
    area = _text(100)
    housing_type = serializers.ChoiceField(choices=HousingType.choices)
    rooms = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)
    phone = _text(40)
    other_residents = _text(OTHER_RESIDENTS_MAX)
    preferred_language = serializers.ChoiceField(
        choices=LetterLanguage.choices, required=False, allow_blank=True, default="",
        help_text=_("Språk för brev (codes.md), t.ex. en, ar, sv-easy; tomt: inte angivet. Okänd kod ger 400."),
    )
    members = MemberSerializer(many=True, max_length=MAX_MEMBERS)
    active_units = ActiveUnitSerializer(many=True, required=False, default=list, max_length=MAX_ACTIVE_UNITS)

    def validate_members(self, members):
        if not any(m["role"] in (MemberRole.TENANT, MemberRole.CO_TENANT) for m in members):
            raise serializers.ValidationError(_("Ange minst en kontraktsinnehavare."))
        return members


class LandlordSerializer(FreeTextSerializerMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    org_number = serializers.CharField(max_length=20, help_text=_("Organisationsnummer, NNNNNN-NNNN."))
    reference = _text(100)
    contact_name = _text(200)
    phone = _text(40)
    email = serializers.EmailField(required=False, allow_blank=True, default="")

    def validate_org_number(self, value: str) -> str:
        try:
            return normalize_org_number(value)
        except InvalidIdentityNumber as exc:
            raise serializers.ValidationError(IDENTITY_MESSAGES[exc.code]) from exc


def _amount(max_digits: int = 12):
    return serializers.DecimalField(max_digits=max_digits, decimal_places=2, min_value=0, required=False, allow_null=True)


class NoticeCreateSerializer(FreeTextSerializerMixin, serializers.Serializer):
    notice_type = serializers.ChoiceField(choices=NoticeType.choices)
    received_date = BoundedDateField(help_text=_("Dagen då socialtjänsten tog emot underrättelsen; inte i framtiden."))
    document_date = _optional_date()
    served_date = _optional_date()
    termination_date = _optional_date()
    eviction_date = _optional_date()
    eviction_time = serializers.TimeField(required=False, allow_null=True)
    eviction_place = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="",
        help_text=_("Adressen dit Kronofogden kommer (EVICTION_DATE); tomt: hushållets adress."),
    )
    reply_deadline = _optional_date()
    warning_date = _optional_date()
    sent_date = _optional_date(help_text=_("Dagen då hyresvärden skickade underrättelsen (start av återvinningsfristen, läsningen SENT)."))
    ground = serializers.ChoiceField(
        choices=NoticeGround.choices, required=False, allow_blank=True, default="",
        help_text=_("Grund för EVICTION_APPLICATION och EVICTION_DATE: RENT_ARREARS, DISTURBANCE eller OTHER."),
    )
    debt_amount = _amount()
    debt_months = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1000)
    recovery_amount = _amount()
    monthly_rent = _amount(10)
    description = _text(DESCRIPTION_MAX)
    kronofogden_reference = _text(100)
    agent = _text(200)
    sender_kind = serializers.ChoiceField(
        choices=SenderKind.choices, required=False,
        help_text=_("Standard: KRONOFOGDEN för EVICTION_APPLICATION och EVICTION_DATE, annars LANDLORD."),
    )
    channel = serializers.ChoiceField(choices=NoticeChannel.choices, required=False, default=NoticeChannel.API)
    landlord = LandlordSerializer(required=False, allow_null=True)
    household = HouseholdSerializer()

    def validate_received_date(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(_("Mottagningsdatumet kan inte ligga i framtiden."))
        return value

    def validate(self, attrs):
        received = attrs["received_date"]
        document = attrs.get("document_date")
        if document is not None and document > received:
            raise serializers.ValidationError({"document_date": _("Handlingens datum kan inte vara senare än mottagningsdatumet.")})
        sent = attrs.get("sent_date")
        if sent is not None and sent > received:
            raise serializers.ValidationError({"sent_date": _("Avsändningsdatumet kan inte vara senare än mottagningsdatumet.")})
        if attrs.get("ground") and attrs["notice_type"] not in KRONOFOGDEN_NOTICE_TYPES:
            raise serializers.ValidationError({"ground": _("Grund anges bara för ansökan om avhysning och underrättelse om avhysning.")})
        return attrs

    # -> the services' input (only after is_valid())

    def notice_data(self) -> services.NoticeData:
        data = self.validated_data
        landlord = data.get("landlord")
        sender = data.get("sender_kind") or (
            SenderKind.KRONOFOGDEN if data["notice_type"] in KRONOFOGDEN_NOTICE_TYPES else SenderKind.LANDLORD
        )
        return services.NoticeData(
            notice_type=data["notice_type"],
            received_date=data["received_date"],
            sender_kind=sender,
            landlord=services.LandlordData(**landlord) if landlord else None,
            agent=data["agent"],
            kronofogden_reference=data["kronofogden_reference"],
            channel=data["channel"],
            document_date=data.get("document_date"),
            served_date=data.get("served_date"),
            termination_date=data.get("termination_date"),
            eviction_date=data.get("eviction_date"),
            eviction_time=data.get("eviction_time"),
            eviction_place=data.get("eviction_place", "").strip(),
            reply_deadline=data.get("reply_deadline"),
            debt_amount=data.get("debt_amount"),
            debt_months=data.get("debt_months"),
            recovery_amount=data.get("recovery_amount"),
            monthly_rent=data.get("monthly_rent"),
            warning_date=data.get("warning_date"),
            description=data["description"],
            ground=data.get("ground", ""),
            sent_date=data.get("sent_date"),
        )

    def household_data(self) -> services.HouseholdData:
        data = dict(self.validated_data["household"])
        members = [
            services.MemberData(
                name=m["name"], role=m["role"], personal_identity_number=m["personal_identity_number"],
                birth_date=m.get("birth_date"), protected_identity=m["protected_identity"], child_residence=m["child_residence"],
            )
            for m in data.pop("members")
        ]
        active_units = [services.ActiveUnitData(unit_code=a["unit"]) for a in data.pop("active_units")]
        return services.HouseholdData(members=members, active_units=active_units, **data)


class ContactCreateSerializer(FreeTextSerializerMixin, serializers.Serializer):
    date = BoundedDateField()
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    established = serializers.BooleanField()
    note = _text(MAX_TEXT)

    def validate_date(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(_("Kontakten kan inte ha ägt rum i framtiden."))
        return value


class TaskCompleteSerializer(FreeTextSerializerMixin, serializers.Serializer):
    note = _text(MAX_TEXT)
    # Required when the lead unit completes another unit's task (issue 12 item 1); logged.
    reason = _text(300)


# --- responses ------------------------------------------------------------------------


class AssignmentOutSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.code")
    user = serializers.CharField(source="user.username", allow_null=True, default=None)
    role = serializers.ChoiceField(choices=AssignmentRole.choices)
    rules = serializers.ListField(child=serializers.CharField())


class TaskOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=TaskKind.choices)
    unit = serializers.CharField(source="unit.code")
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    rules = serializers.ListField(child=serializers.CharField())


class CaseDeviationOutSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeviationKind.choices)
    date = serializers.DateField(source="occurred_on")


class CaseOutSerializer(serializers.Serializer):
    """<case>. Expects the case from api.case_for_response (active assignments and tasks prefetched)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    lead_unit = serializers.CharField(source="lead_unit.code", allow_null=True, default=None)
    urgent = serializers.BooleanField()
    recovery_deadline = serializers.DateField(allow_null=True)
    children_count = serializers.IntegerField()
    assignments = AssignmentOutSerializer(many=True, source="active_assignments")
    tasks = TaskOutSerializer(many=True, source="task_list")
    # Stored as rule ids and parameters; worded in the request's language (api.case_for_response).
    explanation = serializers.ListField(child=serializers.CharField(), source="explanation_sentences")
    plan_version = serializers.CharField()
    # Issue 11
    eviction_date = serializers.DateField(allow_null=True)
    reply_deadline = serializers.DateField(allow_null=True)
    recovery_deadline_basis = serializers.ChoiceField(
        choices=[("RECEIVED", "RECEIVED"), ("SENT", "SENT")], allow_null=True, source="recovery_deadline_basis_or_none",
        help_text=_("Från vilken dag återvinningsfristen räknas: RECEIVED (mottagen) eller SENT (avsänd av hyresvärden)."),
    )
    flags = serializers.ListField(child=serializers.CharField())
    earlier_cases = serializers.ListField(child=serializers.IntegerField(), source="earlier_case_ids")
    deviations = CaseDeviationOutSerializer(many=True, source="deviation_list")


class NoticeCreatedSerializer(serializers.Serializer):
    notice_id = serializers.IntegerField()
    case = CaseOutSerializer()

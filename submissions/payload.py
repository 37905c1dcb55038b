"""The body of a submission: the notice body of POST /api/v1/notices/, with what the receipt decides fixed.

Whatever the landlord sends, the sender is that landlord (its stored name and organisationsnummer; only its own
reference is kept), the channel is PORTAL or API, the notice reached the social services on the day it was
received here, and the landlord says nothing about where the household is aktuell (it cannot know). The rest is
validated by the notices API's own serializer (cases/api/serializers.py): the same fields, rules and messages.
The portal's form (forms.py) is the intake form's and turns its values into this same body (body_from_form).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases import services
from cases.api.serializers import NoticeCreateSerializer
from cases.models import Landlord, NoticeType, SenderKind

from .models import SubmissionMissing

# The notices a landlord sends the social services (formulär 3 and the warning before a termination for disturbances);
# Kronofogden's come from Kronofogden.
LANDLORD_NOTICE_TYPES = (
    NoticeType.RENT_ARREARS_TERMINATION,
    NoticeType.DISTURBANCE_TERMINATION,
    NoticeType.OTHER_TERMINATION,
    NoticeType.DISTURBANCE_WARNING,
)
# What only the social services (or Kronofogden) know: dropped from a landlord's body.
DROPPED_FIELDS = ("kronofogden_reference", "eviction_date", "eviction_time", "eviction_place", "reply_deadline", "ground")


class SubmissionBodySerializer(NoticeCreateSerializer):
    """POST /api/v1/notices/'s body, for a landlord's own notice types."""

    default_error_messages: ClassVar[dict[str, str]] = {"not_object": _("Underrättelsen ska vara ett JSON-objekt.")}

    def validate_notice_type(self, value: str) -> str:
        if value not in LANDLORD_NOTICE_TYPES:
            raise serializers.ValidationError(_("En hyresvärd kan lämna uppsägningar och tillsägelser, inte Kronofogdens underrättelser."))
        return value


def fixed_body(body: Any, *, landlord: Landlord, channel: str, received_date: dt.date) -> dict:
    """The body with sender, landlord, channel and received date fixed (see the module's docstring)."""
    if not isinstance(body, dict):
        raise serializers.ValidationError({"non_field_errors": [SubmissionBodySerializer.default_error_messages["not_object"]]})
    fixed = {key: value for key, value in body.items() if key not in DROPPED_FIELDS}
    sent_landlord = body.get("landlord") if isinstance(body.get("landlord"), dict) else {}
    reference = sent_landlord.get("reference", "")
    reference = reference if isinstance(reference, str) else ""
    fixed["landlord"] = {"name": landlord.name, "org_number": landlord.org_number, "reference": reference}
    fixed.update(sender_kind=SenderKind.LANDLORD.value, channel=channel, received_date=received_date.isoformat())
    if isinstance(fixed.get("household"), dict):
        fixed["household"] = {**fixed["household"], "active_units": []}
    return fixed


def body_validate(body: dict, *, organisation) -> SubmissionBodySerializer:
    """The serializer for a fixed body, validated (raises serializers.ValidationError with the field errors)."""
    serializer = SubmissionBodySerializer(data=body, context={"organisation": organisation})
    serializer.is_valid(raise_exception=True)
    return serializer


class BodyValidator:
    """body_validate for the many bodies of a landlord's list: one serializer, whose fields (and its nested serializers'
    fields) are built once; building them is most of the cost of validating a body. Each body is validated from
    scratch: only the data and what the last validation left (validated data, errors) are reset."""

    def __init__(self, *, organisation):
        self.serializer = SubmissionBodySerializer(data={}, context={"organisation": organisation})

    def validate(self, body: dict) -> SubmissionBodySerializer:
        """As body_validate (raises serializers.ValidationError with the field errors)."""
        serializer = self.serializer
        for name in ("_validated_data", "_errors", "_data"):
            serializer.__dict__.pop(name, None)
        serializer.initial_data = body
        serializer.is_valid(raise_exception=True)
        return serializer


def missing_facts(body: dict) -> list[str]:
    """What the recovery period (JB 12:44) needs and a termination for rent arrears lacks: the amount required to
    recover the lease and the day the tenant was served (deadlines.md). Such a notice may not start the period."""
    if body.get("notice_type") != NoticeType.RENT_ARREARS_TERMINATION:
        return []
    missing = []
    if body.get("recovery_amount") in (None, ""):
        missing.append(SubmissionMissing.RECOVERY_AMOUNT.value)
    if not body.get("served_date"):
        missing.append(SubmissionMissing.SERVED_DATE.value)
    return missing


def _json_value(value):
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def body_from_form(notice: services.NoticeData, household: services.HouseholdData) -> dict:
    """The intake form's domain values as the API's body (the portal form's submission)."""
    body = {key: _json_value(value) for key, value in dataclasses.asdict(notice).items() if key != "landlord"}
    body["landlord"] = {"reference": notice.landlord.reference if notice.landlord else ""}
    members = [{key: _json_value(value) for key, value in dataclasses.asdict(m).items()} for m in household.members]
    body["household"] = {
        **{key: _json_value(value) for key, value in dataclasses.asdict(household).items() if key not in ("members", "active_units")},
        "members": members,
    }
    return {key: value for key, value in body.items() if value is not None}


# The intake form's field names for the body's keys (where they differ); the rest are the same.
def intake_initial(body: dict) -> tuple[dict, list[dict]]:
    """The staff's intake form pre-filled from a submission's body: (form initial, members' initial)."""
    household = body.get("household") if isinstance(body.get("household"), dict) else {}
    landlord = body.get("landlord") if isinstance(body.get("landlord"), dict) else {}
    notice_keys = ("notice_type", "sender_kind", "channel", "agent", "document_date", "received_date", "served_date",
                   "termination_date", "warning_date", "sent_date", "debt_amount", "debt_months", "recovery_amount",
                   "monthly_rent", "description")
    household_keys = ("street_address", "apartment_number", "object_number", "postal_code", "city", "area", "housing_type",
                      "rooms", "phone", "other_residents")
    initial = {key: body[key] for key in notice_keys if body.get(key) not in (None, "")}
    initial.update({key: household[key] for key in household_keys if household.get(key) not in (None, "")})
    initial.update(landlord_name=landlord.get("name", ""), landlord_org_number=landlord.get("org_number", ""),
                   landlord_reference=landlord.get("reference", ""))
    member_keys = ("name", "personal_identity_number", "birth_date", "role", "protected_identity", "child_residence")
    members = [{key: m[key] for key in member_keys if m.get(key) not in (None, "")}
               for m in household.get("members") or [] if isinstance(m, dict)]
    return initial, members

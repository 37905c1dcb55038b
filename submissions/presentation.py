"""What the queue's templates show of a submission (templates stay without logic): labels for the codes,
personnummer masked in the list, no address when someone in the household has protected identity."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cases.models import HousingType, MemberRole, NoticeType
from cases.rules.identity import format_personal_identity_number, mask_personal_identity_number

from .models import Submission, SubmissionMissing

NOTICE_LABELS = dict(NoticeType.choices)
ROLE_LABELS = dict(MemberRole.choices)
MISSING_LABELS = dict(SubmissionMissing.choices)
HOUSING_LABELS = dict(HousingType.choices)


def _members(body: dict) -> list[dict]:
    household = body.get("household") or {}
    return [m for m in household.get("members") or [] if isinstance(m, dict)]


def submission_view(submission: Submission, *, with_body: bool = False) -> dict:
    body = submission.payload if isinstance(submission.payload, dict) else {}
    household = body.get("household") or {}
    members = _members(body)
    protected = any(m.get("protected_identity") for m in members)
    tenants = [m for m in members if m.get("role") in (MemberRole.TENANT, MemberRole.CO_TENANT)]
    view = {
        "submission": submission,
        "notice_type": NOTICE_LABELS.get(body.get("notice_type"), body.get("notice_type", "")),
        "tenants": [
            {"name": m.get("name", ""), "pin": mask_personal_identity_number(m["personal_identity_number"])
             if m.get("personal_identity_number") else ""}
            for m in tenants
        ],
        "protected": protected,
        "address": "" if protected else " ".join(str(household.get(k) or "") for k in ("street_address", "apartment_number")).strip(),
        "missing": [MISSING_LABELS.get(code, code) for code in submission.missing],
    }
    if with_body:
        view["members"] = [
            {"name": m.get("name", ""), "pin": format_personal_identity_number(m["personal_identity_number"])
             if m.get("personal_identity_number") else "", "birth_date": m.get("birth_date", ""),
             "role": ROLE_LABELS.get(m.get("role"), m.get("role", "")), "protected": bool(m.get("protected_identity"))}
            for m in members
        ]
        view["facts"] = [
            (label, body.get(key)) for key, label in NOTICE_FACTS if body.get(key) not in (None, "")
        ]
        if not protected:
            view["facts"] += [(label, household.get(key)) for key, label in HOUSEHOLD_FACTS if household.get(key) not in (None, "")]
        housing = household.get("housing_type")
        if housing:
            view["facts"].append((HOUSING_LABEL, HOUSING_LABELS.get(housing, housing)))
        view["reference"] = (body.get("landlord") or {}).get("reference", "")
    return view


NOTICE_FACTS = [
    ("document_date", _("Handlingens datum")), ("termination_date", _("Uppsägningsdatum")),
    ("served_date", _("Delgivningsdatum")), ("warning_date", _("Datum för tillsägelse")),
    ("debt_amount", _("Skuld (kr)")), ("debt_months", _("Antal månader skuld")),
    ("recovery_amount", _("Belopp för att återvinna hyresrätten (kr)")), ("monthly_rent", _("Månadshyra (kr)")),
    ("agent", _("Ombud (t.ex. inkassobolag)")), ("description", _("Beskrivning")),
]
HOUSEHOLD_FACTS = [
    ("street_address", _("Gatuadress")), ("apartment_number", _("Lägenhetsnummer")), ("object_number", _("Objektnummer")),
    ("postal_code", _("Postnummer")), ("city", _("Ort")), ("rooms", _("Antal rum")), ("phone", _("Telefon")),
]
HOUSING_LABEL = _("Boendeform")

"""One row of a list, validated by the intake form itself (same fields, same messages).

The row's mapped values are turned into the POST data the form would receive, and
IntakeForm + MemberFormSet validate it; their domain values (services.NoticeData,
services.HouseholdData) are what the commit hands to services.notice_register. Only
what a file needs on top of the form lives here: reading Swedish amounts and labels,
the landlord chosen for the import, and the landlord's reference (it recognises a row
when the same list comes again).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext as _

from cases import services
from cases.intake.forms import BaseMemberFormSet, IntakeForm, MemberForm
from cases.models import HousingType, Landlord, LetterLanguage, MemberRole, NoticeChannel, NoticeType, SenderKind
from cases.rules.routing import KRONOFOGDEN_NOTICES
from cases.validation import free_text_fields_apply
from organisation.models import Organisation

from .columns import normalise_heading

AMOUNT_FIELDS = ("debt_amount", "recovery_amount", "monthly_rent")
NOTICE_FIELDS = (
    "notice_type", "landlord_name", "landlord_org_number", "landlord_reference", "agent", "kronofogden_reference",
    "document_date", "received_date", "served_date", "termination_date", "warning_date", "eviction_date",
    "debt_amount", "debt_months", "recovery_amount", "monthly_rent", "description",
    "street_address", "apartment_number", "object_number", "postal_code", "city", "area", "housing_type", "rooms", "phone",
    "preferred_language",
)
# The form's member fields, reported under the file's column keys.
MEMBER_COLUMNS = (("tenant_name", "tenant_pin", MemberRole.TENANT), ("co_tenant_name", "co_tenant_pin", MemberRole.CO_TENANT))
# A Kronofogden notice on a landlord's list still comes from Kronofogden (as in the form, the sender follows the type).
KRONOFOGDEN_TYPES = KRONOFOGDEN_NOTICES


def _choice_lookup(choices) -> dict[str, str]:
    table = {}
    for value, label in choices:
        table[normalise_heading(value)] = value
        table[normalise_heading(str(label))] = value
    return table


class ImportRowForm(IntakeForm):
    """The intake form's fields, cleaning and messages, without what only the page needs.

    IntakeForm.__init__ builds the crispy layout and one case-worker field per unit (two
    queries and ~20 ms a row); a file has no case workers, so it is skipped. Everything that
    validates (clean_<field>, clean) is the intake form's own."""

    picks_stored_landlord = False

    def __init__(self, *, organisation: Organisation, today: dt.date):
        forms.Form.__init__(self, None)
        self.organisation = organisation
        self.joining = False
        self.today = today
        self.worker_field_names: dict[int, str] = {}
        self.fields["street_address"].required = True
        # The same length and character checks, and messages, as the form and the API.
        free_text_fields_apply(self.fields)
        # No unit can be ticked in a file; a plain empty choice spares a query per row in clean().
        self.fields["active_units"] = forms.MultipleChoiceField(required=False)

    def bind(self, data: dict) -> ImportRowForm:
        """Validate another row with the same form: copying the form's fields for each row is half the cost of a
        preview. Nothing a row sets survives: data, errors and bound fields are reset."""
        self.data, self.is_bound, self._errors = data, True, None
        self._bound_fields_cache = {}
        self.__dict__.pop("cleaned_data", None)
        return self


class ImportMemberForm(MemberForm):
    """The intake form's member, without its crispy layout (see ImportRowForm)."""

    def __init__(self, *args, today: dt.date | None = None, **kwargs):
        forms.Form.__init__(self, *args, **kwargs)
        self.today = today
        free_text_fields_apply(self.fields)


ImportMemberFormSet = forms.formset_factory(ImportMemberForm, formset=BaseMemberFormSet, extra=0, can_delete=True, max_num=30,
                                            validate_max=True)


@dataclass
class RowResult:
    errors: dict[str, list[str]] = field(default_factory=dict)
    notice: services.NoticeData | None = None
    household: services.HouseholdData | None = None
    tenant_numbers: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


def _amount(text: str) -> str:
    # "12 345,50 kr" → "12345.50"; anything else is left for the form to refuse in its own words.
    cleaned = re.sub(r"(?i)\s|kr\.?$|sek$", "", text.replace("\u00a0", ""))
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", cleaned):
        cleaned = cleaned.replace(".", "")
    return cleaned.replace(",", ".")


class RowValidator:
    """Validates the rows of one import. Built once per import: the form's choices stay the same throughout."""

    def __init__(self, *, organisation: Organisation, landlord: Landlord | None, today: dt.date):
        self.organisation = organisation
        self.landlord = landlord
        self.today = today
        self.notice_types = _choice_lookup(NoticeType.choices)
        self.housing_types = _choice_lookup(HousingType.choices)
        self.languages = _choice_lookup(LetterLanguage.choices)
        self.form = ImportRowForm(organisation=organisation, today=today)

    def form_data(self, values: dict[str, str]) -> tuple[dict, dict]:
        v = {key: (values.get(key) or "").strip() for key in (*NOTICE_FIELDS, *(k for m in MEMBER_COLUMNS for k in m[:2]))}
        if v["notice_type"]:
            v["notice_type"] = self.notice_types.get(normalise_heading(v["notice_type"]), v["notice_type"])
        else:
            v["notice_type"] = NoticeType.RENT_ARREARS_TERMINATION
        v["housing_type"] = self.housing_types.get(normalise_heading(v["housing_type"]), v["housing_type"]) or HousingType.ORDINARY
        if v["preferred_language"]:
            v["preferred_language"] = self.languages.get(normalise_heading(v["preferred_language"]), v["preferred_language"])
        for name in AMOUNT_FIELDS:
            if v[name]:
                v[name] = _amount(v[name])
        if self.landlord is not None and not v["landlord_name"] and not v["landlord_org_number"]:
            v["landlord_name"], v["landlord_org_number"] = self.landlord.name, self.landlord.org_number
        if not v["received_date"]:
            v["received_date"] = self.today.isoformat()
        data = {name: v[name] for name in NOTICE_FIELDS}
        data["sender_kind"] = SenderKind.KRONOFOGDEN if v["notice_type"] in KRONOFOGDEN_TYPES else SenderKind.LANDLORD
        data["channel"] = NoticeChannel.IMPORT
        members = {"members-TOTAL_FORMS": str(len(MEMBER_COLUMNS)), "members-INITIAL_FORMS": "0",
                   "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "1000"}
        for index, (name_key, pin_key, role) in enumerate(MEMBER_COLUMNS):
            members[f"members-{index}-name"] = v[name_key]
            members[f"members-{index}-personal_identity_number"] = v[pin_key]
            # An empty member stays empty (unchanged), as an unused row of the form does.
            members[f"members-{index}-role"] = role if (v[name_key] or v[pin_key]) else ""
        return data, members

    def validate(self, values: dict[str, str]) -> RowResult:
        data, member_data = self.form_data(values)
        form = self.form.bind(data)
        formset = ImportMemberFormSet(member_data, prefix="members", require_tenant=True, today=self.today)
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        result = RowResult()
        for name, messages in form.errors.items():
            result.errors.setdefault(name if name != "__all__" else "row", []).extend(str(m) for m in messages)
        for index, member_form in enumerate(formset.forms):
            name_key, pin_key, _role = MEMBER_COLUMNS[index]
            for name, messages in member_form.errors.items():
                key = {"name": name_key, "personal_identity_number": pin_key}.get(name, name_key)
                result.errors.setdefault(key, []).extend(str(m) for m in messages)
        if formset.non_form_errors():
            result.errors.setdefault("tenant_name", []).extend(str(m) for m in formset.non_form_errors())
        if not data["landlord_reference"]:
            result.errors.setdefault("landlord_reference", []).append(
                _("Ange hyresvärdens referens: den känner igen raden om listan importeras igen."))
        if result.errors or not (form_ok and formset_ok):
            return result
        members = formset.members_data()
        result.notice = form.notice_data()
        result.household = form.household_data(members)
        result.tenant_numbers = [m.personal_identity_number for m in members
                                 if m.role in (MemberRole.TENANT, MemberRole.CO_TENANT) and m.personal_identity_number]
        return result


def notice_key_parts(org_number: str, reference: str, notice_type: str, dates) -> str:
    return "|".join([org_number, reference.strip().casefold(), notice_type, *[d.isoformat() if d else "" for d in dates]])


def row_key(notice: services.NoticeData) -> str:
    """Landlord + the landlord's reference + notice type + the notice's own dates. The received date is left out:
    the same row brought again on another day is still the same notice."""
    landlord = notice.landlord
    dates = [notice.document_date, notice.termination_date, notice.warning_date, notice.eviction_date]
    return notice_key_parts(landlord.org_number if landlord else "", landlord.reference if landlord else "", notice.notice_type, dates)

"""The intake form: one notice, its household and members, and where the household is aktuell.

The forms validate and return domain values (services.NoticeData / HouseholdData);
crispy's FormHelper only lays them out. Every message is Swedish.
"""

from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.core.validators import MinValueValidator, RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.models import Organisation, Unit, User

from .. import services
from ..identity_messages import IDENTITY_MESSAGES
from ..models import (
    ChildResidence,
    Household,
    HousingType,
    LetterLanguage,
    MemberRole,
    NoticeChannel,
    NoticeGround,
    NoticeType,
    SenderKind,
)
from ..rules.identity import (
    InvalidIdentityNumber,
    normalize_org_number,
    normalize_personal_identity_number,
)
from ..rules.routing import KRONOFOGDEN_NOTICES
from ..uploads import MAX_ATTACHMENT_BYTES, pdf_problem
from ..validation import (
    DESCRIPTION_MAX,
    OBJECT_NUMBER_MAX,
    OBJECT_NUMBER_MESSAGE,
    OBJECT_NUMBER_PATTERN,
    OTHER_RESIDENTS_MAX,
    FreeTextFormMixin,
)
from . import selectors

PDF_MESSAGES = {
    "invalid": _("Filen är inte en giltig PDF."),
    "encrypted": _("PDF-filen är krypterad eller lösenordsskyddad. Spara den utan lösenord och försök igen."),
    "pages": _("PDF-filen måste ha mellan 1 och 200 sidor."),
    "bomb": _("PDF-filen packas upp till för mycket data. Skanna handlingen igen."),
}
PDF_MAGIC = b"%PDF-"
PDF_CONTENT_TYPES = ("application/pdf", "application/x-pdf")

ORG_CHECKSUM_MESSAGE = _("Organisationsnumret är ogiltigt: kontrollsiffran stämmer inte.")

not_negative = MinValueValidator(0, message=_("Beloppet kan inte vara negativt."))
apartment_validator = RegexValidator(r"^\d{4}$", _("Lägenhetsnumret ska ha fyra siffror."))
object_number_validator = RegexValidator(OBJECT_NUMBER_PATTERN, OBJECT_NUMBER_MESSAGE)
postal_code_validator = RegexValidator(r"^\d{3} ?\d{2}$", _("Postnumret ska ha fem siffror."))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def _amount(label):
    return forms.DecimalField(
        label=label, required=False, max_digits=12, decimal_places=2, validators=[not_negative],
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


class WorkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class IntakeForm(FreeTextFormMixin, forms.Form):
    """The notice and the household (members are the MemberFormSet, alongside)."""

    # The page completes a stored landlord from part of its name or its number; a file (imports) names both.
    picks_stored_landlord = True

    # --- the notice
    notice_type = forms.ChoiceField(
        label=_("Typ av underrättelse"), choices=NoticeType.choices, error_messages={"required": _("Välj typ av underrättelse.")}
    )
    sender_kind = forms.ChoiceField(label=_("Avsändare"), choices=SenderKind.choices, initial=SenderKind.LANDLORD)
    channel = forms.ChoiceField(label=_("Kanal"), choices=NoticeChannel.choices, initial=NoticeChannel.POST)
    landlord_name = forms.CharField(
        label=_("Hyresvärdens namn"), max_length=200, required=False,
        help_text=_("Skriv en del av namnet på en sparad hyresvärd; organisationsnumret fylls i av sig självt."),
        widget=forms.TextInput(attrs={"list": "landlord-options", "autocomplete": "off"}),
    )
    landlord_org_number = forms.CharField(
        label=_("Hyresvärdens organisationsnummer"), max_length=20, required=False,
        help_text=_("NNNNNN-NNNN. Behövs bara för en ny hyresvärd."),
    )
    landlord_reference = forms.CharField(label=_("Hyresvärdens referens"), max_length=100, required=False)
    agent = forms.CharField(label=_("Ombud (t.ex. inkassobolag)"), max_length=200, required=False)
    kronofogden_reference = forms.CharField(label=_("Kronofogdens målnummer"), max_length=100, required=False)
    document_date = forms.DateField(label=_("Handlingens datum"), required=False, widget=DateInput)
    received_date = forms.DateField(
        label=_("Inkom till socialtjänsten"), widget=DateInput,
        error_messages={"required": _("Ange datumet då underrättelsen inkom till socialtjänsten.")},
    )
    served_date = forms.DateField(
        label=_("Delgivningsdatum"), required=False, widget=DateInput,
        help_text=_("Dagen hyresgästen delgavs uppsägningen. Lämna tomt om det inte är känt."),
    )
    termination_date = forms.DateField(label=_("Uppsägningsdatum"), required=False, widget=DateInput)
    warning_date = forms.DateField(label=_("Datum för tillsägelse"), required=False, widget=DateInput)
    eviction_date = forms.DateField(label=_("Avhysningsdatum"), required=False, widget=DateInput)
    eviction_time = forms.TimeField(label=_("Avhysningstid"), required=False, widget=TimeInput)
    eviction_place = forms.CharField(
        label=_("Plats för avhysningen"), required=False, max_length=200,
        help_text=_("Adressen dit Kronofogden kommer. Lämna tomt om det är hushållets adress."),
    )
    reply_deadline = forms.DateField(label=_("Svarsfrist till Kronofogden"), required=False, widget=DateInput)
    # Issue 11: the ground of a Kronofogden notice (an application on rent arrears is the termination) and the
    # landlord's dispatch date (the start of the recovery period under the reading SENT).
    ground = forms.ChoiceField(
        label=_("Grund (ansökan eller underrättelse om avhysning)"), required=False,
        choices=[("", "–"), *NoticeGround.choices],
        help_text=_("En ansökan om avhysning pga hyresskuld räknas som uppsägning och ger en återvinningsfrist."),
    )
    sent_date = forms.DateField(
        label=_("Avsänd av hyresvärden"), required=False, widget=DateInput,
        help_text=_("Dagen hyresvärden skickade underrättelsen till socialtjänsten, om den framgår."),
    )
    debt_amount = _amount(_("Skuld (kr)"))
    debt_months = forms.IntegerField(label=_("Antal månader skuld"), required=False, min_value=0, max_value=120)
    recovery_amount = _amount(_("Belopp för att återvinna hyresrätten (kr)"))
    monthly_rent = _amount(_("Månadshyra (kr)"))
    description = forms.CharField(
        label=_("Beskrivning"), required=False, max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachment = forms.FileField(
        label=_("Inskannad handling (PDF)"), required=False, help_text=_("Högst 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    # --- the household
    street_address = forms.CharField(
        label=_("Gatuadress"), max_length=200, required=False, error_messages={"required": _("Ange hushållets gatuadress.")}
    )
    apartment_number = forms.CharField(
        label=_("Lägenhetsnummer"), max_length=4, required=False, validators=[apartment_validator],
        help_text=_("Fyra siffror."), widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    object_number = forms.CharField(
        label=_("Objektnummer"), max_length=OBJECT_NUMBER_MAX, required=False, validators=[object_number_validator],
        help_text=_("Hyresvärdens nummer på lägenheten: siffror och bokstäver, högst 10 tecken."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    postal_code = forms.CharField(
        label=_("Postnummer"), max_length=6, required=False, validators=[postal_code_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    city = forms.CharField(label=_("Ort"), max_length=100, required=False)
    area = forms.CharField(label=_("Område"), max_length=100, required=False, help_text=_("Stadsdelsområde, t.ex. Årsta."))
    housing_type = forms.ChoiceField(label=_("Boendeform"), choices=HousingType.choices, initial=HousingType.ORDINARY)
    rooms = forms.IntegerField(label=_("Antal rum"), required=False, min_value=1, max_value=20)
    phone = forms.CharField(label=_("Telefon"), max_length=40, required=False)
    preferred_language = forms.ChoiceField(
        label=_("Språk för brev"), required=False, choices=[("", _("Inte angivet (svenska)")), *LetterLanguage.choices],
        help_text=_("Brevet skrivs på språket om det finns en godkänd brevmall, annars på svenska. Den svenska texten följer alltid med."),
    )
    other_residents = forms.CharField(
        label=_("Övriga boende utan kontrakt"), required=False, max_length=OTHER_RESIDENTS_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    active_units = forms.ModelMultipleChoiceField(
        label=_("Hushållet är aktuellt hos"), queryset=Unit.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Kryssa för de enheter där hushållet eller någon i det redan har en pågående kontakt."),
    )

    def _worker_querysets(self, units: list[Unit], workers) -> dict:
        """Each unit's case workers. A form shown reads them all at once (its choices); a form posted reads none
        unless a worker was chosen (the field's validation looks the chosen one up: issue 16, fewer queries)."""
        if self.is_bound:
            return {unit: workers.filter(unit_id=unit.pk) for unit in units}
        by_unit: dict[int, list] = {}
        for worker in workers:
            by_unit.setdefault(worker.unit_id, []).append(worker)
        return {
            unit: User.objects.filter(pk__in=[w.pk for w in by_unit.get(unit.pk, [])]).order_by("first_name", "last_name")
            for unit in units
        }

    def __init__(self, *args, organisation: Organisation, joining: bool = False, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.joining = joining
        self.today = today or timezone.localdate()
        every_unit = list(Unit.objects.filter(organisation=organisation).order_by("name"))
        # All of them by code for the registration (the plan may name an inactive one); the active ones to choose from.
        self.units_by_code = {u.code: u for u in every_unit}
        units = [u for u in every_unit if u.is_active]
        self.fields["active_units"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("name")
        # Optional: the case worker who has the household at each unit (R1 assigns them by name).
        workers = User.objects.filter(organisation=organisation, is_active=True, unit__isnull=False).order_by("first_name", "last_name")
        self.worker_field_names: dict[int, str] = {}
        for unit, queryset in self._worker_querysets(units, workers).items():
            name = f"case_worker_{unit.pk}"
            self.worker_field_names[unit.pk] = name
            self.fields[name] = WorkerChoiceField(
                queryset=queryset,
                required=False, label=_("Handläggare hos %(unit)s") % {"unit": unit.name}, empty_label=_("Okänd handläggare"),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        # A joined household already has its address; a new one needs it.
        self.fields["street_address"].required = not joining
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                _("Underrättelsen"),
                Div(Div("notice_type", css_class="col-md-6"), Div("sender_kind", css_class="col-md-3"),
                    Div("channel", css_class="col-md-3"), css_class="row"),
                Div(Div("landlord_name", css_class="col-md-4"), Div("landlord_org_number", css_class="col-md-4"),
                    Div("landlord_reference", css_class="col-md-4"), css_class="row"),
                Div(Div("agent", css_class="col-md-6"), Div("kronofogden_reference", css_class="col-md-6"), css_class="row"),
            ),
            Fieldset(
                _("Datum"),
                Div(Div("received_date", css_class="col-md-4"), Div("document_date", css_class="col-md-4"),
                    Div("served_date", css_class="col-md-4"), css_class="row"),
                Div(Div("termination_date", css_class="col-md-4"), Div("warning_date", css_class="col-md-4"),
                    Div("reply_deadline", css_class="col-md-4"), css_class="row"),
                Div(Div("eviction_date", css_class="col-md-4"), Div("eviction_time", css_class="col-md-4"),
                    Div("ground", css_class="col-md-4"), css_class="row"),
                Div(Div("sent_date", css_class="col-md-4"), Div("eviction_place", css_class="col-md-8"), css_class="row"),
            ),
            Fieldset(
                _("Belopp"),
                Div(Div("debt_amount", css_class="col-md-3"), Div("debt_months", css_class="col-md-3"),
                    Div("recovery_amount", css_class="col-md-3"), Div("monthly_rent", css_class="col-md-3"), css_class="row"),
                "description",
                "attachment",
            ),
            Fieldset(
                _("Hushållet"),
                Div(Div("street_address", css_class="col-md-6"), Div("apartment_number", css_class="col-md-3"),
                    Div("object_number", css_class="col-md-3"), css_class="row"),
                Div(Div("postal_code", css_class="col-md-3"), Div("city", css_class="col-md-3"), css_class="row"),
                Div(Div("area", css_class="col-md-4"), Div("housing_type", css_class="col-md-4"),
                    Div("rooms", css_class="col-md-2"), Div("phone", css_class="col-md-2"), css_class="row"),
                Div(Div("preferred_language", css_class="col-md-6"), css_class="row"),
                "other_residents",
            ),
        )
        # active_units is left out of the layout: the template renders it after the members.

    def unit_rows(self) -> list[tuple]:
        """(checkbox, case worker field) per unit, for the template."""
        rows = []
        for checkbox in self["active_units"]:
            unit_pk = int(str(checkbox.data["value"]))
            rows.append((checkbox, self[self.worker_field_names[unit_pk]]))
        return rows

    # --- field cleaning

    def clean_received_date(self):
        value = self.cleaned_data["received_date"]
        if value > self.today:
            raise forms.ValidationError(_("Datumet då underrättelsen inkom kan inte ligga i framtiden."))
        return value

    def clean_landlord_org_number(self):
        value = self.cleaned_data["landlord_org_number"].strip()
        if not value:
            return ""
        try:
            return normalize_org_number(value)
        except InvalidIdentityNumber as exc:
            raise forms.ValidationError(ORG_CHECKSUM_MESSAGE if exc.code == "checksum" else IDENTITY_MESSAGES["org_format"]) from exc

    def clean_postal_code(self):
        return self.cleaned_data["postal_code"].replace(" ", "")

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(_("Filen är för stor: högst 10 MB."))
        if (upload.content_type or "").split(";")[0].strip().lower() not in PDF_CONTENT_TYPES:
            raise forms.ValidationError(_("Handlingen måste vara en PDF-fil."))
        upload.seek(0)
        head = upload.read(len(PDF_MAGIC))
        upload.seek(0)
        # The browser's content type is only a claim; the file must begin like a PDF.
        if head != PDF_MAGIC:
            raise forms.ValidationError(_("Filen är inte en giltig PDF."))
        # ...and be one: parsed by pypdf (never rendered), no compression bomb.
        problem = pdf_problem(upload)
        if problem:
            raise forms.ValidationError(PDF_MESSAGES[problem], code=f"pdf_{problem}")
        return upload

    def clean(self):
        cleaned = super().clean()
        received = cleaned.get("received_date")
        document = cleaned.get("document_date")
        if received and document and document > received:
            self.add_error("document_date", _("Handlingens datum kan inte vara senare än datumet då den inkom."))
        sent = cleaned.get("sent_date")
        if received and sent and sent > received:
            self.add_error("sent_date", _("Avsändningsdatumet kan inte vara senare än mottagningsdatumet."))
        if cleaned.get("ground") and cleaned.get("notice_type") not in KRONOFOGDEN_NOTICES:
            self.add_error("ground", _("Grund anges bara för ansökan om avhysning och underrättelse om avhysning."))
        served = cleaned.get("served_date")
        if served and served > self.today:
            self.add_error("served_date", _("Delgivningsdatumet kan inte ligga i framtiden."))
        self._landlord_pick(cleaned)
        name = (cleaned.get("landlord_name") or "").strip()
        org_number = cleaned.get("landlord_org_number")
        if cleaned.get("sender_kind") == SenderKind.LANDLORD and not name and "landlord_name" not in self.errors:
            self.add_error("landlord_name", _("Ange hyresvärdens namn."))
        if name and not org_number and "landlord_org_number" not in self.errors:
            self.add_error("landlord_org_number", _("Ange hyresvärdens organisationsnummer."))
        if org_number and not name and "landlord_name" not in self.errors:
            self.add_error("landlord_name", _("Ange hyresvärdens namn."))
        chosen = {unit.pk for unit in cleaned.get("active_units") or []}
        for unit_pk, field_name in self.worker_field_names.items():
            if cleaned.get(field_name) and unit_pk not in chosen:
                self.add_error(field_name, _("Kryssa i enheten, eller välj ingen handläggare för den."))
        return cleaned

    def _landlord_pick(self, cleaned: dict) -> None:
        """A stored landlord picked by part of its name or by its organisationsnummer alone (issue 12 item 7):
        the stored name and number complete the other field. A new landlord needs both fields."""
        if not self.picks_stored_landlord or "landlord_name" in self.errors or "landlord_org_number" in self.errors:
            return
        name = (cleaned.get("landlord_name") or "").strip()
        org_number = cleaned.get("landlord_org_number") or ""
        if name and org_number:
            return
        if org_number:
            landlord = selectors.landlord_by_org_number(organisation=self.organisation, org_number=org_number)
            if landlord is not None:
                cleaned["landlord_name"] = landlord.name
            return
        if not name:
            return
        matches = selectors.landlords_matching(organisation=self.organisation, text=name)
        if len(matches) == 1:
            cleaned["landlord_name"], cleaned["landlord_org_number"] = matches[0].name, matches[0].org_number
        elif len(matches) > 1:
            self.add_error("landlord_name", _(
                "Flera sparade hyresvärdar matchar ”%(text)s”: %(names)s. Skriv mer av namnet eller ange organisationsnumret."
            ) % {"text": name, "names": ", ".join(m.name for m in matches[:5])})
        else:
            self.add_error("landlord_org_number", _(
                "Ingen sparad hyresvärd matchar ”%(text)s”. Ange organisationsnumret för en ny hyresvärd."
            ) % {"text": name})

    # --- domain values

    def notice_data(self) -> services.NoticeData:
        c = self.cleaned_data
        landlord = None
        if c["landlord_name"] and c["landlord_org_number"]:
            landlord = services.LandlordData(
                name=c["landlord_name"].strip(), org_number=c["landlord_org_number"], reference=c["landlord_reference"].strip()
            )
        return services.NoticeData(
            notice_type=c["notice_type"],
            received_date=c["received_date"],
            sender_kind=c["sender_kind"],
            landlord=landlord,
            agent=c["agent"].strip(),
            kronofogden_reference=c["kronofogden_reference"].strip(),
            channel=c["channel"],
            document_date=c["document_date"],
            served_date=c["served_date"],
            termination_date=c["termination_date"],
            eviction_date=c["eviction_date"],
            eviction_time=c["eviction_time"],
            eviction_place=c["eviction_place"].strip(),
            reply_deadline=c["reply_deadline"],
            debt_amount=c["debt_amount"],
            debt_months=c["debt_months"],
            recovery_amount=c["recovery_amount"],
            monthly_rent=c["monthly_rent"],
            warning_date=c["warning_date"],
            description=c["description"].strip(),
            ground=c["ground"],
            sent_date=c["sent_date"],
        )

    def household_data(self, members: list[services.MemberData]) -> services.HouseholdData:
        c = self.cleaned_data
        return services.HouseholdData(
            street_address=c["street_address"].strip(),
            members=members,
            apartment_number=c["apartment_number"],
            object_number=c.get("object_number", ""),
            postal_code=c["postal_code"],
            city=c["city"].strip(),
            area=c["area"].strip(),
            housing_type=c["housing_type"],
            rooms=c["rooms"],
            phone=c["phone"].strip(),
            preferred_language=c.get("preferred_language", ""),
            other_residents=c["other_residents"].strip(),
            active_units=[
                services.ActiveUnitData(unit_code=unit.code, case_worker_id=getattr(c.get(self.worker_field_names[unit.pk]), "pk", None))
                for unit in c["active_units"]
            ],
        )

    @staticmethod
    def initial_from_household(household: Household, *, show_address: bool) -> dict:
        """Prefill when the notice joins an open case. The address, and the area with it
        (issue 10, defect 6), are left out for a household with protected identity (they
        are already stored and are never shown)."""
        involvements = list(household.involvements.filter(ended__isnull=True))
        initial = {
            "housing_type": household.housing_type,
            "rooms": household.rooms,
            "phone": household.phone,
            "preferred_language": household.preferred_language,
            "other_residents": household.other_residents,
            "active_units": [i.unit_id for i in involvements],
            **{f"case_worker_{i.unit_id}": i.case_worker_id for i in involvements if i.case_worker_id},
        }
        if show_address:
            initial.update(
                area=household.area,
                street_address=household.street_address,
                apartment_number=household.apartment_number,
                object_number=household.object_number,
                postal_code=household.postal_code,
                city=household.city,
            )
        return initial


class MemberForm(FreeTextFormMixin, forms.Form):
    name = forms.CharField(label=_("Namn"), max_length=200, required=False)
    personal_identity_number = forms.CharField(
        label=_("Personnummer/samordningsnummer"), max_length=20, required=False,
        help_text=_("ÅÅÅÅMMDD-NNNN"), widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Födelsedatum"), required=False, widget=DateInput, help_text=_("Om personnummer saknas.")
    )
    role = forms.ChoiceField(label=_("Roll"), choices=[("", _("Välj roll")), *MemberRole.choices], required=False)
    protected_identity = forms.BooleanField(label=_("Skyddade personuppgifter"), required=False)
    child_residence = forms.ChoiceField(
        label=_("Barnets boende"), choices=[("", _("Ej barn")), *ChildResidence.choices], required=False
    )

    def __init__(self, *args, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Div(Div("name", css_class="col-md-4"), Div("personal_identity_number", css_class="col-md-4"),
                Div("birth_date", css_class="col-md-4"), css_class="row"),
            Div(Div("role", css_class="col-md-4"), Div("child_residence", css_class="col-md-4"),
                Div("protected_identity", css_class="col-md-4 pt-md-4"), css_class="row"),
        )
        # The formset's DELETE box is not in the layout; render it after the fields (JS turns it into a button).
        self.helper.render_unmentioned_fields = True

    def clean_personal_identity_number(self):
        value = self.cleaned_data["personal_identity_number"].strip()
        if not value:
            return ""
        try:
            return normalize_personal_identity_number(value, today=self.today)
        except InvalidIdentityNumber as exc:
            raise forms.ValidationError(IDENTITY_MESSAGES[exc.code], code=exc.code) from exc

    def clean(self):
        cleaned = super().clean()
        if not self.has_changed():
            return cleaned
        if not (cleaned.get("name") or "").strip():
            self.add_error("name", _("Ange personens namn."))
        role = cleaned.get("role")
        if not role:
            self.add_error("role", _("Välj personens roll i hushållet."))
        birth = cleaned.get("birth_date")
        if birth and birth > self.today:
            self.add_error("birth_date", _("Födelsedatumet kan inte ligga i framtiden."))
        if role == MemberRole.CHILD:
            if not cleaned.get("personal_identity_number") and not birth and "personal_identity_number" not in self.errors:
                self.add_error("personal_identity_number", _("Ett barn behöver personnummer eller födelsedatum."))
            if not cleaned.get("child_residence"):
                self.add_error("child_residence", _("Ange var barnet bor."))
        return cleaned

    def member_data(self) -> services.MemberData:
        c = self.cleaned_data
        return services.MemberData(
            name=c["name"].strip(),
            role=c["role"],
            personal_identity_number=c["personal_identity_number"],
            birth_date=c["birth_date"],
            protected_identity=c["protected_identity"],
            child_residence=c["child_residence"] if c["role"] == MemberRole.CHILD else "",
        )


class BaseMemberFormSet(forms.BaseFormSet):
    def __init__(self, *args, require_tenant: bool = True, today: dt.date | None = None, **kwargs):
        self.require_tenant = require_tenant
        self.today = today
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Ta bort personen")

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "today": self.today}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True, use_required_attribute=False,
            renderer=self.renderer, today=self.today,
        )
        self.add_fields(form, None)
        return form

    def filled_forms(self) -> list[MemberForm]:
        return [
            f for f in self.forms
            if f.has_changed() and not (self.can_delete and self._should_delete_form(f))
        ]

    def clean(self):
        if any(self.errors):
            return
        filled = self.filled_forms()
        if self.require_tenant and not any(f.cleaned_data.get("role") == MemberRole.TENANT for f in filled):
            raise forms.ValidationError(_("Hushållet måste ha minst en kontraktsinnehavare."), code="no_tenant")
        numbers = [f.cleaned_data["personal_identity_number"] for f in filled if f.cleaned_data.get("personal_identity_number")]
        if len(numbers) != len(set(numbers)):
            raise forms.ValidationError(_("Samma personnummer finns på flera personer."), code="duplicate")

    def members_data(self) -> list[services.MemberData]:
        return [f.member_data() for f in self.filled_forms()]


# absolute_max: Django's default is max_num + 1000 forms, and an inflated members-TOTAL_FORMS
# built them all (issue 10, defect 14: 3.8 s of CPU and 3.6 MB for a 1 KB request).
MEMBERS_MAX = 30
MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=3, can_delete=True, max_num=MEMBERS_MAX, validate_max=True,
    absolute_max=MEMBERS_MAX,
)

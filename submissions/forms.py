"""The landlord's notice in the portal: the intake form's own fields, cleaning and messages (cases/intake/forms.py),
for the fields of formulär 3. What the receipt decides (sender, landlord, channel, received date) is not asked."""

from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.intake.forms import IntakeForm
from cases.models import Landlord, NoticeChannel, NoticeType, SenderKind
from cases.validation import FreeTextFormMixin, free_text_fields_apply
from imports.reader import MAX_FILE_BYTES

from .imports import SEND_ALL, SEND_VALID
from .payload import LANDLORD_NOTICE_TYPES

PORTAL_FIELDS = (
    "notice_type", "landlord_reference", "agent", "document_date", "served_date", "termination_date", "warning_date",
    "debt_amount", "debt_months", "recovery_amount", "monthly_rent", "description",
    "street_address", "apartment_number", "object_number", "postal_code", "city", "housing_type", "rooms", "phone",
)


class LandlordNoticeForm(IntakeForm):
    """IntakeForm without the fields the landlord does not fill in; its clean() and messages are used as they are."""

    picks_stored_landlord = False

    def __init__(self, *args, landlord: Landlord, today: dt.date | None = None, **kwargs):
        # IntakeForm.__init__ builds the staff's layout and a case-worker field per unit; none of it is the landlord's.
        forms.Form.__init__(self, *args, **kwargs)
        self.landlord = landlord
        self.organisation = landlord.organisation
        self.joining = False
        self.today = today or timezone.localdate()
        self.worker_field_names: dict[int, str] = {}
        for name in [name for name in self.fields if name not in PORTAL_FIELDS]:
            del self.fields[name]
        self.fields["street_address"].required = True
        self.fields["notice_type"].choices = [(v, label) for v, label in NoticeType.choices if v in LANDLORD_NOTICE_TYPES]
        self.fields["served_date"].help_text = _(
            "Dagen hyresgästen delgavs uppsägningen. Utan den kan återvinningsfristen inte börja: fyll i den om den är känd."
        )
        free_text_fields_apply(self.fields)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                _("Underrättelsen"),
                Div(Div("notice_type", css_class="col-md-6"), Div("landlord_reference", css_class="col-md-3"),
                    Div("agent", css_class="col-md-3"), css_class="row"),
                Div(Div("document_date", css_class="col-md-3"), Div("termination_date", css_class="col-md-3"),
                    Div("served_date", css_class="col-md-3"), Div("warning_date", css_class="col-md-3"), css_class="row"),
            ),
            Fieldset(
                _("Belopp"),
                Div(Div("debt_amount", css_class="col-md-3"), Div("debt_months", css_class="col-md-3"),
                    Div("recovery_amount", css_class="col-md-3"), Div("monthly_rent", css_class="col-md-3"), css_class="row"),
                "description",
            ),
            Fieldset(
                _("Lägenheten"),
                Div(Div("street_address", css_class="col-md-6"), Div("apartment_number", css_class="col-md-3"),
                    Div("object_number", css_class="col-md-3"), css_class="row"),
                Div(Div("postal_code", css_class="col-md-3"), Div("city", css_class="col-md-3"),
                    Div("housing_type", css_class="col-md-3"), Div("rooms", css_class="col-md-1"), Div("phone", css_class="col-md-2"),
                    css_class="row"),
            ),
        )

    def _clean_form(self):
        # Before IntakeForm.clean(): what the receipt decides, in the names the intake form's rules read.
        self.cleaned_data.update(
            sender_kind=SenderKind.LANDLORD, channel=NoticeChannel.PORTAL, landlord_name=self.landlord.name,
            landlord_org_number=self.landlord.org_number, received_date=self.today, kronofogden_reference="",
            eviction_date=None, eviction_time=None, eviction_place="", reply_deadline=None, ground="", sent_date=None,
            attachment=None, area="", other_residents="", active_units=[],
        )
        super()._clean_form()


class RejectForm(FreeTextFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Skäl (visas för hyresvärden)"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Skriv varför underrättelsen avvisas; hyresvärden ser skälet.")},
    )


class LandlordImportForm(forms.Form):
    """The landlord's list: one file, within the staff import's limits (imports/reader.py)."""

    file = forms.FileField(
        label=_("Fil (CSV eller XLSX)"),
        help_text=_("Högst 10 MB och 20 000 rader. CSV i UTF-8 eller Windows-1252, med ; eller , mellan fälten."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": _("Välj en fil att importera.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("Filen är för stor: högst 10 MB."))
        return upload


class LandlordImportConfirmForm(forms.Form):
    rows = forms.ChoiceField(
        label=_("Vilka rader ska skickas?"),
        choices=[(SEND_ALL, _("Skicka alla")), (SEND_VALID, _("Skicka de giltiga raderna och hoppa över resten"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj om alla rader eller bara de giltiga ska skickas.")},
    )

"""Forms of the workspace: the list filters, the actions on a case page.

Forms return domain values (units, dates, codes); layout is crispy's job in the templates.
Every action form carries the case's `version` (optimistic locking).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.models import Unit, User

from ..models import AssignmentRole, CaseStatus, ConsentRecipient, ContactChannel, NoticeType, Outcome
from ..validation import FreeTextFormMixin
from .selectors import CaseFilters

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_in_future(value: dt.date) -> dt.date:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("Datumet kan inte ligga i framtiden."))
    return value


# --- the case lists ------------------------------------------------------------


class CaseFilterForm(FreeTextFormMixin, forms.Form):
    """GET filters of "Mina ärenden" and "Alla öppna ärenden". Invalid values are ignored, not refused."""

    SORT_CHOICES = (
        ("priority", _("Försenade och brådskande först")),
        ("deadline", _("Närmaste frist")),
        ("number", _("Ärendenummer, stigande")),
        ("-number", _("Ärendenummer, fallande")),
        ("-opened", _("Senast öppnade")),
        ("opened", _("Först öppnade")),
        ("children", _("Flest barn")),
        ("area", _("Område")),
    )

    q = forms.CharField(label=_("Sök"), required=False, max_length=100,
                        help_text=_("Ärendenummer, namn eller personnummer."))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[(CaseStatus.OPEN, _("Öppna")), (CaseStatus.CLOSED, _("Avslutade")), ("alla", _("Alla"))])
    notice_type = forms.ChoiceField(label=_("Typ av underrättelse"), required=False, choices=[("", _("Alla typer")), *NoticeType.choices])
    children = forms.ChoiceField(label=_("Barn i hushållet"), required=False,
                                 choices=[("", _("Alla")), ("yes", _("Med barn")), ("no", _("Utan barn"))])
    area = forms.ChoiceField(label=_("Område"), required=False)
    unit = forms.ModelChoiceField(label=_("Enhet"), required=False, queryset=Unit.objects.none(), empty_label=_("Alla enheter"))
    urgent = forms.BooleanField(label=_("Bara brådskande"), required=False)
    overdue = forms.BooleanField(label=_("Bara försenade"), required=False)
    sort = forms.ChoiceField(label=_("Sortering"), required=False, choices=SORT_CHOICES)

    def __init__(self, data=None, *, units, areas, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["area"].choices = [("", _("Alla områden"))] + [(a, a) for a in areas]

    def to_filters(self) -> CaseFilters:
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or CaseStatus.OPEN
        return CaseFilters(
            status="" if status == "alla" else status,
            notice_type=data.get("notice_type", ""),
            children=data.get("children", ""),
            urgent=bool(data.get("urgent")),
            overdue=bool(data.get("overdue")),
            area=data.get("area", ""),
            unit=data.get("unit"),
            q=data.get("q", ""),
            sort=data.get("sort") or "priority",
        )


# --- actions on a case ---------------------------------------------------------


class CaseActionForm(FreeTextFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TaskCompleteForm(CaseActionForm):
    note = forms.CharField(label=_("Anteckning"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ContactForm(CaseActionForm):
    date = forms.DateField(label=_("Datum"), widget=DATE_WIDGET, validators=[_not_in_future])
    channel = forms.ChoiceField(label=_("Kanal"), choices=ContactChannel.choices)
    established = forms.BooleanField(label=_("Kontakt etablerad"), required=False,
                                     help_text=_("Kryssa i när ni har nått hushållet, inte bara försökt."))
    note = forms.CharField(label=_("Anteckning"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ManualTaskForm(CaseActionForm):
    title = forms.CharField(label=_("Uppgift"), max_length=300)
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.none())
    assignee = forms.ModelChoiceField(label=_("Handläggare (valfritt)"), queryset=User.objects.none(), required=False)
    due_date = forms.DateField(label=_("Senast"), widget=DATE_WIDGET)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(organisation=organisation, is_active=True).order_by("name")
        self.fields["assignee"].queryset = User.objects.filter(organisation=organisation, is_active=True, unit__isnull=False).order_by(
            "first_name", "last_name"
        )

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("Datumet har redan passerat."))
        return due

    def clean(self):
        cleaned = super().clean()
        unit, assignee = cleaned.get("unit"), cleaned.get("assignee")
        if unit and assignee and assignee.unit_id != unit.pk:
            self.add_error("assignee", _("Handläggaren hör inte till den valda enheten."))
        return cleaned


class AssignmentForm(CaseActionForm):
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("Roll"), choices=AssignmentRole.choices,
                             help_text=_("Att göra en annan enhet ansvarig än planen anger registreras som avvikelse (R8)."))
    reason = forms.CharField(label=_("Motivering"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(organisation=organisation, is_active=True).order_by("name")


class ConsultForm(CaseActionForm):
    question = forms.CharField(label=_("Fråga till hyresrådgivaren"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ConsentForm(CaseActionForm):
    recipient = forms.ChoiceField(label=_("Mottagare"), choices=ConsentRecipient.choices)
    given_on = forms.DateField(label=_("Samtycke lämnat"), widget=DATE_WIDGET, validators=[_not_in_future])
    note = forms.CharField(label=_("Anteckning"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(CaseActionForm):
    outcome = forms.ChoiceField(label=_("Utfall"), choices=[("", _("Välj utfall")), *Outcome.choices])
    note = forms.CharField(label=_("Kommentar"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(CaseActionForm):
    reason = forms.CharField(label=_("Anledning"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


# --- logguppföljning -----------------------------------------------------------

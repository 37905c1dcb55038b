"""Forms for the chair. They return domain values; the views pass them to one service each."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.rules.workdays import is_working_day
from cases.validation import FreeTextFormMixin

from .models import AgendaSection
from .selectors import case_by_number


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class RescheduleForm(FreeTextFormMixin, forms.Form):
    date = forms.DateField(label=_("Datum"), widget=DateInput())
    time = forms.TimeField(label=_("Tid"), widget=TimeInput())
    place = forms.CharField(label=_("Plats"), max_length=200)

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date < timezone.localdate():
            raise forms.ValidationError(_("Datumet har redan passerat."))
        if not is_working_day(date):
            raise forms.ValidationError(_("Datumet är inte en arbetsdag (helg eller helgdag)."))
        return date


class ReasonForm(FreeTextFormMixin, forms.Form):
    reason = forms.CharField(label=_("Anledning"), max_length=300, widget=forms.TextInput())


class AddItemForm(FreeTextFormMixin, forms.Form):
    number = forms.CharField(label=_("Ärendenummer"), max_length=12, help_text=_("Till exempel 2026-0042."))
    section = forms.ChoiceField(label=_("Avsnitt"), choices=AgendaSection.choices, initial=AgendaSection.AT_RISK)
    reason = forms.CharField(label=_("Anledning"), max_length=300)

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_number(self):
        case = case_by_number(self.organisation, self.cleaned_data["number"])
        if case is None:
            raise forms.ValidationError(_("Det finns inget ärende med det numret."))
        self.cleaned_data["case"] = case
        return self.cleaned_data["number"]


class NoteForm(FreeTextFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Anteckning från mötet"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kort. Skriv inte personnummer eller adresser."),
    )


class ActivityForm(FreeTextFormMixin, forms.Form):
    what = forms.CharField(label=_("Aktivitet (vad ska göras)"), max_length=300)
    unit = forms.ModelChoiceField(label=_("Ansvarig enhet"), queryset=None, empty_label=_("Välj enhet"))
    due_date = forms.DateField(label=_("Senast"), widget=DateInput())

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = organisation.units.filter(is_active=True).order_by("name")

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate() - dt.timedelta(days=1):
            raise forms.ValidationError(_("Datumet har redan passerat."))
        return due


class AttendanceForm(FreeTextFormMixin, forms.Form):
    """One checkbox and one name field per participating department."""

    def __init__(self, *args, departments=(), recorded=None, **kwargs):
        super().__init__(*args, **kwargs)
        recorded = recorded or {}
        self.departments = list(departments)
        for department in self.departments:
            row = recorded.get(department.pk)
            self.fields[f"present_{department.pk}"] = forms.BooleanField(
                label=_("%(department)s: närvarande") % {"department": department.name}, required=False,
                initial=bool(row and row.present),
            )
            self.fields[f"representative_{department.pk}"] = forms.CharField(
                label=_("%(department)s: företrädd av") % {"department": department.name}, required=False, max_length=200,
                initial=row.representative if row else "",
            )

    def rows(self):
        return [
            (d, self.cleaned_data[f"present_{d.pk}"], self.cleaned_data[f"representative_{d.pk}"]) for d in self.departments
        ]

    def pairs(self):
        """(checkbox, name field) per department, for the template's table."""
        return [(d, self[f"present_{d.pk}"], self[f"representative_{d.pk}"]) for d in self.departments]


class LockMinutesForm(FreeTextFormMixin, forms.Form):
    """The justering block of the minutes: who keeps them and who checks them. Optional: empty lines are printed."""

    minutes_keeper = forms.CharField(label=_("Protokollförare"), required=False, max_length=200)
    minutes_checker = forms.CharField(label=_("Justerare"), required=False, max_length=200)

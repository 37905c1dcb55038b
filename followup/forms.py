"""Forms of the deviations register; they return domain values (filters, a case the user may see)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.access import visible_cases
from cases.models import DeviationKind, DeviationStatus

from .selectors import DEFAULT_SORT, SORTS, DeviationFilters, register_departments, register_units

if TYPE_CHECKING:

    from organisation.models import User

YES_NO = [("", _("Alla")), ("yes", _("Ja")), ("no", _("Nej"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DeviationFilterForm(forms.Form):
    date_from = forms.DateField(label=_("Från"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Till"), required=False, widget=DateInput())
    kind = forms.ChoiceField(label=_("Typ"), required=False, choices=[("", _("Alla")), *DeviationKind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Alla")), *DeviationStatus.choices])
    unit = forms.ModelChoiceField(label=_("Enhet"), required=False, queryset=None, empty_label=_("Alla"), to_field_name="code")
    department = forms.ModelChoiceField(label=_("Avdelning"), required=False, queryset=None, empty_label=_("Alla"), to_field_name="code")
    children = forms.ChoiceField(label=_("Barn i hushållet"), required=False, choices=YES_NO)
    sort = forms.ChoiceField(label=_("Sortering"), required=False, choices=[
        ("-date", _("Datum, nyast först")), ("date", _("Datum, äldst först")), ("kind", _("Typ")),
        ("status", _("Status")), ("case", _("Ärendenummer")), ("unit", _("Enhet")),
    ])

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = register_units(user)
        self.fields["department"].queryset = register_departments(user)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Slutdatumet ligger före startdatumet."))
        return data

    def to_filters(self) -> DeviationFilters:
        if not self.is_bound or not self.is_valid():
            return DeviationFilters()
        d = self.cleaned_data
        children = {"yes": True, "no": False}.get(d.get("children") or "")
        sort = d.get("sort") or DEFAULT_SORT
        return DeviationFilters(
            date_from=d.get("date_from"), date_to=d.get("date_to"), kind=d.get("kind") or "", status=d.get("status") or "",
            unit=d.get("unit"), department=d.get("department"), children=children, sort=sort if sort in SORTS else DEFAULT_SORT,
        )


class DeviationRecordForm(forms.Form):
    kind = forms.ChoiceField(label=_("Typ"), choices=DeviationKind.choices, initial=DeviationKind.MANUAL)
    case_number = forms.CharField(
        label=_("Ärendenummer"), required=False, max_length=12, help_text=_("Valfritt, t.ex. 2026-0042."),
    )
    occurred_on = forms.DateField(label=_("Datum"), widget=DateInput(), initial=timezone.localdate)
    description = forms.CharField(label=_("Beskrivning"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_case_number(self):
        number = (self.cleaned_data.get("case_number") or "").strip()
        if not number:
            return None
        case = visible_cases(self.user).filter(number=number).first()
        if case is None:
            raise forms.ValidationError(_("Det finns inget ärende med det numret som du har behörighet till."))
        return case

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Datumet kan inte ligga i framtiden."))
        return day

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if not text:
            raise forms.ValidationError(_("Beskriv avvikelsen."))
        return text


class DeviationHandleForm(forms.Form):
    status = forms.ChoiceField(label=_("Ny status"), choices=[c for c in DeviationStatus.choices if c[0] != DeviationStatus.NEW])
    comment = forms.CharField(
        label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
        help_text=_("Vad som gjordes (åtgärdad) eller varför avvikelsen avfärdas."),
    )


class IdsField(forms.Field):
    """Several integer ids from checkboxes (name="ids")."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        try:
            return sorted({int(v) for v in (value or [])})
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Ogiltigt val.")) from None


class BulkHandleForm(DeviationHandleForm):
    ids = IdsField(label=_("Valda avvikelser"), error_messages={"required": _("Välj minst en avvikelse.")})

    def __init__(self, *args, queryset, **kwargs):
        self.queryset = queryset  # what the user may handle
        super().__init__(*args, **kwargs)

    def clean_ids(self):
        ids = self.cleaned_data["ids"]
        if not ids:
            raise forms.ValidationError(_("Välj minst en avvikelse."))
        rows = list(self.queryset.filter(pk__in=ids))
        if len(rows) != len(ids):
            raise forms.ValidationError(_("En vald avvikelse finns inte eller får inte hanteras av dig."))
        return rows


def previous_month(today) -> tuple:
    first_this = today.replace(day=1)
    last_previous = first_this - timezone.timedelta(days=1)
    return last_previous.replace(day=1), last_previous


class StatisticsForm(forms.Form):
    date_from = forms.DateField(label=_("Från"), widget=DateInput())
    date_to = forms.DateField(label=_("Till"), widget=DateInput())
    department = forms.ChoiceField(label=_("Avdelning"), required=False)
    unit = forms.ChoiceField(label=_("Enhet"), required=False)
    area = forms.ChoiceField(label=_("Område"), required=False, help_text=_("Hushållets område; hushåll med skyddad identitet ingår inte."))
    publish = forms.BooleanField(label=_("För publicering (undertryck små tal)"), required=False)

    def __init__(self, *args, units, city_level: bool, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("Alla"))] + [(u.code, u.name) for u in units]
        self.fields["area"].choices = [("", _("Alla"))] + [(a, a) for a in areas]
        departments = {u.department.code: u.department.name for u in units}
        self.fields["department"].choices = [("", _("Alla")), *sorted(departments.items(), key=lambda item: item[1])]
        if city_level:
            self.fields["publish"].disabled = True
            self.fields["publish"].initial = True
            self.fields["publish"].help_text = _("På stadsnivå undertrycks små tal alltid.")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to"):
            if data["date_from"] > data["date_to"]:
                self.add_error("date_to", _("Slutdatumet ligger före startdatumet."))
            elif (data["date_to"] - data["date_from"]).days > 366 * 5:
                self.add_error("date_to", _("Perioden får vara högst fem år."))
        return data


class ReportCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Period"), choices=())
    day = forms.DateField(label=_("En dag i perioden"), required=False, widget=DateInput(),
                          help_text=_("För månad, kvartal eller år."))
    date_from = forms.DateField(label=_("Från"), required=False, widget=DateInput(), help_text=_("För valfria datum."))
    date_to = forms.DateField(label=_("Till"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        from .models import PeriodKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = PeriodKind.choices

    def clean(self):
        from .models import PeriodKind
        from .reports import period_bounds

        data = super().clean()
        kind = data.get("kind")
        if kind == PeriodKind.CUSTOM:
            if not data.get("date_from"):
                self.add_error("date_from", _("Ange startdatum."))
            if not data.get("date_to"):
                self.add_error("date_to", _("Ange slutdatum."))
            if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
                self.add_error("date_to", _("Slutdatumet ligger före startdatumet."))
            data["bounds"] = (data.get("date_from"), data.get("date_to"))
        elif kind:
            if not data.get("day"):
                self.add_error("day", _("Ange en dag i perioden."))
            else:
                data["bounds"] = period_bounds(kind, data["day"])
        return data


class RemarksForm(forms.Form):
    chair_remarks = forms.CharField(label=_("Ordförandens kommentar"), required=False, max_length=4000,
                                    widget=forms.Textarea(attrs={"rows": 4}))

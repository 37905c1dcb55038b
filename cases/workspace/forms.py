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
from .caseload_selectors import people_of
from .selectors import CaseFilters

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_in_future(value: dt.date) -> dt.date:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("Datumet kan inte ligga i framtiden."))
    return value


# --- the case lists ------------------------------------------------------------


class CaseFilterForm(FreeTextFormMixin, forms.Form):
    """Filters of "Mina ärenden" and "Alla öppna ärenden". Invalid values are ignored, not refused.

    Sent by POST: the search text may be a personnummer, so it never goes into a URL; the view keeps it
    in the session under an opaque id and the filters (no personal data) in the address."""

    SORT_CHOICES = (
        ("priority", _("Försenade och brådskande först")),
        ("deadline", _("Närmaste frist")),
        ("number", _("Ärendenummer, stigande")),
        ("-number", _("Ärendenummer, fallande")),
        ("-opened", _("Senast öppnade")),
        ("opened", _("Först öppnade")),
        ("children", _("Flest barn")),
        ("area", _("Område")),
        ("legal", _("Närmaste lagstadgade datum")),
        ("contact", _("Utan kontakt först")),
        ("mytasks", _("Flest egna uppgifter")),
    )
    LEGAL_WITHIN_CHOICES = (("", _("Alla")), ("7", _("Inom 7 dagar")), ("14", _("Inom 14 dagar")), ("30", _("Inom 30 dagar")))

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
    contact = forms.ChoiceField(label=_("Kontakt etablerad"), required=False,
                                choices=[("", _("Alla")), ("yes", _("Ja")), ("no", _("Nej"))])
    legal_within = forms.TypedChoiceField(label=_("Lagstadgat datum"), required=False, coerce=int, empty_value=None,
                                          choices=LEGAL_WITHIN_CHOICES)
    my_tasks = forms.BooleanField(label=_("Bara med mina uppgifter"), required=False)

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
            contact=data.get("contact", ""),
            legal_within=data.get("legal_within"),
            my_tasks=bool(data.get("my_tasks")),
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


class PersonSelect(forms.Select):
    """Each person's option carries their unit (data-unit), so static/js/person-picker.js shows only
    the people of the unit chosen in the field named by data-person-picker-for."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-unit"] = str(instance.unit_id)
        return option


class PersonChoiceField(forms.ModelChoiceField):
    """People by full name, never by user name (issue 12 item 1)."""

    def label_from_instance(self, obj) -> str:
        return obj.get_full_name()


def _person_field(label, unit_field: str) -> PersonChoiceField:
    return PersonChoiceField(label=label, queryset=User.objects.none(), required=False, empty_label=_("Enhetens kö (ingen person)"),
                             widget=PersonSelect(attrs={"data-person-picker-for": unit_field}))


class ManualTaskForm(CaseActionForm):
    title = forms.CharField(label=_("Uppgift"), max_length=300)
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.none())
    assignee = _person_field(_("Handläggare (valfritt)"), "unit")
    due_date = forms.DateField(label=_("Senast"), widget=DATE_WIDGET)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(organisation=organisation, is_active=True).order_by("name")
        self.fields["assignee"].queryset = people_of(organisation)

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
    case_worker = _person_field(_("Handläggare (valfritt)"), "unit")
    reason = forms.CharField(label=_("Motivering"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(organisation=organisation, is_active=True).order_by("name")
        self.fields["case_worker"].queryset = people_of(organisation)

    def clean(self):
        cleaned = super().clean()
        unit, worker = cleaned.get("unit"), cleaned.get("case_worker")
        if unit and worker and worker.unit_id != unit.pk:
            self.add_error("case_worker", _("Handläggaren hör inte till den valda enheten."))
        return cleaned


class CaseWorkerForm(CaseActionForm):
    """The unit's head names the person on the unit's assignment (or sends it to the unit's queue)."""

    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.none(), widget=forms.HiddenInput)
    worker = PersonChoiceField(label=_("Handläggare"), queryset=User.objects.none(), required=False,
                               empty_label=_("Enhetens kö (ingen person)"))

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk=unit.pk)
        self.fields["worker"].queryset = people_of(unit.organisation, unit)


class TaskCompleteByLeadForm(CaseActionForm):
    """The lead unit completes another unit's task: the reason is required and logged."""

    note = forms.CharField(label=_("Anteckning"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Varför gör din enhet den här uppgiften?"), max_length=300,
                             help_text=_("Uppgiften hör till en annan enhet. Motiveringen loggas."))


class CaseloadMoveForm(FreeTextFormMixin, forms.Form):
    """Move all of a person's open work to another person of the unit, or to the unit's queue."""

    to_person = PersonChoiceField(label=_("Till"), queryset=User.objects.none(), required=False,
                                  empty_label=_("Enhetens kö (ingen person)"))
    reason = forms.CharField(label=_("Motivering"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(label=_("Jag vill flytta alla öppna ärenden och uppgifter"), required=True)

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_person"].queryset = people_of(person.organisation, person.unit).exclude(pk=person.pk)


class PersonUnitForm(FreeTextFormMixin, forms.Form):
    """Move a person to another unit, deciding what happens to their open work."""

    new_unit = forms.ModelChoiceField(label=_("Ny enhet"), queryset=Unit.objects.none())
    work = forms.ChoiceField(label=_("Personens öppna ärenden och uppgifter"), widget=forms.RadioSelect, choices=[
        ("move", _("Flytta med personen där den nya enheten har ärendet, resten till den gamla enhetens kö")),
        ("queue", _("Lämna allt i den gamla enhetens kö")),
    ])
    reason = forms.CharField(label=_("Motivering"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(label=_("Jag vill flytta personen till den nya enheten"), required=True)

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_unit"].queryset = Unit.objects.filter(organisation=person.organisation, is_active=True).exclude(
            pk=person.unit_id).order_by("name")


class ConsultForm(CaseActionForm):
    question = forms.CharField(label=_("Fråga till hyresrådgivaren"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class BosamRequestForm(CaseActionForm):
    reason = forms.CharField(
        label=_("Varför behöver ärendet tas upp på BOSAM?"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConsentForm(CaseActionForm):
    recipient = forms.ChoiceField(label=_("Mottagare"), choices=ConsentRecipient.choices)
    given_on = forms.DateField(label=_("Samtycke lämnat"), widget=DATE_WIDGET, validators=[_not_in_future])
    note = forms.CharField(label=_("Anteckning"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(CaseActionForm):
    outcome = forms.ChoiceField(label=_("Utfall"), choices=[("", _("Välj utfall")), *Outcome.choices])
    note = forms.CharField(label=_("Kommentar"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class AssignmentEndForm(CaseActionForm):
    """Ending a unit's assignment, on its confirmation page: the reason is stored and logged."""

    reason = forms.CharField(label=_("Varför avslutas enhetens tilldelning?"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(CaseActionForm):
    reason = forms.CharField(label=_("Anledning"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


# --- logguppföljning -----------------------------------------------------------

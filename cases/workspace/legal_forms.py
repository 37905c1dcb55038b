"""Forms for the legal steps on the case page (issue 11): the eviction day's outcome and the
payment commitment. They return domain values; the services do the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import EvictionDestination, EvictionResult, PaymentDecision
from ..services import EvictionOutcomeData, PaymentCommitmentData
from .forms import DATE_WIDGET, CaseActionForm, _not_in_future

YES_NO_UNKNOWN = [("", _("Vet inte")), ("yes", _("Ja")), ("no", _("Nej"))]


def _tristate(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class EvictionOutcomeForm(CaseActionForm):
    result = forms.ChoiceField(label=_("Vad hände?"), choices=EvictionResult.choices, widget=forms.RadioSelect)
    children_present = forms.ChoiceField(label=_("Var barn närvarande?"), choices=YES_NO_UNKNOWN, required=False)
    social_services_present = forms.ChoiceField(label=_("Var socialtjänsten på plats?"), choices=YES_NO_UNKNOWN, required=False)
    destination = forms.ChoiceField(
        label=_("Vart tog hushållet vägen?"), choices=[("", "–"), *EvictionDestination.choices], required=False,
        help_text=_("Fyll i när avhysningen verkställdes."),
    )
    note = forms.CharField(label=_("Anteckning"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("result") == EvictionResult.EXECUTED and not cleaned.get("destination"):
            self.add_error("destination", _("Ange vart hushållet tog vägen (välj Okänt om ni inte vet)."))
        return cleaned

    def outcome_data(self) -> EvictionOutcomeData:
        c = self.cleaned_data
        return EvictionOutcomeData(
            result=c["result"], children_present=_tristate(c["children_present"]),
            social_services_present=_tristate(c["social_services_present"]), destination=c["destination"], note=c["note"],
        )


class PaymentCommitmentForm(CaseActionForm):
    application_received_on = forms.DateField(
        label=_("Ansökan om ekonomiskt bistånd inkom"), widget=DATE_WIDGET, required=False, validators=[_not_in_future]
    )
    decision = forms.ChoiceField(label=_("Beslut"), choices=[("", _("Inget beslut ännu")), *PaymentDecision.choices], required=False)
    decision_date = forms.DateField(label=_("Beslutsdatum"), widget=DATE_WIDGET, required=False, validators=[_not_in_future])
    sent_to_landlord_on = forms.DateField(
        label=_("Betalningsförbindelse skickad till hyresvärden"), widget=DATE_WIDGET, required=False, validators=[_not_in_future]
    )
    amount = forms.DecimalField(label=_("Belopp (kr)"), required=False, min_value=0, max_digits=12, decimal_places=2)

    def clean(self):
        cleaned = super().clean()
        decision, decided = cleaned.get("decision"), cleaned.get("decision_date")
        if decision and not decided:
            self.add_error("decision_date", _("Ange beslutsdatum."))
        if decided and not decision:
            self.add_error("decision", _("Ange beslutet, eller ta bort beslutsdatumet."))
        applied = cleaned.get("application_received_on")
        if applied and decided and decided < applied:
            self.add_error("decision_date", _("Beslutet kan inte komma före ansökan."))
        if cleaned.get("sent_to_landlord_on") and decision != PaymentDecision.GRANTED:
            self.add_error("sent_to_landlord_on", _("En betalningsförbindelse kan bara skickas efter ett beviljande beslut."))
        return cleaned

    def commitment_data(self) -> PaymentCommitmentData:
        c = self.cleaned_data
        return PaymentCommitmentData(
            application_received_on=c["application_received_on"], decision=c["decision"], decision_date=c["decision_date"],
            sent_to_landlord_on=c["sent_to_landlord_on"], amount=c["amount"],
        )

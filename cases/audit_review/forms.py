"""The filters of logguppföljning (month, user, unit, event)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organisation.models import Unit, User

from ..models import AuditAction


class AuditReviewForm(forms.Form):
    month = forms.DateField(label=_("Månad"), required=False, input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    user = forms.ModelChoiceField(label=_("Användare"), required=False, queryset=User.objects.none(), empty_label=_("Alla användare"))
    unit = forms.ModelChoiceField(label=_("Enhet"), required=False, queryset=Unit.objects.none(), empty_label=_("Alla enheter"))
    action = forms.ChoiceField(label=_("Händelse"), required=False, choices=[("", _("Alla händelser")), *AuditAction.choices])
    highlighted = forms.BooleanField(label=_("Bara det som ska granskas"), required=False,
                                     help_text=_("Åtkomst utan tilldelning, visade personnummer, exporter och nekade försök."))

    def __init__(self, data=None, *, organisation, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["user"].queryset = User.objects.filter(organisation=organisation).order_by("first_name", "last_name", "username")
        self.fields["user"].label_from_instance = lambda u: f"{u.display_name} ({u.username})"
        self.fields["unit"].queryset = Unit.objects.filter(organisation=organisation).order_by("name")

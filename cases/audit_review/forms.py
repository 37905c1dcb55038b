"""The filters of logguppföljning (month, user, unit, event)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
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

    def clean_month(self):
        # A year outside the log's life (e.g. 9999-12) once overflowed the month's end into
        # year 10000: a 500 (issue 10, defect 10).
        month = self.cleaned_data.get("month")
        if month and not (2000 <= month.year <= timezone.localdate().year + 1):
            raise forms.ValidationError(_("Välj en månad mellan år 2000 och nästa år."))
        return month

    def __init__(self, data=None, *, organisation, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["user"].queryset = User.objects.filter(organisation=organisation).order_by("first_name", "last_name", "username")
        self.fields["user"].label_from_instance = lambda u: f"{u.display_name} ({u.username})"
        self.fields["unit"].queryset = Unit.objects.filter(organisation=organisation).order_by("name")

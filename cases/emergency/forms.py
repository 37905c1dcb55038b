"""The emergency access form: which case, why, and whether to change it too."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..services.emergency import REASON_MAX_LENGTH


class EmergencyAccessForm(forms.Form):
    case_ref = forms.CharField(
        label=_("Ärendenummer eller personnummer"), max_length=20,
        help_text=_("T.ex. 2026-0042, eller personnumret på någon i hushållet (ÅÅÅÅMMDD-NNNN)."),
    )
    reason = forms.CharField(
        label=_("Skäl"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Varför du behöver ärendet nu. Skälet sparas i loggen och granskas av enhetens chef."),
    )
    write = forms.BooleanField(
        label=_("Jag behöver också ändra i ärendet (t.ex. registrera en kontakt)"), required=False,
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 10:
            raise forms.ValidationError(_("Beskriv skälet med minst tio tecken."))
        return reason

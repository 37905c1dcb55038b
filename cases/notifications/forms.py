"""The choice per kind of notification: immediately, daily digest, or off."""

from __future__ import annotations

from django import forms

from ..models import NotificationDelivery, NotificationKind


class NotificationPreferencesForm(forms.Form):
    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label, choices=NotificationDelivery.choices, widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=current.get(kind.value, NotificationDelivery.IMMEDIATE),
            )

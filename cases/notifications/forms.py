"""The choice per kind of notification: immediately, daily digest, or off."""

from __future__ import annotations

from django import forms

from ..models import NotificationDelivery, NotificationKind


class NotificationPreferencesForm(forms.Form):
    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        # ASSIGNED is not sent yet (the assignment services do not notify; issue 15 §5 is partly done), so it is not offered.
        for kind in (k for k in NotificationKind if k != NotificationKind.ASSIGNED):
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label, choices=NotificationDelivery.choices, widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=current.get(kind.value, NotificationDelivery.IMMEDIATE),
            )

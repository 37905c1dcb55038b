"""One check for every free-text input, form and API alike (issue 10, defect 15).

Every character field of the intake, workspace and BOSAM forms and of the API's
request serializers goes through ``free_text_validate``: a length limit (the
field's own, else ``MAX_TEXT``), no control characters (a line break or tab only
in multi-line text) and no bidirectional override, embedding or isolate
characters, which can make a name or a note read differently on screen than it
is stored (CVE-2021-42574, "Trojan Source"). Forms get it through
``FreeTextFormMixin``, serializers through ``FreeTextSerializerMixin``; search
boxes that are not forms call ``free_text_problem`` directly.
"""
from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The longest free text anywhere (a notice's description, a note): the API's old cap.
MAX_TEXT = 10_000

# The intake's multi-line texts (form, API and import alike); the limit is shown beside the field.
DESCRIPTION_MAX = 4_000
OTHER_RESIDENTS_MAX = 2_000

# The landlord's own number for the flat (objektnummer): digits and letters, as landlords write them.
OBJECT_NUMBER_MAX = 10
OBJECT_NUMBER_PATTERN = r"^[0-9A-Za-zÅÄÖåäö]{1,10}$"
OBJECT_NUMBER_MESSAGE = _("Objektnumret får bara ha siffror och bokstäver, högst 10 tecken.")

# Explicit embeddings, overrides and isolates (and the Arabic letter mark). The
# plain marks U+200E/U+200F stay allowed: they only nudge neutral characters.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c")
MULTILINE_WHITESPACE = frozenset("\n\r\t")

MESSAGES = {
    "too_long": _("Texten är för lång: högst %(limit)s tecken."),
    "control": _("Texten innehåller ett otillåtet styrtecken."),
    "bidi": _("Texten innehåller tecken som vänder textriktningen. Ta bort dem."),
}


def free_text_problem(value: str, *, max_length: int | None = None, multiline: bool = False) -> str | None:
    """The code of the first problem in ``value`` (a key of MESSAGES), or None."""
    if len(value) > (max_length or MAX_TEXT):
        return "too_long"
    for char in value:
        if char in BIDI_CONTROLS:
            return "bidi"
        if unicodedata.category(char) == "Cc" and not (multiline and char in MULTILINE_WHITESPACE):
            return "control"
    return None


def format_limit(limit: int) -> str:
    """4000 -> '4 000' (Swedish grouping, a no-break space), for "högst 4 000 tecken"."""
    return f"{limit:,}".replace(",", "\u00a0")


def free_text_message(code: str, *, max_length: int | None = None) -> str:
    return str(MESSAGES[code]) % {"limit": format_limit(max_length or MAX_TEXT)}


LIMIT_HELP = _("Högst %(limit)s tecken.")


class FreeTextValidator:
    def __init__(self, *, max_length: int | None, multiline: bool):
        self.max_length = max_length
        self.multiline = multiline

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        code = free_text_problem(value, max_length=self.max_length, multiline=self.multiline)
        if code:
            raise ValidationError(free_text_message(code, max_length=self.max_length), code=f"free_text_{code}")

    def __eq__(self, other):  # for Django's deconstruction; validators compare by value
        return isinstance(other, FreeTextValidator) and (self.max_length, self.multiline) == (other.max_length, other.multiline)


def free_text_fields_apply(fields) -> None:
    """Give every free-text field of a form the one check, in place of Django's own length message."""
    from django import forms
    from django.core.validators import MaxLengthValidator

    for field in fields.values():
        if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.HiddenInput | forms.PasswordInput):
            multiline = isinstance(field.widget, forms.Textarea)
            # One message for a too long text, the same as the API's ("Texten är för lång: högst … tecken.").
            field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
            field.validators.append(FreeTextValidator(max_length=field.max_length, multiline=multiline))
            if field.max_length is None:
                field.max_length = MAX_TEXT
                field.widget.attrs.setdefault("maxlength", str(MAX_TEXT))
            if multiline:
                # The limit of a long text is said beside it, not only after a refusal (issue 12 item 7).
                limit = str(LIMIT_HELP) % {"limit": format_limit(field.max_length)}
                field.help_text = f"{field.help_text} {limit}" if field.help_text else limit


class FreeTextFormMixin:
    """Put first in a form's bases: every CharField gets the free-text check."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        free_text_fields_apply(self.fields)


class FreeTextSerializerMixin:
    """Put first in a request serializer's bases: every CharField gets the free-text check.

    The API has no widgets: a field without a limit or with more than 500 characters is multi-line."""

    def get_fields(self):
        from django.core.validators import MaxLengthValidator
        from rest_framework import serializers

        fields = super().get_fields()
        for field in fields.values():
            if isinstance(field, serializers.CharField) and not field.read_only:
                multiline = field.max_length is None or field.max_length > 500
                # One message for a too long text, the same as the forms'.
                field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
                field.validators.append(FreeTextValidator(max_length=field.max_length, multiline=multiline))
        return fields

"""Forms of the import pages: upload, column mapping, commit. They return plain values; views call services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Landlord

from .columns import COLUMNS
from .models import CommitChoice
from .reader import MAX_FILE_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fil (CSV eller XLSX)"),
        help_text=_("Högst 10 MB och 20 000 rader. CSV i UTF-8 eller Windows-1252, med ; eller , mellan fälten."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": _("Välj en fil att importera.")},
    )
    landlord = forms.ModelChoiceField(
        label=_("Hyresvärd"), queryset=Landlord.objects.none(), required=False, empty_label=_("Anges i filen"),
        help_text=_("Hyresvärdens sparade kolumnval föreslås, och rader utan hyresvärd får denna."),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["landlord"].queryset = Landlord.objects.filter(organisation=organisation).order_by("name")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("Filen är för stor: högst 10 MB."))
        return upload


class MappingForm(forms.Form):
    """One choice per column of the file: which field it holds, or nothing."""

    save_preset = forms.BooleanField(label=_("Spara kolumnvalen som förval för hyresvärden"), required=False)

    def __init__(self, *args, headings: list[str], mapping: dict[str, str], can_save_preset: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("– Läses inte –"))] + [(c.key, c.heading) for c in COLUMNS]
        self.headings = headings
        for index, heading in enumerate(headings):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=heading or _("Kolumn %(number)d") % {"number": index + 1}, choices=choices, required=False,
                initial=mapping.get(str(index), ""),
            )
        if not can_save_preset:
            del self.fields["save_preset"]

    def column_fields(self):
        return [self[f"col_{index}"] for index in range(len(self.headings))]

    def mapping(self) -> dict[str, str]:
        return {str(i): self.cleaned_data[f"col_{i}"] for i in range(len(self.headings)) if self.cleaned_data.get(f"col_{i}")}


class CommitForm(forms.Form):
    rows = forms.ChoiceField(
        label=_("Vilka rader ska importeras?"), choices=CommitChoice.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Välj om alla rader eller bara de giltiga ska importeras.")},
    )
    confirm = forms.BooleanField(
        label=_("Jag har granskat förhandsvisningen och vill registrera underrättelserna."),
        error_messages={"required": _("Bekräfta att du har granskat förhandsvisningen.")},
    )

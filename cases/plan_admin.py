"""The plan's configuration (R10) in the admin: typed fields instead of raw JSON,
so the system administrator can change a threshold without knowing the format.
Saving creates a new version and makes it the active one; old versions stay, so
every earlier decision can still be read with the version it used."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from organisation.models import Organisation

from .models import ChildResidence, HousingType, PlanConfiguration, TaskKind
from .rules import routing

DEFAULTS = routing.PlanConfig()


def _pairs_to_text(pairs) -> str:
    return "\n".join(f"{key}={value}" for key, value in pairs)


def _text_to_pairs(text: str, *, value_type=str, field_name: str) -> tuple:
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise forms.ValidationError(_("Rad %(n)s i %(field)s ska ha formen KOD=VÄRDE."), params={"n": number, "field": field_name})
        try:
            pairs.append((key.strip(), value_type(value.strip())))
        except ValueError as exc:
            raise forms.ValidationError(
                _("Rad %(n)s i %(field)s: värdet ska vara ett heltal."), params={"n": number, "field": field_name}
            ) from exc
    return tuple(pairs)


class PlanConfigurationForm(forms.ModelForm):
    elderly_age_limit = forms.IntegerField(label=_("Åldersgräns för äldreomsorgens uppsökare (R3c)"), min_value=50, max_value=100)
    contact_window_working_days = forms.IntegerField(label=_("Kontaktfönster i arbetsdagar (R2d)"), min_value=1, max_value=60)
    urgency_fallback_days = forms.IntegerField(
        label=_("Brådskande när en frist är inom så många arbetsdagar, oavsett BOSAM-möten"), min_value=1, max_value=30
    )
    # Issue 11. Not required: a form without them (an older admin page, a test) keeps the plan's defaults.
    escalation_lead_working_days = forms.IntegerField(
        label=_("Hembesök och överlämning senast så många arbetsdagar före återvinningsfristen eller avhysningen (R2d, R3b, R3c)"),
        min_value=1, max_value=20, required=False,
    )
    recovery_period_start = forms.ChoiceField(
        label=_("Återvinningsfristen räknas från (JB 12:44)"), required=False,
        choices=[
            ("SENT", _("den dag hyresvärden skickade underrättelsen (tidigare frist; faller tillbaka på mottagen)")),
            ("RECEIVED", _("den dag socialtjänsten tog emot underrättelsen")),
        ],
    )
    report_of_concern_deviation_working_days = forms.IntegerField(
        label=_("Avvikelse när orosanmälan inte är gjord efter så många arbetsdagar (R2c, R8)"), min_value=1, max_value=60,
        required=False,
    )
    eviction_child_residences = forms.MultipleChoiceField(
        label=_("Barn som räknas vid avhysningsdagen (R9)"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=ChildResidence.choices,
    )
    payment_decision_working_days = forms.IntegerField(
        label=_("Beslut om betalningsförbindelse senast så många arbetsdagar före återvinningsfristen"), min_value=1, max_value=15,
        required=False,
    )
    bosam_review_after_meetings = forms.IntegerField(
        label=_("BOSAM: ett öppet ärende utan brådska tas upp igen när det inte behandlats på så många möten"),
        min_value=1, max_value=26, required=False,
    )
    elderly_investigation_unit = forms.CharField(
        label=_("Enhet som beslutar om utredning för den som nått åldersgränsen, när avhysning är utsatt (R3c)"),
        required=False, max_length=40, help_text=_("En enhetskod, t.ex. AO_UPPSOKARE."),
    )
    submissions_auto_register = forms.BooleanField(
        label=_("Registrera kompletta underrättelser från hyresvärdarnas e-tjänst och API automatiskt"), required=False,
        help_text=_("Annars registrerar hyresrådgivaren dem i Inkomna underrättelser. En underrättelse som saknar "
                    "belopp för återvinning eller delgivningsdatum registreras aldrig automatiskt."),
    )
    lead_precedence = forms.CharField(
        label=_("Turordning för ansvarig enhet (R1)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Enhetskoder, en per rad eller kommaseparerade; först i listan leder."),
    )
    special_housing_lead = forms.CharField(
        label=_("Särskilda boendeformer och ansvarig enhet (R7)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("En rad per boendeform: BOENDEFORM=ENHETSKOD, t.ex. TRAINING_FLAT=BOSTAD."),
    )
    task_due_working_days = forms.CharField(
        label=_("Arbetsdagar till förfallodag per uppgiftstyp"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("En rad per uppgiftstyp: UPPGIFTSTYP=ANTAL, t.ex. SEND_LETTER=1."),
    )

    class Meta:
        model = PlanConfiguration
        fields = ("organisation", "version")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        config = self.instance.as_plan_config() if self.instance.pk else DEFAULTS
        self.initial.update(
            elderly_age_limit=config.elderly_age_limit,
            contact_window_working_days=config.contact_window_working_days,
            urgency_fallback_days=config.urgency_fallback_days,
            escalation_lead_working_days=config.escalation_lead_working_days,
            recovery_period_start=config.recovery_period_start,
            report_of_concern_deviation_working_days=config.report_of_concern_deviation_working_days,
            eviction_child_residences=list(config.eviction_child_residences),
            payment_decision_working_days=config.payment_decision_working_days,
            bosam_review_after_meetings=config.bosam_review_after_meetings,
            elderly_investigation_unit=config.elderly_investigation_unit,
            submissions_auto_register=config.submissions_auto_register,
            lead_precedence="\n".join(config.lead_precedence),
            special_housing_lead=_pairs_to_text(config.special_housing_lead),
            task_due_working_days=_pairs_to_text(config.task_due_working_days),
        )
        if self.instance.pk:
            # A decision refers to its version: a new version is a new row, never an edit.
            self.initial["version"] = ""

    def _unit_codes(self) -> set[str]:
        organisation = self.cleaned_data.get("organisation")
        return set(organisation.units.values_list("code", flat=True)) if organisation else set()

    def clean_lead_precedence(self):
        codes = tuple(c.strip() for c in self.cleaned_data["lead_precedence"].replace(",", "\n").splitlines() if c.strip())
        unknown = sorted(set(codes) - self._unit_codes())
        if unknown:
            raise forms.ValidationError(_("Okända enhetskoder: %(codes)s"), params={"codes": ", ".join(unknown)})
        return codes

    def clean_elderly_investigation_unit(self):
        code = self.cleaned_data.get("elderly_investigation_unit", "").strip()
        if code and code not in self._unit_codes():
            raise forms.ValidationError(_("Okända enhetskoder: %(codes)s"), params={"codes": code})
        return code

    def clean_special_housing_lead(self):
        pairs = _text_to_pairs(self.cleaned_data["special_housing_lead"], field_name=_("boendeformer"))
        bad_types = sorted({k for k, _v in pairs} - set(HousingType.values))
        bad_units = sorted({v for _k, v in pairs} - self._unit_codes())
        if bad_types or bad_units:
            raise forms.ValidationError(_("Okända koder: %(codes)s"), params={"codes": ", ".join(bad_types + bad_units)})
        return pairs

    def clean_task_due_working_days(self):
        pairs = _text_to_pairs(self.cleaned_data["task_due_working_days"], value_type=int, field_name=_("uppgiftstyper"))
        bad = sorted({k for k, _v in pairs} - set(TaskKind.values))
        if bad:
            raise forms.ValidationError(_("Okända uppgiftstyper: %(codes)s"), params={"codes": ", ".join(bad)})
        if any(v < 0 for _k, v in pairs):
            raise forms.ValidationError(_("Antalet arbetsdagar kan inte vara negativt."))
        return pairs

    def clean(self):
        cleaned = super().clean()
        organisation, version = cleaned.get("organisation"), cleaned.get("version")
        if organisation and version and PlanConfiguration.objects.filter(organisation=organisation, version=version).exists():
            self.add_error("version", _("Versionen finns redan. Ange en ny version, t.ex. 2026.1."))
        return cleaned

    def _legal_step_settings(self) -> dict:
        """The issue-11 settings; an empty field keeps the default."""
        names = ("escalation_lead_working_days", "recovery_period_start", "report_of_concern_deviation_working_days",
                 "payment_decision_working_days", "bosam_review_after_meetings", "elderly_investigation_unit")
        values = {name: self.cleaned_data[name] for name in names if self.cleaned_data.get(name) not in (None, "")}
        if self.cleaned_data.get("eviction_child_residences"):
            values["eviction_child_residences"] = tuple(self.cleaned_data["eviction_child_residences"])
        return values

    def plan_settings(self) -> dict:
        config = routing.PlanConfig(
            version=self.cleaned_data["version"],
            elderly_age_limit=self.cleaned_data["elderly_age_limit"],
            contact_window_working_days=self.cleaned_data["contact_window_working_days"],
            urgency_fallback_days=self.cleaned_data["urgency_fallback_days"],
            lead_precedence=self.cleaned_data["lead_precedence"],
            special_housing_lead=self.cleaned_data["special_housing_lead"],
            task_due_working_days=self.cleaned_data["task_due_working_days"],
            submissions_auto_register=bool(self.cleaned_data.get("submissions_auto_register")),
            **self._legal_step_settings(),
        )
        settings = config.to_dict()
        settings.pop("version")
        return settings


@transaction.atomic
def plan_configuration_activate(*, organisation: Organisation, version: str, settings: dict) -> PlanConfiguration:
    """Make a new plan version the active one for the organisation."""
    PlanConfiguration.objects.filter(organisation=organisation, is_active=True).update(is_active=False)
    return PlanConfiguration.objects.create(organisation=organisation, version=version, settings=settings, is_active=True)


@admin.register(PlanConfiguration)
class PlanConfigurationAdmin(admin.ModelAdmin):
    form = PlanConfigurationForm
    list_display = ("version", "organisation", "is_active", "created_at")
    list_filter = ("is_active",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(organisation_id=request.user.organisation_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation" and not request.user.is_superuser:
            kwargs["queryset"] = Organisation.objects.filter(pk=request.user.organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # Every save is a new active version (R10); the edited row stays as history.
        new = plan_configuration_activate(
            organisation=form.cleaned_data["organisation"], version=form.cleaned_data["version"], settings=form.plan_settings()
        )
        obj.pk, obj.is_active, obj.settings = new.pk, True, new.settings

    def has_delete_permission(self, request, obj=None):
        return False  # decisions refer to their plan version

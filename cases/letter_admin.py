"""Letter templates in the admin (issue 14 §3): one text box per text of the letter, a live PDF preview with a
made-up household, and an approve action. Only an APPROVED template is used for letters; changing the texts of
an approved template makes it a draft again, so a text is never sent without someone having approved it.

The system administrator edits their own organisation's templates. The shipped defaults (no organisation) serve
every organisation, so only a superuser changes them; an administrator copies one to their organisation instead.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from organisation.models import Organisation

from . import letter_texts
from .models import LetterTemplate, LetterTemplateStatus

TEXT_FIELD = "text__"


def _text_field(spec: letter_texts.TextKey) -> forms.CharField:
    reference = letter_texts.SWEDISH_TEXTS.get(spec.key, "")
    allowed = ", ".join(f"{{{p}}}" for p in spec.placeholders)
    help_parts = [_("Svenska: %(text)s") % {"text": reference}] if reference else []
    if allowed:
        help_parts.append(_("Platshållare: %(names)s") % {"names": allowed})
    if spec.translation_only:
        help_parts.append(_("Används bara i brev på andra språk än svenska."))
    return forms.CharField(
        label=spec.label, required=False, help_text=" · ".join(str(p) for p in help_parts),
        widget=forms.Textarea(attrs={"rows": 2 if len(reference) < 120 else 4, "cols": 100}),
    )


class LetterTemplateForm(forms.ModelForm):
    """One text box per text of the letter (declared on the class, so the admin's fieldsets can place them)."""

    class Meta:
        model = LetterTemplate
        fields = ("organisation", "kind", "language", "text_direction")

    for _spec in letter_texts.TEXT_KEYS:
        locals()[TEXT_FIELD + _spec.key] = _text_field(_spec)
    del _spec

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new template starts from the Swedish texts, to be translated; an existing one shows its own.
        texts = self.instance.texts if self.instance.pk else letter_texts.SWEDISH_TEXTS
        for spec in letter_texts.TEXT_KEYS:
            if TEXT_FIELD + spec.key in self.fields:
                self.fields[TEXT_FIELD + spec.key].initial = texts.get(spec.key, "")

    def texts(self) -> dict[str, str]:
        return {spec.key: (self.cleaned_data.get(TEXT_FIELD + spec.key) or "").strip() for spec in letter_texts.TEXT_KEYS}

    def clean(self):
        cleaned = super().clean()
        language = cleaned.get("language") or ""
        problems = letter_texts.text_problems(self.texts(), translation=language != letter_texts.SWEDISH)
        for key, found in problems.items():
            for message in found:
                self.add_error(TEXT_FIELD + key, message)
        return cleaned


def _may_edit(request, obj: LetterTemplate | None) -> bool:
    if obj is None or request.user.is_superuser:
        return True
    return obj.organisation_id is not None and obj.organisation_id == request.user.organisation_id


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    form = LetterTemplateForm
    list_display = ("language", "kind", "owner", "status", "text_direction", "approved_by", "approved_at", "preview_link")
    list_filter = ("status", "language")
    readonly_fields = ("status", "approved_by", "approved_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("organisation", "kind", "language", "text_direction", "status", "approved_by", "approved_at", "updated_at")}),
        (_("Texter"), {
            "fields": tuple(TEXT_FIELD + spec.key for spec in letter_texts.TEXT_KEYS),
            "description": _("Vanlig text. Platshållare inom klammer, t.ex. {deadline}, fylls i med ärendets uppgifter; "
                             "bara de som står under varje ruta går att använda."),
        }),
    )
    actions = ("approve", "copy_to_own_organisation")
    change_form_template = "admin/cases/lettertemplate/change_form.html"

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            # Read-only (a shipped default for an organisation's administrator): the texts as a list.
            return ((None, {"fields": self.fieldsets[0][1]["fields"]}), (_("Texter"), {"fields": ("texts_display",)}))
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "texts_display")

    @admin.display(description=_("texter"))
    def texts_display(self, obj):
        pairs = ((spec.label, obj.texts.get(spec.key, "")) for spec in letter_texts.TEXT_KEYS)
        rows = format_html_join("", "<dt>{}</dt><dd>{}</dd>", pairs)
        return format_html("<dl>{}</dl>", rows)

    @admin.display(description=_("organisation"))
    def owner(self, obj):
        return obj.organisation.name if obj.organisation_id else gettext("Standard (levereras med systemet)")

    @admin.display(description=_("förhandsgranskning"))
    def preview_link(self, obj):
        url = reverse("admin:cases_lettertemplate_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, gettext("PDF"))

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("organisation", "approved_by")
        if request.user.is_superuser:
            return queryset
        # Their own organisation's, and the shipped defaults they fall back on (read-only for them).
        return queryset.filter(organisation__isnull=True) | queryset.filter(organisation_id=request.user.organisation_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation" and not request.user.is_superuser:
            kwargs["queryset"] = Organisation.objects.filter(pk=request.user.organisation_id)
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _may_edit(request, obj)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.organisation_id = request.user.organisation_id
        texts = form.texts()
        changed = not change or texts != obj.texts or {"language", "text_direction", "kind"} & set(form.changed_data)
        if changed and obj.status == LetterTemplateStatus.APPROVED:
            # An approved text that changes is not approved any more: it waits for a new approval.
            obj.status, obj.approved_by, obj.approved_at = LetterTemplateStatus.DRAFT, None, None
            messages.warning(request, gettext("Mallen är ändrad och är nu ett utkast. Godkänn den för att den ska användas i brev."))
        obj.texts = texts
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Godkänn de valda mallarna (de används i brev från och med nu)"))
    def approve(self, request, queryset):
        approved = 0
        with transaction.atomic():
            for template in LetterTemplate.objects.select_for_update().filter(pk__in=list(queryset.values_list("pk", flat=True))):
                if not _may_edit(request, template):
                    continue
                problems = letter_texts.text_problems(template.texts, translation=template.language != letter_texts.SWEDISH)
                if problems:
                    messages.error(request, gettext("%(template)s kan inte godkännas: texter saknas eller har fel platshållare.")
                                   % {"template": template})
                    continue
                template.status, template.approved_by, template.approved_at = LetterTemplateStatus.APPROVED, request.user, timezone.now()
                template.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
                self.log_change(request, template, gettext("Godkänd"))
                approved += 1
        if approved:
            messages.success(request, gettext("%(n)s mallar godkändes.") % {"n": approved})

    @admin.action(description=_("Kopiera till min organisation som utkast"))
    def copy_to_own_organisation(self, request, queryset):
        organisation_id = request.user.organisation_id
        if organisation_id is None:
            messages.error(request, gettext("Ditt konto hör inte till någon organisation."))
            return
        copied = 0
        for template in queryset:
            _copy, created = LetterTemplate.objects.get_or_create(
                organisation_id=organisation_id, kind=template.kind, language=template.language,
                defaults={"texts": dict(template.texts), "text_direction": template.text_direction},
            )
            copied += created
        messages.success(request, gettext("%(n)s mallar kopierades som utkast.") % {"n": copied})

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("forhandsgranska/", view(self.preview_view), name="cases_lettertemplate_preview_new"),
            path("<path:object_id>/forhandsgranska/", view(self.preview_view), name="cases_lettertemplate_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request, object_id=None):
        """The template as a PDF letter to a made-up household. GET: as saved; POST (the change form's
        "Förhandsgranska" button): the texts as typed, unsaved, so the administrator sees a change before saving."""
        from .intake.letters import render_preview_pdf

        obj = get_object_or_404(self.get_queryset(request), pk=object_id) if object_id is not None else None
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        if request.method == "POST":
            # The admin's own form class: the organisation field offers only the administrator's organisation.
            form = self.get_form(request, obj, change=obj is not None)(request.POST, instance=obj)
            if not form.is_valid():
                errors = "; ".join(f"{name.removeprefix(TEXT_FIELD)}: {' '.join(found)}" for name, found in form.errors.items())
                return HttpResponse(gettext("Förhandsgranskningen kunde inte göras: %(errors)s") % {"errors": errors},
                                    status=400, content_type="text/plain; charset=utf-8")
            language, direction, texts = form.cleaned_data["language"], form.cleaned_data["text_direction"], form.texts()
            organisation = form.cleaned_data.get("organisation") or getattr(obj, "organisation", None)
        elif obj is not None:
            language, direction, texts, organisation = obj.language, obj.text_direction, obj.texts, obj.organisation
        else:
            raise PermissionDenied
        # Not case data: the organisation's name and its debt advice's contact details, as a letter prints them.
        organisation = organisation or getattr(request.user, "organisation", None)
        pdf = render_preview_pdf(organisation=organisation, language=language, texts=texts, direction=direction,
                                 scenario=request.GET.get("exempel", "arrears"))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="forhandsgranskning.pdf"'
        # Framed by the admin's own change page (elsewhere the application forbids framing altogether).
        response["X-Frame-Options"] = "SAMEORIGIN"
        response["Content-Security-Policy"] = "frame-ancestors 'self'"
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from .intake.letters import PREVIEW_SCENARIOS

        extra_context = {**(extra_context or {}), "preview_scenarios": PREVIEW_SCENARIOS.items()}
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        from .intake.letters import PREVIEW_SCENARIOS

        extra_context = {**(extra_context or {}), "preview_scenarios": PREVIEW_SCENARIOS.items()}
        return super().add_view(request, form_url, extra_context)

"""Admin for the chair and the system administrator: the meeting series (weekday, time, place,
interval, summer pause, participants). Each sees only their own organisation."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The one organisation boundary of the admin (rows and the organisation/department/unit choices).
from organisation.admin import OrganisationScopedAdmin
from organisation.models import Department

from . import services
from .models import Meeting, MeetingSeries


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(OrganisationScopedAdmin):
    list_display = ("name", "weekday", "time", "place", "interval_days", "start_date", "pause_from_week", "pause_to_week", "is_active")
    list_filter = ("is_active",)
    filter_horizontal = ("departments",)
    fieldsets = (
        (None, {"fields": ["name", "is_active"]}),
        (_("När och var"), {"fields": ["weekday", "time", "place", "interval_days", "start_date"]}),
        (_("Sommaruppehåll"), {"fields": ["pause_from_week", "pause_to_week"]}),
        (_("Dagordning och deltagare"), {"fields": ["agenda_lead_working_days", "departments", "extra_recipients"]}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:  # the only one who may choose the organisation
            return [(None, {"fields": ["organisation", "name", "is_active"]}), *fieldsets[1:]]
        return fieldsets

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "departments" and not request.user.is_superuser:
            kwargs["queryset"] = Department.objects.filter(organisation_id=request.user.organisation_id)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and not obj.organisation_id:
            obj.organisation_id = request.user.organisation_id
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The series changed: plan (or re-plan) its meetings at once rather than tomorrow morning.
        result = services.plan_meetings(today=timezone.localdate(), organisation=form.instance.organisation)
        messages.info(request, _("Planeringen uppdaterad: %(created)s nya, %(moved)s flyttade, %(removed)s borttagna möten.") % result)


@admin.register(Meeting)
class MeetingAdmin(OrganisationScopedAdmin):
    """Read-only overview; meetings are run from the BOSAM pages."""

    list_display = ("date", "time", "series", "place", "status", "edited_by_chair", "agenda_prepared_at", "agenda_notified_at")
    list_filter = ("status", "series")
    date_hierarchy = "date"
    fields = (*list_display, "scheduled_date", "cancel_reason", "started_at", "closed_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

"""Admin pages for configuration only: no case contents (OSL 26 kap.).

The system administrator manages landlords and the plan's configuration
(plan_admin.py) of their own organisation. The audit log is shown read-only to
superusers only: nobody can add, change or delete an event through the admin.
"""

from django.contrib import admin

from organisation.admin import OrganisationScopedAdmin

from . import letter_admin, plan_admin  # noqa: F401 (register LetterTemplate, PlanConfiguration)
from .models import AuditEvent, Landlord


@admin.register(Landlord)
class LandlordAdmin(OrganisationScopedAdmin):
    list_display = ("name", "org_number", "contact_name", "phone", "email")
    search_fields = ("name", "org_number")

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.organisation_id = request.user.organisation_id
        super().save_model(request, obj, form, change)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "user_unit", "action", "case", "without_assignment", "ip_address")
    list_filter = ("action", "without_assignment", "organisation")
    date_hierarchy = "at"
    list_select_related = ("user", "user_unit", "case")
    readonly_fields = tuple(f.name for f in AuditEvent._meta.fields)
    actions = None

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

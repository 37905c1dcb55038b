from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, Organisation, Unit, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    fieldsets = [
        (None, {"fields": ["code", "name"]}),
        (_("Budget- och skuldrådgivning (i breven till hushållen)"), {
            "fields": ["debt_advice_name", "debt_advice_phone", "debt_advice_email", "debt_advice_web", "debt_advice_hours"],
        }),
    ]


class OrganisationScopedAdmin(admin.ModelAdmin):
    """A system administrator sees and edits only their own organisation's rows."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(organisation_id=request.user.organisation_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser and db_field.name in ("organisation", "department", "unit"):
            model = db_field.related_model
            if model is Organisation:
                kwargs["queryset"] = Organisation.objects.filter(pk=request.user.organisation_id)
            else:
                kwargs["queryset"] = model.objects.filter(organisation_id=request.user.organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Department)
class DepartmentAdmin(OrganisationScopedAdmin):
    list_display = ["name", "code", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "code"]


@admin.register(Unit)
class UnitAdmin(OrganisationScopedAdmin):
    list_display = ["name", "code", "department", "is_active"]
    list_filter = ["department", "is_active"]
    search_fields = ["name", "code"]


@admin.register(User)
class UserAdmin(OrganisationScopedAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "unit", "is_active"]
    list_filter = ["groups", "unit", "is_active"]
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Organisation"), {"fields": ("organisation", "unit", "title", "phone")}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((_("Organisation"), {"fields": ("organisation", "unit")}),)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Only a superuser may hand out superuser status or raw permissions.
        return [
            (name, {**opts, "fields": tuple(f for f in opts["fields"] if f not in ("is_superuser", "user_permissions"))})
            for name, opts in fieldsets
        ]

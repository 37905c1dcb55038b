from django.contrib import admin

from organisation.admin import OrganisationScopedAdmin
from organisation.models import User

from .models import ExternalIdentity, GroupRoleMapping


@admin.register(GroupRoleMapping)
class GroupRoleMappingAdmin(OrganisationScopedAdmin):
    list_display = ["group", "role", "unit", "organisation"]
    list_filter = ["role", "organisation"]
    search_fields = ["group"]


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """Accounts that must exist before their first SSO sign-in get their subject here."""

    list_display = ["subject", "user", "last_sign_in"]
    search_fields = ["subject", "user__username"]
    readonly_fields = ["issuer", "last_sign_in"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user__organisation_id=request.user.organisation_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = User.objects.filter(organisation_id=request.user.organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

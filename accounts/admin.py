from django.contrib import admin
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

from organisation.admin import OrganisationScopedAdmin
from organisation.models import User

from . import otp
from .models import ExternalIdentity, GroupRoleMapping


@admin.register(GroupRoleMapping)
class GroupRoleMappingAdmin(OrganisationScopedAdmin):
    list_display = ("group", "role", "unit")
    list_filter = ("role",)  # no organisation filter: it would list the other organisations' names
    search_fields = ("group",)


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """Accounts that must exist before their first SSO sign-in get their subject here."""

    list_display = ("subject", "user", "last_sign_in")
    search_fields = ("subject", "user__username")
    readonly_fields = ("issuer", "last_sign_in")
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user__organisation_id=request.user.organisation_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = User.objects.filter(organisation_id=request.user.organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class _OwnOrganisationDevices:
    """django-otp's device lists, limited to the administrator's own organisation (a lost phone is
    reset by deleting the person's devices; nothing of another organisation is listed)."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user__organisation_id=request.user.organisation_id)


admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(TOTPDevice)
class ScopedTOTPDeviceAdmin(_OwnOrganisationDevices, TOTPDeviceAdmin):
    pass


@admin.register(StaticDevice)
class ScopedStaticDeviceAdmin(_OwnOrganisationDevices, StaticDeviceAdmin):
    inlines = ()  # the backup codes themselves are the person's secret, not the administrator's to read


@admin.register(WebAuthnCredential)
class ScopedPasskeyAdmin(_OwnOrganisationDevices, WebAuthnCredentialAdmin):
    """A person's passkeys (a lost key is removed here); each removal is written to the audit log."""

    list_display = ("user", "name", "created_at", "last_used_at")
    search_fields = ("user__username", "user__first_name", "user__last_name", "name")

    def has_change_permission(self, request, obj=None):
        return False  # nothing to edit: the key's data is the authenticator's

    def delete_model(self, request, obj):
        otp.audit_two_factor(request, otp.REMOVE, obj, owner=obj.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for credential in queryset.select_related("user"):
            otp.audit_two_factor(request, otp.REMOVE, credential, owner=credential.user)
        super().delete_queryset(request, queryset)

"""The admin's boundary (issue 10): a system administrator manages their own organisation only.

- Organisation, Celery's schedule and django-axes' records: superuser only (one installation, many organisations).
- Role groups: read-only for everyone but a superuser; the roles are code (organisation/roles.py).
- Users: the own organisation's (no superusers); new users land in it; units only from it; the case roles
  (hyresrådgivare, handläggare, ordförande, chef) may be granted to others, never to one's own account.
- API tokens: the own organisation's; the key is shown once, after creation, and only its hash is kept.

Every admin class here also says "superuser only" itself, so that a permission slipped into a group by
other means still opens nothing.
"""

import contextlib

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.sites import NotRegistered
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .auth import AdminLoginForm
from .models import ApiScope, ApiToken, Department, Organisation, Role, Unit, User
from .roles import CASE_ROLES
from .tokens import token_set_new_key

# The admin's own login page refuses the demo accounts in production with the same message as the site's.
admin.site.login_form = AdminLoginForm


class SuperuserOnlyAdminMixin:
    """Visible and usable by a superuser only, whatever permissions a group holds."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(Organisation)
class OrganisationAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    fieldsets = (
        (None, {"fields": ["code", "name"]}),
        (_("Budget- och skuldrådgivning (i breven till hushållen)"), {
            "fields": ["debt_advice_name", "debt_advice_phone", "debt_advice_email", "debt_advice_web", "debt_advice_hours"],
        }),
    )


class OrganisationScopedAdmin(admin.ModelAdmin):
    """A system administrator sees and edits only their own organisation's rows."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(organisation_id=request.user.organisation_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser and db_field.name in ("organisation", "department", "unit", "landlord"):
            model = db_field.related_model
            if model is Organisation:
                kwargs["queryset"] = Organisation.objects.filter(pk=request.user.organisation_id)
            else:
                kwargs["queryset"] = model.objects.filter(organisation_id=request.user.organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Department)
class DepartmentAdmin(OrganisationScopedAdmin):
    list_display = ("name", "code", "organisation")
    search_fields = ("name", "code")

    def get_list_filter(self, request):
        return ["organisation"] if request.user.is_superuser else []


@admin.register(Unit)
class UnitAdmin(OrganisationScopedAdmin):
    list_display = ("name", "code", "department", "is_active")
    # RelatedOnly: the filter lists the departments of the rows shown, not every organisation's.
    list_filter = (("department", admin.RelatedOnlyFieldListFilter), "is_active")
    search_fields = ("name", "code")


class UserChangeForm(DjangoUserAdmin.form):
    """A landlord's account (role hyresvard) is bound to exactly one landlord, and nobody else is (issue 14 §2)."""

    def clean(self):
        cleaned = super().clean()
        if "groups" in cleaned:
            roles = {group.name for group in cleaned["groups"]}
        else:  # one's own account: the roles are read-only here
            roles = set(self.instance.groups.values_list("name", flat=True)) if self.instance.pk else set()
        landlord = cleaned.get("landlord")
        if Role.HYRESVARD in roles:
            if landlord is None:
                self.add_error("landlord", _("Välj hyresvärden som kontot lämnar underrättelser för."))
            if roles - {Role.HYRESVARD}:
                self.add_error("groups", _("Rollen hyresvärd kan inte kombineras med någon annan roll."))
            if cleaned.get("unit") or cleaned.get("is_staff") or cleaned.get("is_superuser"):
                self.add_error(None, _("En hyresvärds konto har ingen enhet och är inte personal."))
        elif landlord is not None:
            self.add_error("landlord", _("Bara ett konto med rollen hyresvärd kopplas till en hyresvärd."))
        return cleaned


@admin.register(User)
class UserAdmin(OrganisationScopedAdmin, DjangoUserAdmin):
    form = UserChangeForm
    list_display = ("username", "first_name", "last_name", "unit", "landlord", "is_active")
    list_filter = ("groups", ("unit", admin.RelatedOnlyFieldListFilter), "is_active")
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("Organisation"), {"fields": ("organisation", "unit", "landlord", "title", "phone")}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, (_("Organisation"), {"fields": ("organisation", "unit")}))

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # A superuser's account is not theirs to change (its password would be a way past every boundary).
        return queryset.filter(is_superuser=False)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Only a superuser may hand out superuser status or raw permissions, or choose the organisation:
        # everyone an administrator creates lands in the administrator's own.
        hidden = {"is_superuser", "user_permissions", "organisation"}
        return [(name, {**opts, "fields": tuple(f for f in opts["fields"] if f not in hidden)}) for name, opts in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            # Nobody grants themselves a role (a case role would open case contents): a second administrator must.
            readonly += ["groups", "is_staff", "is_active"]
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=Role.values)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.organisation_id = request.user.organisation_id
            if obj.unit_id and obj.unit.organisation_id != request.user.organisation_id:
                raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The form cannot do it (the field is read-only there), but the rule holds at the last step too.
        user = form.instance
        if user.pk == request.user.pk and not request.user.is_superuser:
            granted = set(user.groups.values_list("name", flat=True)) & CASE_ROLES
            if granted:
                raise PermissionDenied


@admin.action(description=_("Återkalla valda token"))
def revoke_tokens(modeladmin, request, queryset):
    revoked = 0
    for token in queryset.filter(revoked_at__isnull=True):
        token.revoke()
        revoked += 1
    modeladmin.message_user(request, _("%(count)s token återkallade.") % {"count": revoked}, messages.SUCCESS)


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=_("behörigheter"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple,
                                       initial=[ApiScope.STAFF])
    revoke = forms.BooleanField(label=_("Återkalla"), required=False, help_text=_("En återkallad token slutar gälla genast."))

    class Meta:
        model = ApiToken
        fields = ("user", "name", "scopes")


class TokenStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", _("gäller")), ("revoked", _("återkallad"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ("name", "prefix_display", "user", "scopes_display", "created", "last_used", "revoked_at")
    list_filter = (TokenStatusFilter,)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    actions = (revoke_tokens,)

    @admin.display(description=_("nyckel"), ordering="prefix")
    def prefix_display(self, obj):
        return f"{obj.prefix}…"

    @admin.display(description=_("behörigheter"))
    def scopes_display(self, obj):
        labels = dict(ApiScope.choices)
        return ", ".join(str(labels.get(scope, scope)) for scope in obj.scopes)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user__organisation_id=request.user.organisation_id, user__is_superuser=False)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = User.objects.filter(organisation_id=request.user.organisation_id, is_superuser=False, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "scopes"]
        return ["user", "name", "scopes_display", "prefix_display", "created", "created_by", "last_used", "revoked_at", "revoke"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A token's owner and scopes are fixed once its key is out: a new need gets a new token.
        return ["user", "scopes", "scopes_display", "prefix_display", "created", "created_by", "last_used", "revoked_at"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # revoke instead: the list keeps who had which token

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            if form.cleaned_data.get("revoke"):
                obj.revoke()
            return
        obj.created_by = request.user
        key = token_set_new_key(obj)
        obj.save()
        messages.warning(
            request,
            format_html(
                '{} <code class="api-token-key">{}</code> {}',
                _("Den nya nyckeln:"),
                key,
                _("Kopiera den nu: den visas aldrig igen (bara dess kontrollsumma sparas)."),
            ),
        )


# Role groups: defined in code, shown read-only to everyone but a superuser.
with contextlib.suppress(NotRegistered):
    admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


def _superuser_only(model) -> None:
    """Re-register an installed app's admin (Celery beat, axes) as superuser only, keeping its own class."""
    try:
        original = admin.site._registry[model].__class__
    except KeyError:
        return
    admin.site.unregister(model)
    admin.site.register(model, type(f"SuperuserOnly{original.__name__}", (SuperuserOnlyAdminMixin, original), {}))


# Their admin modules were loaded before this one (INSTALLED_APPS order). The schedule runs for every
# organisation, and axes' records hold every organisation's sign-in attempts.
for _model in [m for m in admin.site._registry if m._meta.app_label in ("django_celery_beat", "axes")]:
    _superuser_only(_model)

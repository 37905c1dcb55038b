from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = _("Organisation och användare")

    def ready(self):
        from .roles import sync_role_permissions

        # Model permissions exist only after migrate has run, so the roles get theirs here. Not
        # sender=self: cases/ and bosam/ come after organisation/ and their permissions would not exist yet.
        post_migrate.connect(sync_role_permissions, dispatch_uid="organisation-sync-role-permissions")
        from . import checks  # noqa: F401 (registers the deploy checks)

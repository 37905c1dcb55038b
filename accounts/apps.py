from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Inloggning")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from avhysning.middleware import stamp_session_at_login

        user_logged_in.connect(stamp_session_at_login, dispatch_uid="accounts-stamp-session-at-login")

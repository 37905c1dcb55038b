from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from organisation import views as organisation_views
from organisation.auth import LoginForm

admin.site.site_header = _("Avhysning – administration")
admin.site.site_title = _("Avhysning")
admin.site.index_title = _("Konfiguration och användare")

urlpatterns = [
    path("", organisation_views.home, name="home"),
    path("konto/logga-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm), name="login"),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    # The language can be changed on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("arenden/", include("cases.urls")),
    path("bosam/", include("bosam.urls")),
    path("api/v1/", include("avhysning.api_urls")),
]

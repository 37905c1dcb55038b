from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from accounts import views as accounts_views
from avhysning import views as project_views
from monitoring import views as monitoring_views
from organisation import views as organisation_views

admin.site.site_header = _("Avhysning – administration")
admin.site.site_title = _("Avhysning")
admin.site.index_title = _("Konfiguration och användare")

urlpatterns = [
    path("", organisation_views.home, name="home"),
    path("konto/logga-in/", accounts_views.sign_in, name="login"),
    path("konto/logga-ut/", accounts_views.sign_out, name="logout"),
    path("konto/", include("accounts.urls")),
    path("oidc/", include("accounts.oidc_urls")),
    # For load balancers and compose: no login, no data, 5xx naming the failing part.
    path("health/", monitoring_views.health, name="health"),
    path("favicon.ico", project_views.favicon, name="favicon"),
    # The language can be changed on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("arenden/import/", include("imports.urls")),
    # /hyresvard/ (the landlord's area) and /arenden/inkomna/ (the queue), before the case area.
    path("", include("submissions.urls")),
    path("arenden/", include("cases.urls")),
    path("bosam/", include("bosam.urls")),
    path("", include("followup.urls")),
    path("api/v1/", include("avhysning.api_urls")),
]

# Our own error pages, in Swedish and English with a way back (issue 12 item 8).
handler400 = "avhysning.views.bad_request"
handler403 = "avhysning.views.permission_denied"
handler404 = "avhysning.views.page_not_found"
handler500 = "avhysning.views.server_error"

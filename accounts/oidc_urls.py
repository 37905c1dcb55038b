"""/oidc/: the names mozilla-django-oidc reverses, on our views, open without a login."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from .oidc import AuthenticateView, CallbackView

urlpatterns = [
    path("authenticate/", login_not_required(AuthenticateView.as_view()), name="oidc_authentication_init"),
    path("callback/", login_not_required(CallbackView.as_view()), name="oidc_authentication_callback"),
]

"""The project's URLs plus one view that fails, for the 500 page's tests (ROOT_URLCONF in tests/test_error_pages.py)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from avhysning.urls import handler400, handler403, handler404, handler500
from avhysning.urls import urlpatterns as project_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@login_not_required
def fails(request):
    raise RuntimeError("a fault for the 500 page")


urlpatterns = [path("test-fel/", fails), *project_urlpatterns]

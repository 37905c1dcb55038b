from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from django.contrib.auth.decorators import login_not_required
from health_check.views import HealthCheckView

from .checks import CHECKS

_view = HealthCheckView.as_view(checks=CHECKS)


@login_not_required
def health(request):
    """/health/: django-health-check's (async) view, run in a thread of its own.

    Under WSGI Django calls an async view through async_to_sync, which refuses to run in a
    thread that already has an event loop (a test process has one after Playwright's sync API).
    A fresh thread never has one, so the endpoint answers whoever calls it."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(async_to_sync(_view), request).result()


# `manage.py health_check health --no-http` (the beat container's health check) builds the view from these.
health.view_class = HealthCheckView
health.view_initkwargs = {"checks": CHECKS}

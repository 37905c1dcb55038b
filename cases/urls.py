"""Case URLs, one list per area so each stays readable."""

from .intake_urls import urlpatterns as intake_urlpatterns
from .workspace_urls import urlpatterns as workspace_urlpatterns

app_name = "cases"
urlpatterns = intake_urlpatterns + workspace_urlpatterns

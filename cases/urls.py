"""Case URLs, one list per area so each stays readable (all mounted at /arenden/, namespace "cases")."""

from .audit_review.urls import urlpatterns as audit_review_urlpatterns
from .emergency.urls import urlpatterns as emergency_urlpatterns
from .intake.urls import urlpatterns as intake_urlpatterns
from .notifications.urls import urlpatterns as notification_urlpatterns
from .retention.urls import urlpatterns as retention_urlpatterns
from .workspace.urls import urlpatterns as workspace_urlpatterns

app_name = "cases"
urlpatterns = (
    intake_urlpatterns + workspace_urlpatterns + audit_review_urlpatterns + emergency_urlpatterns + retention_urlpatterns
    + notification_urlpatterns
)

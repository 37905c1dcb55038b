from django.urls import path

from . import api

urlpatterns = [
    path("submissions/", api.SubmissionListCreateView.as_view(), name="api-submission-list"),
    path("submissions/<int:pk>/register/", api.SubmissionRegisterView.as_view(), name="api-submission-register"),
]

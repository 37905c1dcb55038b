"""Intake: search the household, register a notice, the decision page, the letter PDF."""

from django.urls import path

from . import views as intake_views

urlpatterns = [
    path("registrera/", intake_views.intake_search, name="intake_search"),
    path("registrera/ny/", intake_views.intake_new, name="intake_new"),
    path("registrera/hyresvardar/", intake_views.landlord_suggestions, name="landlord_suggestions"),
    path("<int:pk>/beslut/", intake_views.decision, name="decision"),
    path("uppgift/<int:task_pk>/brev.pdf", intake_views.letter_pdf, name="letter_pdf"),
]

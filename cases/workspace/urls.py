"""The workspace: my cases, the overview, the case page and its actions (mounted at /arenden/)."""

from django.urls import path

from . import caseload_views, views

urlpatterns = [
    path("", views.my_cases, name="my_cases"),
    path("alla/", views.overview, name="overview"),
    path("enhetens-arenden/", caseload_views.unit_caseload, name="unit_caseload"),
    path("enhetens-arenden/person/<int:user_pk>/", caseload_views.person_caseload, name="person_caseload"),
    path("enhetens-arenden/person/<int:user_pk>/byt-enhet/", caseload_views.person_unit_change, name="person_unit_change"),
    path("<int:pk>/ta-arendet/", caseload_views.case_take, name="case_take"),
    path("<int:pk>/tilldelning/<int:assignment_pk>/handlaggare/", caseload_views.case_worker_set, name="case_worker_set"),
    path("<int:pk>/uppgifter/<int:task_pk>/ta/", caseload_views.task_take, name="task_take"),
    path("<int:pk>/uppgifter/<int:task_pk>/angra/", caseload_views.task_undo, name="task_undo"),
    path("<int:pk>/tilldelning/<int:assignment_pk>/avsluta/", caseload_views.assignment_end, name="assignment_end"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/person/<int:person_pk>/visa-personnummer/", views.reveal_pin, name="reveal_pin"),
    path("<int:pk>/brev/nytt/", views.letter_new, name="letter_new"),
    path("<int:pk>/visa-adress/", views.reveal_address, name="reveal_address"),
    path("<int:pk>/uppgifter/<int:task_pk>/klar/", views.task_complete, name="task_complete"),
    path("<int:pk>/uppgifter/ny/", views.task_create, name="task_create"),
    path("<int:pk>/kontakt/", views.contact_register, name="contact_register"),
    path("<int:pk>/tilldelning/", views.assignment_change, name="assignment_change"),
    path("<int:pk>/samrad/", views.consult, name="consult"),
    path("<int:pk>/bosam/", views.bosam_request, name="bosam_request"),
    path("<int:pk>/samtycke/", views.consent_record, name="consent_record"),
    path("<int:pk>/avsluta/", views.case_close, name="case_close"),
    path("<int:pk>/ateroppna/", views.case_reopen, name="case_reopen"),
    path("<int:pk>/avhysningsdagen/", views.eviction_outcome_record, name="eviction_outcome_record"),
    path("<int:pk>/betalningsforbindelse/", views.payment_commitment_record, name="payment_commitment_record"),
    path("underrattelse/<int:notice_pk>/handling.pdf", views.attachment, name="attachment"),
]

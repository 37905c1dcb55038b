from django.urls import path

from . import views

app_name = "bosam"
urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("moten/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("moten/<int:pk>/andra/", views.meeting_reschedule, name="meeting_reschedule"),
    path("moten/<int:pk>/stall-in/", views.meeting_cancel, name="meeting_cancel"),
    path("moten/<int:pk>/aterstall/", views.meeting_reinstate, name="meeting_reinstate"),
    path("moten/<int:pk>/starta/", views.meeting_start, name="meeting_start"),
    path("moten/<int:pk>/las-protokollet/", views.meeting_close, name="meeting_close"),
    path("moten/<int:pk>/narvaro/", views.attendance, name="attendance"),
    path("moten/<int:pk>/dagordning/uppdatera/", views.agenda_regenerate, name="agenda_regenerate"),
    path("moten/<int:pk>/dagordning/lagg-till/", views.item_add, name="item_add"),
    path("moten/<int:pk>/punkter/<int:item_pk>/", views.item_detail, name="item_detail"),
    path("moten/<int:pk>/punkter/<int:item_pk>/anteckning/", views.item_note, name="item_note"),
    path("moten/<int:pk>/punkter/<int:item_pk>/aktivitet/", views.activity_add, name="activity_add"),
    path("moten/<int:pk>/punkter/<int:item_pk>/stryk/", views.item_remove, name="item_remove"),
    path("moten/<int:pk>/punkter/<int:item_pk>/aterstall/", views.item_restore, name="item_restore"),
    path("moten/<int:pk>/punkter/<int:item_pk>/behandlad/", views.item_discussed, name="item_discussed"),
    path("moten/<int:pk>/punkter/<int:item_pk>/flytta/<str:direction>/", views.item_move, name="item_move"),
]

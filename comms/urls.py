from __future__ import annotations

from django.urls import path

from comms import views

urlpatterns = [
    path("", views.comms_page, name="comms"),
    path("add/", views.message_add, name="message_add"),
    path("<int:message_id>/edit/", views.message_edit, name="message_edit"),
    path("<int:message_id>/delete/", views.message_delete, name="message_delete"),
    path("<int:message_id>/move/", views.message_move, name="message_move"),
    path(
        "<int:message_id>/follow-go-live/",
        views.message_follow_go_live,
        name="message_follow_go_live",
    ),
    path("<int:message_id>/text/", views.message_text, name="message_text"),
]

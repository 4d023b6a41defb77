from __future__ import annotations

from django.urls import path

from givegets import views

urlpatterns = [
    path("new/", views.giveget_create, name="giveget_create"),
    path("<int:giveget_id>/edit/", views.giveget_edit, name="giveget_edit"),
    path("<int:giveget_id>/delete/", views.giveget_delete, name="giveget_delete"),
    path("<int:giveget_id>/move/", views.giveget_move, name="giveget_move"),
]

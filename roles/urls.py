from __future__ import annotations

from django.urls import include, path

from roles import views

urlpatterns = [
    path("new/", views.role_create, name="role_create"),
    path("<int:role_id>/", views.role_detail, name="role_detail"),
    path("<int:role_id>/edit/", views.role_edit, name="role_edit"),
    path("<int:role_id>/delete/", views.role_delete, name="role_delete"),
    path("<int:role_id>/givegets/", include("givegets.urls")),
]

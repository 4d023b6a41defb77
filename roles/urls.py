from __future__ import annotations

from django.urls import path

from roles import views

urlpatterns = [
    path("<int:role_id>/edit/", views.role_edit, name="role_edit"),
    path(
        "<int:role_id>/quick-win/follow-go-live/",
        views.quick_win_follow_go_live,
        name="quick_win_follow_go_live",
    ),
]

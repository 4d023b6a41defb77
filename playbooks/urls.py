from __future__ import annotations

from django.urls import path

from playbooks import views

urlpatterns = [
    path("<int:playbook_id>/edit/", views.playbook_edit, name="playbook_edit"),
    path("<int:playbook_id>/delete/", views.playbook_delete, name="playbook_delete"),
    path("<int:playbook_id>/members/", views.members, name="members"),
    path(
        "<int:playbook_id>/members/<int:membership_id>/level/",
        views.member_level,
        name="member_level",
    ),
    path(
        "<int:playbook_id>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
]

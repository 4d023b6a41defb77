from __future__ import annotations

from django.urls import include, path

from playbooks import views
from roles import matrix

urlpatterns = [
    path("<int:playbook_id>/roles/", include("roles.urls")),
    path("<int:playbook_id>/ambassadors/", include("ambassadors.urls")),
    path("<int:playbook_id>/plan/", include("actionplan.urls")),
    path("<int:playbook_id>/matrix/", matrix.matrix, name="matrix"),
    path("<int:playbook_id>/matrix/add/", matrix.matrix_add, name="matrix_add"),
    path("<int:playbook_id>/matrix/<int:role_id>/edit/", matrix.matrix_edit, name="matrix_edit"),
    path(
        "<int:playbook_id>/matrix/<int:role_id>/delete/", matrix.matrix_delete, name="matrix_delete"
    ),
    path("<int:playbook_id>/matrix/<int:role_id>/move/", matrix.matrix_move, name="matrix_move"),
    path("", views.playbook_list, name="playbook_list"),
    path("new/", views.playbook_create, name="playbook_create"),
    path("import/", views.import_upload, name="playbook_import"),
    path("<int:playbook_id>/export.json", views.export_json, name="playbook_export"),
    path("<int:playbook_id>/playbook.pdf", views.playbook_pdf, name="playbook_pdf"),
    path(
        "<int:playbook_id>/roles/<int:role_id>/one-pager.pdf",
        views.role_one_pager,
        name="role_one_pager",
    ),
    path("<int:playbook_id>/template/", views.use_as_template, name="playbook_template"),
    path("<int:playbook_id>/", views.playbook_detail, name="playbook_detail"),
    path("<int:playbook_id>/edit/", views.playbook_edit, name="playbook_edit"),
    path("<int:playbook_id>/charter/", views.charter_edit, name="charter_edit"),
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

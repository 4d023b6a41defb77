"""Pages and files that read several apps, under /playbooks/."""

from __future__ import annotations

from django.urls import path

from planner import (
    adoption_import,
    calendar,
    changes,
    comments,
    downloads,
    matrix,
    public,
    pulse_links,
    results,
    role_page,
    summary_page,
    views,
)

roles = "<int:playbook_id>/roles/<int:role_id>"
givegets = f"{roles}/givegets/<int:giveget_id>"
row = "<int:playbook_id>/matrix/<int:role_id>"

urlpatterns = [
    path("", views.playbook_list, name="playbook_list"),
    path("new/", views.playbook_create, name="playbook_create"),
    path("import/", views.import_upload, name="playbook_import"),
    path("<int:playbook_id>/", views.playbook_detail, name="playbook_detail"),
    path("<int:playbook_id>/summary/", summary_page.summary_page, name="summary"),
    path("<int:playbook_id>/charter/", views.charter_edit, name="charter_edit"),
    path(
        "<int:playbook_id>/examples/",
        views.start_from_examples,
        name="playbook_start_from_examples",
    ),
    path("<int:playbook_id>/export.json", views.export_json, name="playbook_export"),
    path("<int:playbook_id>/playbook.pdf", views.playbook_pdf, name="playbook_pdf"),
    path("<int:playbook_id>/downloads/", downloads.downloads, name="downloads"),
    path("<int:playbook_id>/calendar.ics", calendar.calendar_ics, name="calendar_ics"),
    path("<int:playbook_id>/template/", views.use_as_template, name="playbook_template"),
    path("<int:playbook_id>/results/", results.results_page, name="results"),
    path(
        "<int:playbook_id>/results/adoption/<int:role_id>/target/",
        results.adoption_target,
        name="adoption_target",
    ),
    path(
        "<int:playbook_id>/results/adoption/<int:role_id>/<int:week>/",
        results.adoption_figure,
        name="adoption_figure",
    ),
    path("<int:playbook_id>/results/import/", adoption_import.usage_import, name="usage_import"),
    path(
        "<int:playbook_id>/results/import/preview/",
        adoption_import.usage_preview,
        name="usage_preview",
    ),
    path(
        "<int:playbook_id>/results/import/confirm/",
        adoption_import.usage_confirm,
        name="usage_confirm",
    ),
    path("<int:playbook_id>/changes/", changes.changes, name="changes"),
    path(
        "<int:playbook_id>/changes/<str:kind>/<int:history_id>/restore/",
        changes.changes_restore,
        name="changes_restore",
    ),
    path(
        "<int:playbook_id>/changes/<str:kind>/<int:history_id>/revert/<str:field>/",
        changes.changes_revert,
        name="changes_revert",
    ),
    path("<int:playbook_id>/matrix/", matrix.matrix, name="matrix"),
    path("<int:playbook_id>/matrix/add/", matrix.matrix_add, name="matrix_add"),
    path("<int:playbook_id>/matrix/<int:role_id>/edit/", matrix.matrix_edit, name="matrix_edit"),
    path(
        "<int:playbook_id>/matrix/<int:role_id>/delete/", matrix.matrix_delete, name="matrix_delete"
    ),
    path("<int:playbook_id>/matrix/<int:role_id>/move/", matrix.matrix_move, name="matrix_move"),
    path(f"{row}/cells/<str:name>/", matrix.matrix_cell, name="matrix_cell"),
    path(f"{row}/givegets/", matrix.matrix_givegets, name="matrix_givegets"),
    path(f"{row}/givegets/add/", matrix.matrix_giveget_add, name="matrix_giveget_add"),
    path(
        f"{row}/givegets/<int:giveget_id>/cells/<str:name>/",
        matrix.matrix_giveget_cell,
        name="matrix_giveget_cell",
    ),
    path(
        f"{row}/givegets/<int:giveget_id>/delete/",
        matrix.matrix_giveget_delete,
        name="matrix_giveget_delete",
    ),
    path("<int:playbook_id>/roles/new/", role_page.role_create, name="role_create"),
    path(f"{roles}/", role_page.role_detail, name="role_detail"),
    path(f"{roles}/delete/", role_page.role_delete, name="role_delete"),
    path(f"{roles}/factors/", role_page.role_factors, name="role_factors"),
    path(f"{roles}/one-pager.pdf", views.role_one_pager, name="role_one_pager"),
    path(f"{roles}/ambassador-preview/", public.ambassador_preview, name="ambassador_preview"),
    path(f"{roles}/comments/<uuid:answer_id>/hide/", comments.comment_hide, name="comment_hide"),
    path(f"{roles}/comments/<uuid:answer_id>/show/", comments.comment_show, name="comment_show"),
    path(f"{roles}/pulse/issue/", pulse_links.pulse_link_issue, name="pulse_link_issue"),
    path(f"{roles}/pulse/reissue/", pulse_links.pulse_link_reissue, name="pulse_link_reissue"),
    path(f"{roles}/pulse/revoke/", pulse_links.pulse_link_revoke, name="pulse_link_revoke"),
    path(f"{roles}/pulse/qr.svg", pulse_links.pulse_link_qr, name="pulse_link_qr"),
    path(f"{roles}/givegets/new/", role_page.giveget_create, name="giveget_create"),
    path(f"{givegets}/edit/", role_page.giveget_edit, name="giveget_edit"),
    path(f"{givegets}/delete/", role_page.giveget_delete, name="giveget_delete"),
    path(f"{givegets}/move/", role_page.giveget_move, name="giveget_move"),
]

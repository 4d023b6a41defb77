from __future__ import annotations

from django.urls import path

from ambassadors import views

urlpatterns = [
    path("", views.roster, name="roster"),
    path("add/", views.ambassador_add, name="ambassador_add"),
    path("roster.csv", views.roster_export, name="roster_export"),
    path("import/", views.roster_import, name="roster_import"),
    path("<int:ambassador_id>/edit/", views.ambassador_edit, name="ambassador_edit"),
    path("<int:ambassador_id>/delete/", views.ambassador_delete, name="ambassador_delete"),
    path("<int:ambassador_id>/erase/", views.ambassador_erase, name="ambassador_erase"),
    path("<int:ambassador_id>/link/", views.link_issue, name="link_issue"),
    path("<int:ambassador_id>/link/email/", views.link_email, name="link_email"),
    path("<int:ambassador_id>/link/revoke/", views.link_revoke, name="link_revoke"),
]

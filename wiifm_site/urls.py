"""Root URLs. No language prefix: the language comes from the user's choice.

This module sits above every app: it is the only place that knows them all.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from planner import calendar, public
from planner import views as planner_views
from wiifm_site import accounts, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("schema/wiifm-playbook-v1.json", planner_views.schema, name="playbook_schema"),
    path(
        "accounts/password_reset/",
        accounts.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("playbooks/", include("planner.urls")),
    path("playbooks/", include("playbooks.urls")),
    path("playbooks/<int:playbook_id>/roles/", include("roles.urls")),
    path("playbooks/<int:playbook_id>/ambassadors/", include("ambassadors.urls")),
    path("playbooks/<int:playbook_id>/plan/", include("actionplan.urls")),
    path("playbooks/<int:playbook_id>/comms/", include("comms.urls")),
    # The language switcher is on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("a/<str:token>/", public.ambassador_page, name="ambassador_page"),
    path("a/<str:token>/one-pager.pdf", public.ambassador_one_pager, name="ambassador_one_pager"),
    path("a/<path:rest>", public.not_found_page),
    path("p/", include("pulse.urls")),
    path("p/<path:rest>", public.not_found_page),
    path("cal/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
    path("cal/<path:rest>", public.not_found_page),
    path("admin/", admin.site.urls),
]

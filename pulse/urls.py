"""The pulse's public addresses: /p/<token>/."""

from __future__ import annotations

from django.urls import path

from pulse import views

urlpatterns = [
    path("<str:token>/", views.pulse_page, name="pulse_page"),
    path("<str:token>/thanks/", views.pulse_thanks, name="pulse_thanks"),
]

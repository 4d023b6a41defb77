from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlannerConfig(AppConfig):
    """The top layer: pages and files that read every app, and the signals
    that know every model."""

    name = "planner"
    verbose_name = _("Planner")

    def ready(self) -> None:
        # Imported here, not at the top: models may be imported only once the
        # app registry is ready (Django's app loading), not to dodge a cycle.
        from planner import signals

        signals.connect()

from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared helpers; an app for its template tags and the history's source."""

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Imported here, not at the top: simple_history's models module may be
        # imported only once the app registry is ready (Django's app loading).
        from core import history

        history.connect()

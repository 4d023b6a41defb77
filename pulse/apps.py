from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PulseConfig(AppConfig):
    name = "pulse"
    verbose_name = _("Pulse")

    def ready(self) -> None:
        from pulse import signals  # noqa: F401 - connects the receivers

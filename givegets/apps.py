from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GiveGetsConfig(AppConfig):
    name = "givegets"
    verbose_name = _("Give-Gets")

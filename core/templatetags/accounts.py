"""``{{ user|display_name }}``: the name a person goes by (core.accounts)."""

from __future__ import annotations

from django import template

from core import accounts

register = template.Library()

register.filter("display_name", accounts.display_name)

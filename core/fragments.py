"""Page fragments cached per playbook version, without anybody's CSRF token.

The matrix, the role page and the overview are mostly template rendering.
Their bodies are cached in the shared cache, keyed on the playbook's version
stamp (``core.versions``: any change in the playbook gives new keys), the
language, what varies per reader (their level), today's date (countdowns
and default dates depend on it) and the release's templates and
translations (``release()``: a deploy that changes them is not answered with
the fragments the previous release cached, in a cache shared by servers).
A fragment never holds a CSRF token: it is rendered with a placeholder made
for that rendering (random, so no typed text can contain it), which each
request replaces with its own token.

A part that differs per reader beyond their level (what is theirs) is never
in a fragment: the fragment holds a placeholder for it, a slot (random like
the CSRF one), and each request fills it with its own HTML (``Fragment.fill``).

Costs: one cache read for the fragment (the version stamp comes with the
playbook's row, which the page has loaded); on a miss whatever
``context()`` costs, and one cache write. With the cache down (``core.cache``:
reads miss, writes do nothing) every request renders the fragment.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from core import versions

TIMEOUT = 60 * 60


@functools.cache
def release() -> str:
    """A hash of every template and compiled translation of the project,
    read once per process: what a fragment's HTML is made of besides data."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    paths = sorted(
        path
        for pattern in ("*/templates/**/*.html", "templates/**/*.html", "locale/*/LC_MESSAGES/*.mo")
        for path in root.glob(pattern)
        if not path.is_relative_to(root / ".venv")
    )
    for path in paths:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Fragment:
    html: SafeString
    # Small values cached beside the HTML, for the page around it (a title).
    meta: Mapping[str, Any]
    # The context it was rendered from, when it was rendered for this request.
    context: Mapping[str, Any] | None = field(default=None)
    # Each slot's placeholder in ``html``, by name.
    slots: Mapping[str, str] = field(default_factory=dict)

    def fill(self, **parts: str) -> SafeString:
        """The HTML with each slot replaced by this request's part (safe HTML
        rendered for this reader; an empty string hides the slot)."""
        html = str(self.html)
        for name, placeholder in self.slots.items():
            html = html.replace(placeholder, parts.get(name, ""))
        return mark_safe(html)  # noqa: S308 - our own template and our own parts


def cached_fragment(
    request: HttpRequest,
    *,
    name: str,
    playbook: versions.Stamped,
    template: str,
    context: Callable[[], Mapping[str, Any]],
    vary: Iterable[object] = (),
    meta: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
    slots: Iterable[str] = (),
) -> Fragment:
    """The ``template`` rendered from ``context()``, from the cache when it can be.

    ``slots``: names the template places as ``{{ slots.<name> }}``, filled
    per request with ``Fragment.fill``."""
    key = ":".join(
        [
            f"{name}-fragment",
            release(),
            str(playbook.pk),
            versions.version(playbook),
            translation.get_language() or "",
            *(str(part) for part in vary),
            timezone.localdate().isoformat(),
        ]
    )
    cached = cache.get(key)
    rendered_context = None
    if cached is None:
        rendered_context = context()
        placeholder = f"csrf-placeholder-{secrets.token_hex(16)}"
        holes = {name: f"slot-{name}-{secrets.token_hex(16)}" for name in slots}
        html = render_to_string(
            template,
            {**rendered_context, "csrf_token": placeholder, "slots": holes},
        )
        cached = (placeholder, html, dict(meta(rendered_context)) if meta else {}, holes)
        cache.set(key, cached, TIMEOUT)
    placeholder, html, values, holes = cached
    return Fragment(
        html=mark_safe(html.replace(placeholder, get_token(request))),  # noqa: S308 - our own template
        meta=values,
        context=rendered_context,
        slots=holes,
    )

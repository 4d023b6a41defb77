"""The request type of views that answer htmx.

django-htmx's middleware sets ``request.htmx`` on every request but, being a
middleware, cannot tell the type checker; its documentation suggests this
subclass for the annotations. It is never instantiated.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails

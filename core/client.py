"""The client's address, as the login lock-out and the pulse's limit see it.

Behind a proxy (``WIIFM_BEHIND_PROXY=1``) every request comes from the
proxy's address: the client's is the one the trusted proxies appended to
``X-Forwarded-For``. With ``WIIFM_TRUSTED_PROXIES`` proxies in front (default
1), it is that many entries from the right: anything to its left was written
by the client and can be forged. Without a proxy, the header is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent the request, never one it could forge."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not settings.WIIFM_BEHIND_PROXY:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    trusted = max(1, settings.WIIFM_TRUSTED_PROXIES)
    if len(forwarded) < trusted:
        return remote  # not through all the proxies: take the nearest sender
    candidate = forwarded[-trusted]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def axes_client_address(request: HttpRequest) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: lock-outs per real client, not per proxy."""
    return client_address(request)

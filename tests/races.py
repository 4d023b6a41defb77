"""Requests at the same moment, for the tests of two people at once (on
PostgreSQL: SQLite's in-memory test database cannot run writers in threads)."""

from __future__ import annotations

import threading

from django.db import connection
from django.test import Client

Post = tuple[Client, str, dict[str, str]]


def race(posts: list[Post], *, timeout: float = 120) -> list[int]:
    """POST each ``(client, url, data)`` from a thread of its own, all let go
    at once; their statuses (500 for a view that raised), in finishing order."""
    start = threading.Barrier(len(posts))
    statuses: list[int] = []

    def post(client: Client, url: str, data: dict[str, str]) -> None:
        try:
            start.wait()
            statuses.append(client.post(url, data).status_code)
        except Exception:  # the test client raises the view's exception: a 500
            statuses.append(500)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=item) for item in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return statuses

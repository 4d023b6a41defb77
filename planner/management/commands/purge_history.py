"""Remove the history of playbooks deleted more than 30 days ago, and the
roles deleted more than 30 days ago (with everything under them).

Each deletion schedules its own purge with the task worker; this command
catches any the worker missed (run it daily from cron, or by hand)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from planner.changelog import purge_deleted_playbooks, purge_deleted_roles


class Command(BaseCommand):
    help = (
        "Remove the history of playbooks deleted more than 30 days ago, and the roles "
        "deleted more than 30 days ago."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        purged = purge_deleted_playbooks()
        self.stdout.write(
            f"History removed for {len(purged)} deleted playbook(s)"
            + (f": {', '.join(map(str, purged))}." if purged else ".")
        )
        roles = purge_deleted_roles()
        self.stdout.write(
            f"Removed for good {len(roles)} role(s) deleted over 30 days ago"
            + (f": {', '.join(map(str, roles))}." if roles else ".")
        )

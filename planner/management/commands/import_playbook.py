from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from planner.playbook_file import PlaybookFileError, import_playbook, loads


class Command(BaseCommand):
    help = "Create a new playbook from a playbook file and print its id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the playbook file (JSON); - for standard input")
        parser.add_argument("--owner", required=True, help="username of the new playbook's owner")

    def handle(self, *args: Any, file: str, owner: str, **options: Any) -> None:
        try:
            user = get_user_model().objects.get(username=owner)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user with username {owner!r}.") from error
        try:
            data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        try:
            playbook = import_playbook(loads(data), owner=user, imported_at=timezone.now())
        except PlaybookFileError as error:
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(f"  {line}" for line in error.errors)
            ) from error
        self.stdout.write(str(playbook.pk))

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from planner.playbook_file import dumps, export_playbook
from playbooks.models import Playbook


class Command(BaseCommand):
    help = "Write a playbook as a playbook file (JSON) to standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("playbook_id", type=int)

    def handle(self, *args: Any, playbook_id: int, **options: Any) -> None:
        try:
            playbook = Playbook.objects.get(pk=playbook_id)
        except Playbook.DoesNotExist as error:
            raise CommandError(f"No playbook with id {playbook_id}.") from error
        # Straight to the byte stream: the file is UTF-8 whatever the locale.
        sys.stdout.flush()
        self.stdout.flush()
        out = getattr(self.stdout, "_out", sys.stdout)
        buffer = getattr(out, "buffer", None)
        text = dumps(export_playbook(playbook))
        if buffer is not None:
            buffer.write(text.encode())
            buffer.flush()
        else:
            out.write(text)

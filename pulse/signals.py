"""Keep the pulse's rules when a playbook changes.

- A change of k applies to weeks not closed yet: the closed weeks keep the k
  they were judged with (``KeptThreshold``).
- A move of go-live after the first answer changes nothing for the pulse:
  its weeks count from ``Playbook.pulse_weeks_from``, which the first answer
  fixed and a save of a playbook read before it must not undo.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_save
from django.dispatch import receiver

from playbooks.models import Playbook
from pulse import weeks
from pulse.models import KeptThreshold


@receiver(pre_save, sender=Playbook, dispatch_uid="pulse.keep_threshold")
def keep_threshold(
    sender: Any, instance: Playbook, update_fields: Any = None, **kwargs: Any
) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
    if update_fields is not None and not {"pulse_k", "pulse_weeks_from"} & set(update_fields):
        return
    before = (
        Playbook.objects.filter(pk=instance.pk)
        .values("pulse_k", "go_live", "pulse_weeks_from")
        .first()
    )
    if before is None:
        return
    if instance.pulse_weeks_from is None and before["pulse_weeks_from"] is not None:
        # A playbook read before the first answer, saved after it: keep the anchor.
        instance.pulse_weeks_from = before["pulse_weeks_from"]
    if before["pulse_k"] != instance.pulse_k:
        start = before["pulse_weeks_from"] or before["go_live"]
        closed = weeks.last_closed_week(start, weeks.today())
        have = set(
            KeptThreshold.objects.filter(playbook_id=instance.pk).values_list("week", flat=True)
        )
        KeptThreshold.objects.bulk_create(
            [
                KeptThreshold(playbook_id=instance.pk, week=week, k=before["pulse_k"])
                for week in range(1, closed + 1)
                if week not in have
            ],
            ignore_conflicts=True,
        )

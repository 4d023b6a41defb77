"""Keep the pulse's rules when a playbook changes.

- A change of k applies to weeks not closed yet: the closed weeks keep the k
  they were judged with (``KeptThreshold``).
- A change of go-live changes which week is closed: the summaries are made
  again from the answers (each keeps the week number it was given).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_save
from django.dispatch import receiver

from playbooks.models import Playbook
from pulse import weeks
from pulse.models import KeptThreshold, PulseState, WeekSummary


@receiver(pre_save, sender=Playbook, dispatch_uid="pulse.keep_threshold")
def keep_threshold(
    sender: Any, instance: Playbook, update_fields: Any = None, **kwargs: Any
) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
    if update_fields is not None and not {"pulse_k", "go_live"} & set(update_fields):
        return
    before = Playbook.objects.filter(pk=instance.pk).values("pulse_k", "go_live").first()
    if before is None:
        return
    if before["go_live"] != instance.go_live:
        WeekSummary.objects.filter(role__playbook_id=instance.pk).delete()
        PulseState.objects.filter(playbook_id=instance.pk).delete()
    if before["pulse_k"] != instance.pulse_k:
        closed = weeks.last_closed_week(before["go_live"], weeks.today())
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

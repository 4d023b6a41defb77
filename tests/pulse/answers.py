"""Pulse answers for the tests of the PDF, the one-pager and the comments:
a go-live some weeks back from the real today, and answers given in a week."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils import timezone

from pulse.models import PulseAnswer
from roles.models import Role


def go_live_with_closed_weeks(closed: int) -> datetime.date:
    """A go-live from which ``closed`` weeks are over today; today is the
    fourth day of week ``closed + 1``, which is open."""
    return timezone.localdate() - datetime.timedelta(days=7 * closed + 3)


def answer(
    role: Role,
    week: int,
    n: int,
    *,
    cost: int = 30,
    saved: int = 60,
    got_back: int | Sequence[int] = 4,
    comments: Sequence[str] = (),
) -> list[PulseAnswer]:
    """``n`` answers in ``week``; the first ``len(comments)`` carry a comment
    each. ``got_back`` is one score for all, or one per answer."""
    scores = [got_back] * n if isinstance(got_back, int) else list(got_back)
    assert len(scores) == n and len(comments) <= n
    return PulseAnswer.objects.bulk_create(
        PulseAnswer(
            role=role,
            week=week,
            cost_minutes=cost,
            saved_minutes=saved,
            got_back=scores[i],
            comment=comments[i] if i < len(comments) else "",
        )
        for i in range(n)
    )

"""How well each role is covered by ambassadors: plain rules, no Django."""

from __future__ import annotations

import datetime
import math

PEOPLE_PER_AMBASSADOR = 30
TRAINING_LEAD_DAYS = 14


def needed(headcount: int) -> int:
    """One ambassador per 30 people, rounded up: 30 people need 1, 31 need 2."""
    return math.ceil(headcount / PEOPLE_PER_AMBASSADOR) if headcount > 0 else 0


def training_due(go_live: datetime.date | None, today: datetime.date) -> bool:
    """From 14 days before go-live on, every ambassador should be trained."""
    return go_live is not None and today >= go_live - datetime.timedelta(days=TRAINING_LEAD_DAYS)

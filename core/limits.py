"""Text limits (README "Text limits"): the one source of how long each kind of
text may be, read by the models, the forms, the playbook file's schema (a test
keeps its maxLength values these), the roster file and the README; and the
years a date may have (``DateRange``).

Chosen for the content, not the database: a name fits a column of the
matrix, a line fits one line of the one-pager, a text is a few paragraphs.
The columns of texts are PostgreSQL ``text`` (no length in the database): a
lower limit never cuts a stored text; a form bound to one asks to shorten it.

A line end counts as one character wherever a length is counted (a browser
posts a textarea's line ends as two, CR LF, and counts them as one).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import formats
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext

SHORT_NAME = 100  # a role's name, an owner (a person or a team), the CRM's name
NAME = 200  # a playbook's, an organisation's or a person's name, a department, a title, a sender
LINE = 300  # one sentence: a role's question, its quick win, a give, a get, a task
TEXT = 2_000  # a few paragraphs: a WIIFM answer, concerns, the pledge, what data is
# (not) used for, a step's description, notes on an ambassador
MESSAGE = 5_000  # a message of the communications plan, sent as it is written
COMMENT = 500  # a pulse answer's comment, typed on a phone
EMAIL = 254  # an e-mail address (RFC 5321's longest path)


def length(text: str) -> int:
    """The length of a text as its limit counts it: a line end is one character."""
    return len(text.replace("\r\n", "\n"))


def too_long_message(count: int, limit: int) -> str:
    """Beside a field over its limit, numbers as the active language writes them."""
    return gettext(
        "This text is %(count)s characters; the limit is %(limit)s. Please shorten it."
    ) % {
        "count": formats.number_format(count, force_grouping=True),
        "limit": formats.number_format(limit, force_grouping=True),
    }


@deconstructible(path="core.limits.TextLimit")
class TextLimit(MaxLengthValidator):
    """A text's limit (``length``), refused with ``too_long_message``."""

    def __init__(self, limit_value: int) -> None:
        super().__init__(limit_value)

    def clean(self, x: Any) -> int:
        return length(x)

    def __call__(self, value: Any) -> None:
        count = self.clean(value)
        if count > self.limit_value:
            # No params: the message is formatted already.
            raise ValidationError(too_long_message(count, self.limit_value), code=self.code)


# A date's years: far enough from any rollout, and far enough from the
# calendar's ends (year 1, year 9999) that the dates computed from one
# (a step's default 60 days before go-live, a calendar event's day after)
# are dates too.
FIRST_YEAR = 1900
LAST_YEAR = 2999


@deconstructible(path="core.limits.DateRange")
class DateRange:
    """A date's limit: its year from ``FIRST_YEAR`` to ``LAST_YEAR``."""

    code = "date_range"

    def __call__(self, value: Any) -> None:
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValidationError(
                gettext("Enter a date between the years %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
                code=self.code,
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateRange)

    def __hash__(self) -> int:
        return hash(DateRange)

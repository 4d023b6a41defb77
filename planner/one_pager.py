"""What a role's one-pager shows, fitted to its one A4 page.

The one-pager is what an ambassador pins on the wall for the role's people:
only what is decided (a Give-Get without a get, a blank half of the data
charter, a quick win not chosen yet are left out), each text within a
budget, and as many Give-Gets and ambassadors as the page holds; whatever is
cut says so on the page ("the full texts are in the playbook").

The page (``static/pdf/one_pager.css``) has three parts of fixed height: the
band with the role's name at the top, the people (ambassadors, the pulse's
code) and a footer at the bottom, and the middle between them. Every text
gets a number of lines, here, which the stylesheet enforces (``line-clamp``)
and which its characters are cut to first, so nothing grows past its budget
whatever is typed: 20,000 characters, an unbroken 2,000-character word, a
column of line breaks. Line counts are estimated from the texts, on the tall
side (a letter 0.51 em wide; Source Sans 3 averages about 0.47 em in English
and Danish text). When the middle cannot hold every text at its natural
length, the longest give lines first (down to a least number each) so that
at least four Give-Gets show; the Give-Gets then get the room that is left,
and what is still left over is spread between the regions. Whatever an
estimate still gets wrong is clipped, never a second page. The constants
below are the stylesheet's: change them together.

No flexbox: WeasyPrint lays a flex container's children out several times
over, and a page of nested ones took seconds instead of a tenth of one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from ambassadors.models import Ambassador
from givegets.models import GiveGet
from playbooks.models import Playbook
from roles.equation import Balance, Verdict
from roles.models import Role

ELLIPSIS = "…"
MM_PER_PT = 25.4 / 72
CHAR_WIDTH = 0.51  # em: an average letter of Source Sans 3, on the wide side
EQUATION_CHAR = 0.45  # the equation's own words and digits: 0.39 em in Danish

# The page, in millimetres (one_pager.css)
PAGE_HEIGHT = 296.9  # A4 less a rounding error that would start a second page
TEXT_WIDTH = 210.0 - 2 * 14  # the side margins
BAND = 9 + 9 * 1.3 * 25.4 / 72 + 1.5 + 6  # the dark band's padding and kicker, its name aside
FOOTER = 7 + 4.2 + 3  # above the page's edge: a line and the space above it
GAP = 5.0  # between regions, at least
MAX_GAP = 12.0  # what is left over, spread between them, up to this
CARD = 2 * 3.0 + 2 * 0.2  # a card's padding and border
CELL = 2 * 1.5 + 0.2  # a table cell's padding and border

# Type sizes (pt) and line heights (of the size)
BODY, BODY_LINE = 10.5, 1.3
SMALL, SMALL_LINE = 9.0, 1.3
NAME, NAME_LINE = 24.0, 1.1  # on one line, or in LONG_NAME on two
LONG_NAME = 17.0
QUESTION, QUESTION_LINE = 15.0, 1.25
ANSWER, ANSWER_LINE = 12.0, 1.35
VERDICT, VERDICT_LINE = 14.0, 1.2

# Lines: (least, most) for the texts that give way, most for the others
QUESTION_LINES = (2, 3)
ANSWER_LINES = (2, 5)
WEEK1_LINES = (1, 3)  # the quick win; the next message's title takes at most 2
MESSAGE_LINES = 2
CHARTER_LINES = (2, 5)
GIVEGET_LINES = 3
LEAST_ROWS = 4
SINCE_LINES = 2
NAME_CHARS = 100  # the longest a role's name is
PERSON_CHARS, DEPARTMENT_CHARS = 40, 30  # a person on one line: name · department
PEOPLE_LINES = 4  # in one column beside the pulse's code, in two without it
PULSE = 28.0  # the pulse's code (24 mm) and the words beside it, in lines

# Column widths (mm): the Give-Gets' table and the two-column rows
GIVE_WIDTH = TEXT_WIDTH * 0.33 - CELL
GET_WIDTH = TEXT_WIDTH * 0.39 - CELL
HALF_WIDTH = (TEXT_WIDTH - 6) / 2 - CARD
WIDE_WIDTH = TEXT_WIDTH - CARD
EQUATION_WIDTH = TEXT_WIDTH - 2 * 4 - 1 - 32  # the balance's padding and border, its terms


def line_height(size: float, leading: float) -> float:
    return size * leading * MM_PER_PT


def per_line(width: float, size: float, *, em: float = CHAR_WIDTH) -> int:
    """The characters a line of ``width`` mm holds at ``size`` pt, on the short side."""
    return max(1, int(width / (size * em * MM_PER_PT)))


def lines(text: str, width: float, size: float, most: int, *, em: float = CHAR_WIDTH) -> int:
    """How many lines ``text`` takes at ``size`` pt in ``width`` mm, at most
    ``most`` (the stylesheet's line-clamp), its letters ``em`` wide; a blank
    text none."""
    if not text:
        return 0
    chars = per_line(width, size, em=em)
    count = sum(max(1, math.ceil(len(part) / chars)) for part in text.split("\n"))
    return min(most, count)


@dataclass(frozen=True)
class Text:
    """A text within its budget; ``cut`` when something was left out."""

    text: str
    cut: bool = False

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def tidy(text: str, *, multiline: bool = False) -> str:
    """Stripped; runs of blank lines one blank line, or without ``multiline`` all one line."""
    if not multiline:
        return " ".join(text.split())
    text = "\n".join(line.strip() for line in text.strip().splitlines())
    return re.sub(r"\n{3,}", "\n\n", text)


def clamp(text: str, limit: int, *, line: int = 0) -> Text:
    """``text`` in at most ``limit`` characters, a line break counting
    ``line`` (it ends its line early): cut at the last space of its final
    stretch when there is one, else mid-word, and ended with "…"."""
    if len(text) + line * text.count("\n") <= limit:
        return Text(text)
    spent, end = 0, len(text)
    for index, char in enumerate(text):
        spent += 1 + line if char == "\n" else 1
        if spent > limit - 1:  # room for the ellipsis
            end = index
            break
    head = text[:end]
    space = max(head.rfind(" "), head.rfind("\n"))
    if space > len(head) - 25:
        head = head[:space]
    return Text(head.rstrip(" \n,;:.–-") + ELLIPSIS, cut=True)


def fit(text: str, count: int, width: float, size: float) -> Text:
    """``text`` cut to ``count`` lines of ``width`` mm at ``size`` pt, by its characters."""
    chars = per_line(width, size)
    return clamp(text, count * chars, line=chars)


@dataclass(frozen=True)
class Row:
    """A Give-Get with its get, as the table shows it."""

    give: Text
    get: Text
    minutes_each: int
    times_per_week: Decimal
    given: Decimal
    saved: int
    delivered: bool
    height: float  # mm


@dataclass(frozen=True)
class Rest:
    """Give-Gets not in the table, with their minutes (the totals count them)."""

    count: int = 0
    given: Decimal = Decimal(0)
    saved: int = 0


@dataclass(frozen=True)
class Person:
    name: Text
    department: Text


@dataclass(frozen=True)
class Lines:
    """The line-clamp of each text that gives way, for the stylesheet."""

    question: int
    answer: int
    quick_win: int
    message: int
    charter: int
    giveget: int


@dataclass(frozen=True)
class Sheet:
    """Everything the one-pager shows, fitted, and the heights (mm) it gets."""

    name: Text
    long_name: bool  # on two lines, in smaller type
    question: Text
    answer: Text
    rows: list[Row]
    undecided: Rest  # gives without a get: left out, their minutes counted
    more: Rest  # Give-Gets with a get the page has no room for
    assessed: bool
    quick_win: Text
    message_title: Text
    used_for: Text
    not_used_for: Text
    ambassadors: list[Person]
    more_ambassadors: int
    lines: Lines
    band: float  # the heights: the band's,
    middle: float  # the middle's, between the band and the bottom,
    bottom: float  # and the people's and the footer's
    gap: float  # between the middle's regions

    @property
    def has_givegets(self) -> bool:
        return bool(self.rows or self.more.count or self.undecided.count)

    @property
    def cut(self) -> bool:
        """Something is shortened or left out for room: the page says where the rest is."""
        texts = [self.name, self.question, self.answer, self.quick_win, self.message_title]
        texts += [self.used_for, self.not_used_for]
        texts += [t for row in self.rows for t in (row.give, row.get)]
        texts += [t for p in self.ambassadors for t in (p.name, p.department)]
        return bool(self.more.count or self.more_ambassadors or any(t.cut for t in texts))


def _row(giveget: GiveGet, most: int) -> Row:
    """A Give-Get in the table, its texts in at most ``most`` lines."""
    body = line_height(BODY, BODY_LINE)
    give = fit(tidy(giveget.give), most, GIVE_WIDTH, BODY)
    get = fit(tidy(giveget.get), most, GET_WIDTH, BODY)
    delivered = giveget.status == GiveGet.Status.DELIVERED
    marked = get.text + (" · delivered" if delivered else "")
    return Row(
        give=give,
        get=get,
        minutes_each=giveget.minutes_each,
        times_per_week=giveget.times_per_week,
        given=giveget.given_per_week,
        saved=giveget.minutes_saved_per_week,
        delivered=delivered,
        height=CELL
        + body
        * max(
            lines(give.text, GIVE_WIDTH, BODY, most),
            lines(marked, GET_WIDTH, BODY, most),
        ),
    )


def _rest(givegets: list[GiveGet]) -> Rest:
    return Rest(
        count=len(givegets),
        given=sum((g.given_per_week for g in givegets), Decimal(0)),
        saved=sum(g.minutes_saved_per_week for g in givegets),
    )


def _person(ambassador: Ambassador) -> Person:
    return Person(
        name=clamp(tidy(ambassador.name), PERSON_CHARS),
        department=clamp(tidy(ambassador.department), DEPARTMENT_CHARS),
    )


def _equation_lines(role: Role) -> int:
    """The equation's lines: the time balance's, the perceived factors' (two
    when their names are long in the language of the moment), the whole
    role's when it has people."""
    perceived = (
        f"({_('unique data')} 5 + {_('speed')} 5 + {_('recognition')} 5)"
        f" − ({_('friction')} 5 + {_('rigidity')} 5) = +15"
    )
    return 1 + lines(perceived, EQUATION_WIDTH, BODY, 2, em=EQUATION_CHAR) + bool(role.headcount)


def _rows(rows: list[Row], room: float) -> list[Row]:
    """The first ``rows`` that fit in ``room`` mm with, when some are left
    out, a line that says so."""
    line = line_height(BODY, BODY_LINE) + CELL
    fitted: list[Row] = []
    for index, row in enumerate(rows):
        last = index == len(rows) - 1
        if row.height + (0 if last else line) > room:
            break
        fitted.append(row)
        room -= row.height
    return fitted


def sheet(
    playbook: Playbook,
    role: Role,
    balance: Balance,
    *,
    since: bool = False,
    message_title: str | None = None,
    pulse: bool = False,
) -> Sheet:
    """The one-pager of ``role``: its texts fitted, and as many of its
    Give-Gets (in their order) and ambassadors (most influential first) as
    the page holds; ``since`` when it prints the pulse's line,
    ``message_title`` when it has a next message (its title, perhaps blank),
    ``pulse`` when it prints the code. In the playbook's language (the equation's words
    take room). Reads ``role.givegets`` and ``role.ambassadors`` as
    prefetched: no queries of its own."""
    body = line_height(BODY, BODY_LINE)
    label = line_height(SMALL, SMALL_LINE) + 1  # a label and the space under it
    question_line = line_height(QUESTION, QUESTION_LINE)
    answer_line = line_height(ANSWER, ANSWER_LINE)

    name = clamp(tidy(role.name), NAME_CHARS)
    question = tidy(role.question, multiline=True)
    answer = tidy(role.wiifm, multiline=True)
    quick_win = tidy(role.quick_win)
    message = message_title is not None  # its card shows its date and channel, titled or not
    title = tidy(message_title or "")
    used_for = tidy(playbook.data_used_for, multiline=True)
    not_used_for = tidy(playbook.data_not_used_for, multiline=True)
    week1_width = HALF_WIDTH if quick_win and message else WIDE_WIDTH
    charter_width = HALF_WIDTH if used_for and not_used_for else WIDE_WIDTH

    # The bottom: the people (a label over their lines, or the code) and the footer.
    people = list(role.ambassadors.all())
    shown = [_person(a) for a in people[: PEOPLE_LINES * (1 if pulse else 2)]]
    bottom = FOOTER
    if people or pulse:
        people_lines = len(shown) if pulse else math.ceil(len(shown) / 2)
        people_lines += 1 if len(people) > len(shown) else 0
        bottom += label + max(body * people_lines, PULSE if pulse else 0)
    long_name = lines(name.text, TEXT_WIDTH, NAME, 2) > 1
    if long_name:
        band = BAND + line_height(LONG_NAME, NAME_LINE) * lines(name.text, TEXT_WIDTH, LONG_NAME, 2)
    else:
        band = BAND + line_height(NAME, NAME_LINE)
    middle = PAGE_HEIGHT - band - bottom - GAP

    # The texts that give way, at their natural length (within their most).
    want = {
        "question": lines(question, TEXT_WIDTH, QUESTION, QUESTION_LINES[1]),
        "answer": lines(answer, TEXT_WIDTH, ANSWER, ANSWER_LINES[1]),
        "week1": max(
            lines(quick_win, week1_width, BODY, WEEK1_LINES[1]),
            lines(title, week1_width, BODY, MESSAGE_LINES),
        ),
        "charter": max(
            lines(used_for, charter_width, BODY, CHARTER_LINES[1]),
            lines(not_used_for, charter_width, BODY, CHARTER_LINES[1]),
        ),
    }
    least = {
        "question": min(want["question"], QUESTION_LINES[0]),
        "answer": min(want["answer"], ANSWER_LINES[0]),
        "week1": min(want["week1"], WEEK1_LINES[0]),
        "charter": min(want["charter"], CHARTER_LINES[0]),
    }
    line_mm = {"question": question_line, "answer": answer_line, "week1": body, "charter": body}

    # What does not give way: labels, cards, the balance, the Give-Gets'
    # table with its first rows. Each region has a gap above it.
    fixed: dict[str, float] = {}
    if question or answer:
        fixed["ask"] = GAP + (label if question else 0) + (label if answer else 0)
        fixed["ask"] += 3 if question and answer else 0
    assessed = balance.verdict != Verdict.NOT_ASSESSED
    if assessed:
        # The verdict over the equation, the pulse's line under them.
        fixed["balance"] = GAP + CARD + line_height(VERDICT, VERDICT_LINE) + 1
        fixed["balance"] += body * _equation_lines(role) + (1 + body * SINCE_LINES if since else 0)
    if quick_win or message:
        fixed["week1"] = GAP + CARD + label + body  # the date's line
    if used_for or not_used_for:
        fixed["charter"] = GAP + label + CARD + body  # the halves' titles
    givegets = list(role.givegets.all())
    decided = [_row(g, GIVEGET_LINES) for g in givegets if g.get.strip()]
    undecided = [g for g in givegets if not g.get.strip()]
    if givegets:
        fixed["givegets"] = GAP + label + 2 * (body + CELL)  # the head and the total
        fixed["givegets"] += (body + CELL) * bool(undecided)
    if not (question or answer or givegets or quick_win):
        fixed["pending"] = GAP + 2 * answer_line
    first_rows = sum(row.height for row in decided[:LEAST_ROWS])
    if len(decided) > LEAST_ROWS:
        first_rows += body + CELL  # the line for those left out

    def height() -> float:
        return sum(fixed.values()) + sum(want[k] * line_mm[k] for k in want) + first_rows

    while height() > middle:
        key = max(want, key=lambda k: want[k] - least[k])  # the first on a tie
        if want[key] == least[key]:
            break  # the Give-Gets give way too, below
        want[key] -= 1

    # The Give-Gets: as many rows as the room holds, keeping a line for those
    # left out; when that is fewer than the least, in fewer lines each.
    room = middle - height() + first_rows
    rows, giveget_lines = _rows(decided, room), GIVEGET_LINES
    with_get = [g for g in givegets if g.get.strip()]
    while len(rows) < min(LEAST_ROWS, len(decided)) and giveget_lines > 1:
        giveget_lines -= 1
        rows = _rows([_row(g, giveget_lines) for g in with_get], room)
    left_out = (body + CELL) * (len(rows) < len(decided))  # a line says how many
    room -= sum(row.height for row in rows) + left_out
    gap = GAP + min(MAX_GAP - GAP, max(0.0, room) / max(1, len(fixed)))  # one above each
    return Sheet(
        name=name,
        long_name=long_name,
        question=fit(question, want["question"], TEXT_WIDTH, QUESTION),
        answer=fit(answer, want["answer"], TEXT_WIDTH, ANSWER),
        rows=rows,
        undecided=_rest(undecided),
        more=_rest(with_get[len(rows) :]),
        assessed=assessed,
        quick_win=fit(quick_win, want["week1"], week1_width, BODY),
        message_title=fit(title, min(want["week1"], MESSAGE_LINES), week1_width, BODY),
        used_for=fit(used_for, want["charter"], charter_width, BODY),
        not_used_for=fit(not_used_for, want["charter"], charter_width, BODY),
        ambassadors=shown,
        more_ambassadors=len(people) - len(shown),
        lines=Lines(
            question=want["question"],
            answer=want["answer"],
            quick_win=want["week1"],
            message=min(want["week1"], MESSAGE_LINES),
            charter=want["charter"],
            giveget=giveget_lines,
        ),
        band=band,
        middle=round(middle, 1),
        bottom=round(bottom, 1),
        gap=round(gap, 1),
    )

"""The PDFs' "Since go-live": each role's plan beside what its people
measured in the weekly pulse (DESIGN.md "Measured Net Beneficiary"), and its
adoption rate against its target (DESIGN.md "Adoption figures").

Read through ``pulse.results.results_for`` and ``pulse.adoption.adoption_for``
only, so a week is here exactly when it is shown anywhere else: closed, with
at least k answers (the pulse) or a figure (adoption), in a role of at least
2k people. The trend is a small SVG drawn here, on the server: the
measured balance of each shown week, a gap for each week not shown, and the
plan as a dashed line.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from playbooks.models import Playbook
from pulse.adoption import AdoptionWeek, RoleAdoption, adoption_for
from pulse.charts import sparkline
from pulse.measure import Measured
from pulse.results import RoleResults, results_for
from pulse.weeks import last_closed_week, week_dates
from roles import equation
from roles.models import Role
from roles.templatetags.wiifm import BAR_COLOURS

# The trend's drawing, in its own units (the PDF scales it to its column).
WIDTH, HEIGHT = 120, 34
MEASURED_COLOUR = "#123c4a"
PLAN_COLOUR = "#8aa4ad"


@dataclass(frozen=True)
class RoleSince:
    """One role since go-live: its plan, its last shown week, its trend."""

    role: Role
    results: RoleResults
    adoption: RoleAdoption

    @property
    def used(self) -> AdoptionWeek | None:
        """The last closed week with an adoption figure."""
        return self.adoption.last

    @property
    def p2(self) -> bool:
        """Finding P2: below target in each of its last three weeks with figures, from week 4."""
        return self.adoption.needs_attention

    @property
    def planned(self) -> Decimal:
        return self.results.planned

    @property
    def last(self) -> Measured | None:
        return self.results.last

    @property
    def answers_k(self) -> int:
        """The k a week needed (closed weeks keep the k they were judged with)."""
        return max((w.k for w in self.results.weeks), default=self.results.k)

    @property
    def trend(self) -> SafeString:
        return trend_svg(self.results, self.role.name)


@dataclass(frozen=True)
class SinceGoLive:
    """The section: the roles with a shown pulse week, the others with why
    not, and every role's adoption."""

    last_week: int  # the last closed week
    last_day: datetime.date  # its last day
    k: int
    shown: tuple[RoleSince, ...]
    not_shown: tuple[RoleSince, ...]
    roles: tuple[RoleSince, ...] = ()  # every role, in the PDF's order

    @property
    def with_figures(self) -> bool:
        return any(r.used is not None for r in self.roles)


def role_since(
    playbook: Playbook, role: Role, planned: Decimal, day: datetime.date
) -> RoleSince | None:
    """One role's results (for its one-pager), or None before a week has closed."""
    if last_closed_week(playbook.pulse_go_live, day) == 0:
        return None
    results = results_for(playbook, [role], {role.pk: planned}, day)[role.pk]
    adoption = adoption_for(playbook, [role], day)[role.pk]
    return RoleSince(role=role, results=results, adoption=adoption)


def since_go_live(
    playbook: Playbook, rows: Sequence[tuple[Role, Decimal]], day: datetime.date
) -> SinceGoLive | None:
    """The section for the whole playbook, or None when no week of any role
    is shown, neither a pulse week nor a week with adoption figures (then the
    PDF has no such section). ``rows`` are the roles in the PDF's order with
    their planned time balance."""
    last = last_closed_week(playbook.pulse_go_live, day)
    if last == 0 or playbook.pulse_go_live is None:
        return None
    planned = {role.pk: balance for role, balance in rows}
    roles_only = [role for role, _b in rows]
    results = results_for(playbook, roles_only, planned, day)
    adoption = adoption_for(playbook, roles_only, day)
    roles = [RoleSince(role=r, results=results[r.pk], adoption=adoption[r.pk]) for r in roles_only]
    shown = tuple(r for r in roles if r.last is not None)
    if not shown and not any(r.used is not None for r in roles):
        return None
    return SinceGoLive(
        last_week=last,
        last_day=week_dates(playbook.pulse_go_live, last)[1],
        k=playbook.pulse_k,
        shown=shown,
        not_shown=tuple(r for r in roles if r.last is None),
        roles=tuple(roles),
    )


def _minutes(value: Decimal) -> str:
    return equation.format_minutes(value, decimal_separator=formats.get_format("DECIMAL_SEPARATOR"))


def trend_svg(results: RoleResults, name: str) -> SafeString:
    """The measured balance of each closed week as a line with a dot per
    shown week (coloured by its verdict), broken where a week is not shown;
    the plan dashed; zero as a thin rule (``pulse.charts``' geometry, as the
    screen's sparkline). Numbers in the SVG are plain ("12.5", never "12,5");
    the words, escaped, in the active language."""
    weeks = results.weeks
    line = sparkline(results, WIDTH, HEIGHT, with_zero=True)
    zero_y = line.zero_y
    assert zero_y is not None  # asked for with_zero

    unit = _("min")
    described = "; ".join(
        _("week %(week)s: %(value)s %(unit)s")
        % {"week": w.week, "value": _minutes(w.measured.balance), "unit": unit}
        if w.measured is not None
        else _("week %(week)s: not shown") % {"week": w.week}
        for w in weeks
    )
    title = _("Measured balance of %(role)s by week, planned %(planned)s %(unit)s") % {
        "role": name,
        "planned": _minutes(results.planned),
        "unit": unit,
    }
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" class="trend">',
        f"<title>{escape(title)}</title><desc>{escape(described)}</desc>",
        f'<line x1="0" x2="{WIDTH}" y1="{zero_y:.2f}" y2="{zero_y:.2f}" '
        f'stroke="#dbe3e6" stroke-width="0.6"/>',
        f'<line x1="0" x2="{WIDTH}" y1="{line.planned_y:.2f}" y2="{line.planned_y:.2f}" '
        f'stroke="{PLAN_COLOUR}" stroke-width="0.8" stroke-dasharray="2 1.5"/>',
    ]
    for segment in line.segments:
        if len(segment) > 1:
            points = " ".join(f"{p.x:.2f},{p.y:.2f}" for p in segment)
            parts.append(
                f'<polyline points="{points}" fill="none" '
                f'stroke="{MEASURED_COLOUR}" stroke-width="1.2"/>'
            )
    for segment in line.segments:
        for p in segment:
            colour = BAR_COLOURS[p.verdict]
            parts.append(f'<circle cx="{p.x:.2f}" cy="{p.y:.2f}" r="1.8" fill="{colour}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every word above is escaped

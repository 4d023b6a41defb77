"""Four example roles (sales, service, marketing, management), to start from.

Written in English and translated with gettext; a playbook gets them in its
own language, whatever the language of the person creating it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from givegets.models import GiveGet
from playbooks.models import Playbook
from roles.models import Role


def example_roles() -> list[dict[str, Any]]:
    """The example roles in the active language."""
    return [
        {
            "name": _("Sales"),
            "headcount": 40,
            "question": _("Does it help me close deals faster and hit my commission?"),
            "wiifm": _(
                "Lead scoring puts the customers most likely to buy at the top of your list, "
                "and the weekly pipeline report builds itself: more time selling, less time "
                "reporting."
            ),
            "concerns": _("Management will watch my every call and count my activities."),
            "quick_win": _("Meeting notes dictated on the phone straight into the CRM"),
            "factors": {
                "unique_data": 4,
                "speed": 3,
                "recognition": 2,
                "friction": 2,
                "rigidity": 1,
            },
            "givegets": [
                {
                    "give": _("Log each customer meeting"),
                    "minutes_each": 5,
                    "times_per_week": Decimal(8),
                    "get": _("An automatic weekly pipeline report instead of a spreadsheet"),
                    "get_kind": GiveGet.Kind.TIME_SAVED,
                    "minutes_saved_per_week": 60,
                    "owner": _("Sales operations"),
                },
                {
                    "give": _("Move each deal to its current stage"),
                    "minutes_each": 2,
                    "times_per_week": Decimal(10),
                    "get": _("Lead scoring that ranks who to call first"),
                    "get_kind": GiveGet.Kind.INSIGHT,
                    "minutes_saved_per_week": 30,
                    "owner": _("CRM team"),
                },
            ],
        },
        {
            "name": _("Customer service"),
            "headcount": 25,
            "question": _("Does it give me the customer’s context without asking them?"),
            "wiifm": _(
                "When the phone rings you see the customer’s orders, open cases and last "
                "conversations on one screen: no more “can you repeat your order number?”."
            ),
            "concerns": _("Handling time will be measured and used against me."),
            "quick_win": _("The caller’s history on screen when the phone rings"),
            "factors": {
                "unique_data": 4,
                "speed": 3,
                "recognition": 1,
                "friction": 2,
                "rigidity": 1,
            },
            "givegets": [
                {
                    "give": _("Log every case against its customer"),
                    "minutes_each": 3,
                    "times_per_week": Decimal(20),
                    "get": _("The full customer history when the customer calls"),
                    "get_kind": GiveGet.Kind.INSIGHT,
                    "minutes_saved_per_week": 75,
                    "owner": _("Service team lead"),
                },
                {
                    "give": _("Tag the reason for each case"),
                    "minutes_each": 1,
                    "times_per_week": Decimal(20),
                    "get": _("Suggested answers from similar solved cases"),
                    "get_kind": GiveGet.Kind.AUTOMATION,
                    "minutes_saved_per_week": 30,
                    "owner": _("CRM team"),
                },
            ],
        },
        {
            "name": _("Marketing"),
            "headcount": 6,
            "question": _("Can I finally prove that my campaigns work?"),
            "wiifm": _(
                "Every lead carries its source from first click to signed deal, so the "
                "revenue each campaign brings in is a report, not a guess."
            ),
            "concerns": _(
                "Sales will blame the leads, and the numbers will be used to cut my budget."
            ),
            "quick_win": _("A dashboard of leads by campaign, updated every morning"),
            "factors": {
                "unique_data": 5,
                "speed": 1,
                "recognition": 3,
                "friction": 2,
                "rigidity": 2,
            },
            "givegets": [
                {
                    "give": _("Tag every campaign and lead source"),
                    "minutes_each": 10,
                    "times_per_week": Decimal(3),
                    "get": _("A campaign-to-revenue dashboard"),
                    "get_kind": GiveGet.Kind.INSIGHT,
                    "minutes_saved_per_week": 20,
                    "owner": _("Marketing operations"),
                },
                {
                    "give": _("Keep segment lists in the CRM"),
                    "minutes_each": 15,
                    "times_per_week": Decimal(1),
                    "get": _("Lists synchronised to the e-mail tool automatically"),
                    "get_kind": GiveGet.Kind.AUTOMATION,
                    "minutes_saved_per_week": 20,
                    "owner": _("CRM team"),
                },
            ],
        },
        {
            "name": _("Management"),
            "headcount": 5,
            "question": _("Can I coach my team instead of controlling it?"),
            "wiifm": _(
                "The forecast builds itself from the pipeline, and you see where each deal is "
                "stuck: your one-to-ones become coaching, not interrogation."
            ),
            "concerns": _("My team will think I am spying on them."),
            "quick_win": _("A forecast that updates itself, ready for Monday’s meeting"),
            "factors": {
                "unique_data": 4,
                "speed": 2,
                "recognition": 2,
                "friction": 1,
                "rigidity": 2,
            },
            "givegets": [
                {
                    "give": _("Run the weekly pipeline review from the CRM"),
                    "minutes_each": 30,
                    "times_per_week": Decimal(1),
                    "get": _("The forecast prepared automatically"),
                    "get_kind": GiveGet.Kind.TIME_SAVED,
                    "minutes_saved_per_week": 90,
                    "owner": _("Sales operations"),
                },
                {
                    "give": _("Write one coaching note per seller"),
                    "minutes_each": 5,
                    "times_per_week": Decimal(8),
                    "get": _("A coaching view of where each seller gets stuck"),
                    "get_kind": GiveGet.Kind.INSIGHT,
                    "minutes_saved_per_week": 30,
                    "owner": _("CRM team"),
                },
                {
                    "give": _("Praise a well-kept deal in the team meeting"),
                    "minutes_each": 2,
                    "times_per_week": Decimal(1),
                    "get": _("A team that keeps the CRM up to date on its own"),
                    "get_kind": GiveGet.Kind.RECOGNITION,
                    "minutes_saved_per_week": 0,
                    "owner": _("Sales managers"),
                },
            ],
        },
    ]


@transaction.atomic
def add_example_roles(playbook: Playbook) -> list[Role]:
    """Add the four example roles, in the playbook's language, after any it has."""
    with translation.override(playbook.language):
        specs = example_roles()
    start = playbook.roles.count()
    taken = {name.casefold() for name in playbook.roles.values_list("name", flat=True)}
    created = []
    for position, spec in enumerate(specs, start=start):
        if spec["name"].casefold() in taken:
            continue
        role = Role(
            playbook=playbook,
            name=spec["name"],
            headcount=spec["headcount"],
            question=spec["question"],
            wiifm=spec["wiifm"],
            concerns=spec["concerns"],
            quick_win=spec["quick_win"],
            order=position,
            **spec["factors"],
        )
        role.full_clean()
        role.save()
        for order, fields in enumerate(spec["givegets"]):
            giveget = GiveGet(role=role, order=order, **fields)
            giveget.full_clean()
            giveget.save()
        created.append(role)
    return created

"""Playbooks made before the communications plan get its default set, as a new
playbook does (comms.services.create_default_set): per role "Your WIIFM",
"Your week-1 quick win" and "First results", and the open session for all
roles. Each is drafted (no text stored: it is drafted from the role on each
read), dated by its kind's default (following go-live), a draft, from the
role's most influential ambassador when it has one. Deleted roles too, so
that a role restored later comes back with its messages.

Plain historical models, no app code (it changes; this step must not): the
kinds, channels and the sender's rule are written out here as they were.
Each message gets its "created" history record, named as a command's.
"""

from django.db import migrations
from django.utils import timezone

ROLE_KINDS = [("wiifm", "meeting"), ("quick_win", "email"), ("first_results", "meeting")]
OPEN_SESSION = ("open_session", "meeting")
SOURCE = "command"  # core.history.SOURCE_COMMAND


def add_default_sets(apps, schema_editor):
    db = schema_editor.connection.alias
    Playbook = apps.get_model("playbooks", "Playbook")
    Role = apps.get_model("roles", "Role")
    Ambassador = apps.get_model("ambassadors", "Ambassador")
    Message = apps.get_model("comms", "Message")
    HistoricalMessage = apps.get_model("comms", "HistoricalMessage")
    names = [f.attname for f in HistoricalMessage._meta.fields if not f.name.startswith("history_")]
    now = timezone.now()
    for playbook in Playbook._base_manager.using(db).order_by("pk").iterator():
        have = set(
            Message._base_manager.using(db)
            .filter(playbook_id=playbook.pk)
            .exclude(kind="")
            .values_list("role_id", "kind")
        )
        top = (
            Message._base_manager.using(db)
            .filter(playbook_id=playbook.pk)
            .order_by("-order")
            .values_list("order", flat=True)
            .first()
        )
        order = 0 if top is None else top + 1
        new = []
        roles = Role._base_manager.using(db).filter(playbook_id=playbook.pk).order_by("order", "pk")
        for role in roles:
            sender = (
                Ambassador._base_manager.using(db)
                .filter(role_id=role.pk)
                .order_by("-influence", "name", "pk")
                .first()
            )
            for kind, channel in ROLE_KINDS:
                if (role.pk, kind) not in have:
                    new.append((role.pk, kind, channel, sender.pk if sender else None))
        if (None, OPEN_SESSION[0]) not in have:
            new.append((None, *OPEN_SESSION, None))
        for role_id, kind, channel, sender_id in new:
            message = Message._base_manager.using(db).create(
                playbook_id=playbook.pk,
                role_id=role_id,
                kind=kind,
                drafted=True,
                channel=channel,
                status="draft",
                sender_ambassador_id=sender_id,
                order=order,
            )
            order += 1
            HistoricalMessage._base_manager.using(db).create(
                **{name: getattr(message, name) for name in names},
                history_date=now,
                history_type="+",
                history_change_reason=SOURCE,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("comms", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_default_sets, migrations.RunPython.noop)]

"""Playbooks made before the contact setting existed get one, as a new
playbook does: its first owner still active (the one longest an owner), so
that their ambassadors know whom to ask. Owners can choose another, or
nobody, on Edit playbook. History is not written for this (it is a default,
not someone's change)."""

from django.db import migrations


def first_owner_as_contact(apps, schema_editor):
    Playbook = apps.get_model("playbooks", "Playbook")
    Membership = apps.get_model("playbooks", "Membership")
    for playbook in Playbook.objects.filter(ambassador_contact__isnull=True).iterator():
        owner = (
            Membership.objects.filter(playbook=playbook, level="owner", user__is_active=True)
            .order_by("pk")
            .values_list("user_id", flat=True)
            .first()
        )
        if owner is not None:
            Playbook.objects.filter(pk=playbook.pk).update(ambassador_contact_id=owner)


class Migration(migrations.Migration):
    dependencies = [
        ("playbooks", "0007_ambassador_contact"),
    ]

    operations = [
        migrations.RunPython(first_owner_as_contact, migrations.RunPython.noop),
    ]

"""Playbooks created before the action plan existed get the default plan."""

from django.db import migrations


def add_default_plans(apps, schema_editor):
    from actionplan.defaults import default_plan

    Playbook = apps.get_model("playbooks", "Playbook")
    Step = apps.get_model("actionplan", "Step")
    Task = apps.get_model("actionplan", "Task")
    for playbook in Playbook.objects.filter(steps__isnull=True):
        for spec in default_plan(playbook.language):
            step = Step.objects.create(
                playbook=playbook,
                number=spec["number"],
                title=spec["title"],
                description=spec["description"],
            )
            Task.objects.bulk_create(
                Task(step=step, text=text, order=order)
                for order, text in enumerate(spec["tasks"])
            )


class Migration(migrations.Migration):
    dependencies = [
        ("actionplan", "0001_initial"),
        ("playbooks", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_default_plans, migrations.RunPython.noop)]

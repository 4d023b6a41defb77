"""Changes anywhere in a playbook bump its version stamp and schedule a fresh
PDF (see planner.tasks). The one module that knows every model.

A role's pulse link counts as a change (the role page, the matrix and the
one-pager show it); pulse answers do not: an answer triggers nothing that
records when it came (DESIGN.md "The weekly pulse"). Adoption figures are
written in bulk and announce themselves once (``pulse.figures.figures_saved``).

An ambassador added to a role, or moved to another, may become the sender of
its drafted default messages (``comms.services.ambassador_saved``): the one
place every way of adding an ambassador (the roster, its CSV import, the
playbook file, a restore) passes through."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from actionplan.models import Step, Task
from ambassadors.models import Ambassador
from ambassadors.roster_file import roster_saved
from comms.models import Message
from comms.services import ambassador_saved, ambassadors_saved
from core import versions
from givegets.models import GiveGet
from planner.tasks import schedule_history_purge, schedule_pdf_render
from playbooks.models import Playbook
from pulse.figures import figures_saved
from pulse.models import AdoptionFigure, PulseLink
from roles.models import Role


def _playbook_id(instance: Any) -> int | None:
    if isinstance(instance, Playbook):
        return instance.pk
    if isinstance(instance, GiveGet):
        return instance.role.playbook_id if instance.role_id else None
    if isinstance(instance, Task):
        return instance.step.playbook_id if instance.step_id else None
    if isinstance(instance, Step):
        return instance.playbook_id
    if isinstance(instance, PulseLink):
        return instance.role.playbook_id if instance.role_id else None
    return getattr(instance, "playbook_id", None)


def _loaded_playbook(instance: Any, playbook_id: int) -> Playbook | int:
    """The playbook the changed row holds already (a role's, a Give-Get's
    role's), so that its stamp follows the bump; else its id."""
    row = instance
    for _ in range(3):
        if isinstance(row, Playbook):
            return row if row.pk == playbook_id else playbook_id
        cached = row._state.fields_cache
        row = cached.get("playbook") or cached.get("role") or cached.get("step")
        if row is None:
            break
    return playbook_id


def playbook_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # fixtures
    playbook_id = _playbook_id(instance)
    if playbook_id is not None:
        if not isinstance(instance, Playbook):  # its save set a new stamp itself
            versions.bump(_loaded_playbook(instance, playbook_id))
        schedule_pdf_render(playbook_id)


def figures_changed(sender: Any, playbook_id: int, **kwargs: Any) -> None:
    """Adoption figures typed or imported (``pulse.figures``: once per write)."""
    versions.bump(playbook_id)
    schedule_pdf_render(playbook_id)


def ambassador_changed(sender: Any, instance: Ambassador, **kwargs: Any) -> None:
    """Added, or its role may have changed: the senders of drafted messages follow."""
    fields = kwargs.get("update_fields")
    if kwargs.get("raw") or (fields is not None and "role" not in fields):
        return  # fixtures; a save of other fields (a link issued, a training)
    ambassador_saved(instance)


def roster_imported(
    sender: Any, playbook_id: int, ambassadors: list[Ambassador], **kwargs: Any
) -> None:
    """A roster file saved in bulk (``ambassadors.roster_file``: once per
    import): the version and the PDF once, and the senders of drafted
    messages follow the ambassadors added or moved."""
    versions.bump(playbook_id)
    schedule_pdf_render(playbook_id)
    ambassadors_saved(playbook_id, ambassadors)


def playbook_deleted(sender: Any, instance: Playbook, **kwargs: Any) -> None:
    schedule_history_purge(instance.pk)


def connect() -> None:
    post_delete.connect(playbook_deleted, sender=Playbook, dispatch_uid="history-purge")
    figures_saved.connect(figures_changed, sender=AdoptionFigure, dispatch_uid="pdf-figures")
    post_save.connect(ambassador_changed, sender=Ambassador, dispatch_uid="comms-sender")
    roster_saved.connect(roster_imported, sender=Ambassador, dispatch_uid="roster-import")
    for model in (Playbook, Role, GiveGet, Ambassador, Step, Task, PulseLink, Message):
        post_save.connect(playbook_changed, sender=model, dispatch_uid=f"pdf-{model.__name__}")
        if model is not Playbook:
            post_delete.connect(
                playbook_changed, sender=model, dispatch_uid=f"pdf-del-{model.__name__}"
            )

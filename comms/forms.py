"""The message form (add and edit in place) and the page's filter.

The sender is one list: the ambassadors (grouped by role: a message to one
role takes one of that role's) and the playbook's members, or a name typed
beside it. The list posts ``ambassador:<id>`` or ``member:<id>``; the form
reads that into the two model fields, so that the version check of
core.concurrency sees them as any other field (and a conflict shows them
by name).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from ambassadors.models import Ambassador
from comms.drafts import Draft
from comms.models import MAX_TEXT, Message
from comms.selectors import draft_digest
from core.accounts import display_name
from core.concurrency import FollowDefaultForm, VersionedForm
from core.forms import DateInput, one_line
from playbooks.models import Membership, Playbook
from roles.models import Role

AMBASSADOR = "ambassador"
MEMBER = "member"


class SenderSelect(forms.Select):
    """The sender list. What it shows comes from the two model fields' values
    in the form's data (as posted, or as merged after a conflict), so that
    it always shows what a save would keep. Each ambassador's option names
    their role (``data-role``): with JavaScript the list offers only the
    chosen role's ambassadors (static/js/app.js); without, the form says
    so when another role's is chosen."""

    def __init__(self, *args: Any, roles: dict[str, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roles = roles or {}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.roles:
            option["attrs"]["data-role"] = str(self.roles[str(value)])
        return option

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str:
        prefix = name.removesuffix("sender")
        ambassador = data.get(f"{prefix}sender_ambassador") or ""
        member = data.get(f"{prefix}sender_member") or ""
        if ambassador:
            return f"{AMBASSADOR}:{ambassador}"
        if member:
            return f"{MEMBER}:{member}"
        return ""


class MessageForm(VersionedForm):
    sender = forms.CharField(
        label=_("Sender"),
        required=False,
        help_text=_("Someone the role trusts: one of its ambassadors, or a member."),
    )
    follow_go_live = forms.BooleanField(
        label=_("Follow go-live again"),
        required=False,
        help_text=_("Forget the date typed: the message moves with go-live again."),
    )
    # The date the form showed while it followed go-live: saved unchanged,
    # it keeps following go-live, even if go-live moved meanwhile.
    shown_date = forms.DateField(required=False, widget=forms.HiddenInput)
    # What a drafted message's title and text were when the form showed them.
    shown_draft = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Message
        fields = [
            "role",
            "title",
            "text",
            "channel",
            "date",
            "sender_ambassador",
            "sender_member",
            "sender_text",
            "status",
            "drafted",
            "kind",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 6}),
            "date": DateInput(),
            "sender_ambassador": forms.HiddenInput,
            "sender_member": forms.HiddenInput,
            "drafted": forms.HiddenInput,
            "kind": forms.HiddenInput,
        }
        labels = {"sender_text": _("Or type a name")}

    def __init__(
        self,
        data: Any = None,
        *,
        playbook: Playbook,
        roles: Sequence[Role],
        ambassadors: Sequence[Ambassador],
        members: Sequence[Membership],
        current_draft: Draft | None = None,
        default_date: datetime.date | None = None,
        **kwargs: Any,
    ) -> None:
        self.playbook = playbook
        instance = kwargs.get("instance")
        # As stored: a drafted message's form shows its draft instead.
        self.stored = (instance.title, instance.text) if instance is not None else ("", "")
        self.stored_drafted = instance.drafted if instance is not None else False
        # ``kind`` is never taken from the post either: the stored one, or none
        # once the message goes to another role (see ``save``).
        self.stored_kind = instance.kind if instance is not None else Message.Kind.CUSTOM
        self.draft = current_draft if instance is not None and instance.drafted else None
        data, self.bad_sender = _read_sender(data, kwargs.get("prefix"))
        super().__init__(data, **kwargs)
        self.was_default = (
            self.instance.pk is not None
            and self.instance.date is None
            and self.instance.kind != Message.Kind.CUSTOM
        )
        self._roles = {role.pk: role for role in roles}
        self._fields_for(roles, ambassadors, members)
        if self.draft is not None:
            self.initial["title"], self.initial["text"] = self.draft.title, self.draft.text
            self.initial["shown_draft"] = draft_digest(self.draft.title, self.draft.text)
            self.fields["title"].help_text = _(
                "Drafted from the role’s own words: it follows the role’s edits until you "
                "change the title or the text here."
            )
        else:
            del self.fields["shown_draft"]
        if self.was_default and default_date is not None:
            self.initial["date"] = self.initial["shown_date"] = default_date
            self.fields["date"].help_text = _("Follows go-live until you change it.")
        else:
            del self.fields["shown_date"]
        if self.instance.kind == Message.Kind.CUSTOM or self.instance.date is None:
            del self.fields["follow_go_live"]  # only a default message's typed date

    def _fields_for(
        self,
        roles: Sequence[Role],
        ambassadors: Sequence[Ambassador],
        members: Sequence[Membership],
    ) -> None:
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ModelChoiceField)
        role_field.queryset = Role.objects.filter(playbook=self.playbook)
        # The roles already read: drawing the list costs no query.
        role_field.choices = [("", _("All roles")), *((role.pk, role.name) for role in roles)]
        role_field.error_messages["invalid_choice"] = _(
            "Choose one of this playbook’s roles, or all roles."
        )
        role_field.label = _("To")
        # Required, but of a message shown as its draft: stored empty, it
        # stays drafted unless the title or text was edited (clean says so).
        self.fields["title"].required = not self.read_as_draft()[0]
        self.fields["title"].error_messages["required"] = _("Give the message a title.")
        self.fields["text"].help_text = _("At most %(limit)s characters.") % {
            "limit": formats.number_format(MAX_TEXT, force_grouping=True)
        }
        ambassador_field = self.fields["sender_ambassador"]
        member_field = self.fields["sender_member"]
        assert isinstance(ambassador_field, forms.ModelChoiceField)
        assert isinstance(member_field, forms.ModelChoiceField)
        ambassador_field.queryset = Ambassador.all_objects.filter(playbook=self.playbook)
        ambassador_field.error_messages["invalid_choice"] = _(
            "That ambassador is not on this playbook’s roster: choose one from the list."
        )
        member_field.queryset = get_user_model().objects.filter(memberships__playbook=self.playbook)
        member_field.error_messages["invalid_choice"] = _(
            "That person is not a member of this playbook: choose one from the list."
        )
        by_role: dict[int, list[tuple[str, str]]] = {}
        for ambassador in ambassadors:
            by_role.setdefault(ambassador.role_id, []).append(
                (f"{AMBASSADOR}:{ambassador.pk}", ambassador.name)
            )
        choices: list[Any] = [("", _("No sender yet"))]
        for role in roles:
            if by_role.get(role.pk):
                label = _("Ambassadors of %(role)s") % {"role": role.name}
                choices.append((label, by_role[role.pk]))
        if members:
            choices.append(
                (
                    _("Members of the playbook"),
                    [(f"{MEMBER}:{m.user_id}", display_name(m.user)) for m in members],
                )
            )
        self.fields["sender"].widget = SenderSelect(
            choices=choices,
            roles={f"{AMBASSADOR}:{a.pk}": a.role_id for a in ambassadors},
            attrs={"data-sender-of": self.add_prefix("role")},
        )
        self.initial["sender"] = SenderSelect().value_from_datadict(
            {
                "sender_ambassador": self.instance.sender_ambassador_id,
                "sender_member": self.instance.sender_member_id,
            },
            {},
            "sender",
        )
        self.order_fields(
            [
                "role",
                "channel",
                "status",
                "title",
                "text",
                "date",
                "follow_go_live",
                "sender",
                "sender_text",
            ]
        )

    def clean_title(self) -> str:
        return one_line(self.cleaned_data.get("title") or "")

    def role_changed(self) -> bool:
        """Whether the message goes to another role (or to all roles) now."""
        return self.instance.pk is not None and "role" in self.changed_data

    def clean_text(self) -> str:
        # Its limit counted a CR LF as one (core.limits): so it is stored.
        return str(self.cleaned_data["text"]).replace("\r\n", "\n")

    def clean_sender_text(self) -> str:
        return self.cleaned_data["sender_text"].strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # The two model fields are not shown: their errors go beside the list.
        for name in ("sender_ambassador", "sender_member"):
            for error in self.errors.pop(name, []):
                self.add_error("sender", error)
        if self.bad_sender:
            self.add_error("sender", _("Choose a sender from the list, or type a name."))
        ambassador = cleaned.get("sender_ambassador")
        role = cleaned.get("role")
        if ambassador is not None and role is not None and ambassador.role_id != role.pk:
            other = self._roles.get(ambassador.role_id)
            self.add_error(
                "sender",
                _(
                    "%(name)s is an ambassador of %(other)s. Choose one of the ambassadors of "
                    "%(role)s, a member, or type a name."
                )
                % {
                    "name": ambassador.name,
                    "other": other.name if other is not None else _("a deleted role"),
                    "role": role.name,
                },
            )
        elif ambassador is not None and ambassador.role_id not in self._roles:
            self.add_error("sender", _("That ambassador’s role was deleted: choose another."))
        if "title" in cleaned and not cleaned["title"] and self.title_or_text_edited():
            self.add_error("title", _("Give the message a title."))
        chosen = ambassador is not None or cleaned.get("sender_member") is not None
        if chosen and cleaned.get("sender_text"):
            self.add_error(
                "sender_text",
                _("Choose a sender from the list or type a name, not both."),
            )
        return cleaned

    def read_as_draft(self) -> tuple[bool, tuple[str, str]]:
        """Whether the message was drafted when this form was read (so that
        it showed the draft), and its title and text as stored then. From the
        form's version token: someone may have ended the draft since."""
        read = self.read()
        if read is None:
            return self.stored_drafted, self.stored
        values = read.values
        return bool(values.get("drafted")), (values.get("title") or "", values.get("text") or "")

    def title_or_text_edited(self) -> bool:
        """Whether the title or text of a message shown as a draft was
        changed from the draft the form showed."""
        drafted, stored = self.read_as_draft()
        if not drafted:
            return False
        posted = draft_digest(self.cleaned_data.get("title", ""), self.cleaned_data.get("text", ""))
        if posted == draft_digest(*stored):
            return False  # the values stored, as a merge after a conflict fills them in
        shown = self.data.get(self.add_prefix("shown_draft"))
        if not shown and self.draft is not None:  # a form posted without it
            shown = draft_digest(self.draft.title, self.draft.text)
        return posted != shown

    def save(self, commit: bool = True) -> Message:
        message = super().save(commit=False)
        message.playbook = self.playbook
        # ``drafted`` is never posted: the form decides it, from what it read.
        drafted, stored = self.read_as_draft()
        message.kind = self.stored_kind
        if self.role_changed() and message.kind != Message.Kind.CUSTOM:
            # Another role's (or every role's) now: no longer its role's default
            # message. It keeps what the form showed: the text drafted from its
            # old role (stored, not drafted again from a role it no longer has),
            # and the date it followed, typed now.
            message.kind = Message.Kind.CUSTOM
            drafted = False
            if message.date is None:
                message.date = self.cleaned_data.get("shown_date")
        if drafted and self.title_or_text_edited():
            message.drafted = False  # both stored, as shown and typed
        elif drafted:
            message.title, message.text = stored  # as read: no change of theirs
            message.drafted = True
        else:
            message.drafted = False
        if self.cleaned_data.get("follow_go_live"):
            message.date = None
        elif (
            self.was_default
            and message.kind != Message.Kind.CUSTOM
            and message.date == self.cleaned_data.get("shown_date")
        ):
            message.date = None  # shown, not typed: it keeps following go-live
        if commit:
            message.save()
        return message

    def redraft(self, current: Message, current_draft: Draft | None) -> None:
        """After a conflict the form is read again as the row is now: a
        message still drafted shows its draft again, not its stored text,
        unless this person changed them."""
        if not current.drafted or current_draft is None:
            return
        data = QueryDict(mutable=True)
        data.update(self.data)
        title, text = self.add_prefix("title"), self.add_prefix("text")
        if (data.get(title), data.get(text)) == self.stored:
            data[title], data[text] = current_draft.title, current_draft.text
            data[self.add_prefix("shown_draft")] = draft_digest(
                current_draft.title, current_draft.text
            )
        self.data = data


def _read_sender(data: Any, prefix: str | None) -> tuple[Any, bool]:
    """The posted sender list read into the two model fields, and whether
    it posted something the list never offers."""
    name = f"{prefix}-sender" if prefix else "sender"
    if data is None or name not in data:
        return data, False
    data = data.copy()
    kind, _colon, pk = str(data.get(name, "")).partition(":")
    base = name.removesuffix("sender")
    data[f"{base}sender_ambassador"] = pk if kind == AMBASSADOR else ""
    data[f"{base}sender_member"] = pk if kind == MEMBER else ""
    return data, bool(kind) and kind not in (AMBASSADOR, MEMBER)


class FollowGoLiveForm(FollowDefaultForm):
    """A message's "follow go-live again": posts only the version token, so
    its typed date comes back empty, unless someone else changed it since the
    page was read (core.concurrency)."""

    class Meta:
        model = Message
        fields = ["date"]


class FilterForm(forms.Form):
    """The page's filter: one role (with the messages to all roles) and one
    status. A value not offered is said beside its field, and not applied."""

    role = forms.TypedChoiceField(label=_("Role"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, data: Any, *, roles: Sequence[Role]) -> None:
        super().__init__(data)
        role_field = self.fields["role"]
        status_field = self.fields["status"]
        assert isinstance(role_field, forms.ChoiceField)
        assert isinstance(status_field, forms.ChoiceField)
        role_field.choices = [("", _("Every role")), *((role.pk, role.name) for role in roles)]
        role_field.error_messages["invalid_choice"] = _(
            "That is not one of this playbook’s roles: every role is shown."
        )
        status_field.choices = [("", _("Any status")), *Message.Status.choices]
        status_field.error_messages["invalid_choice"] = _(
            "That is not a status: every status is shown."
        )

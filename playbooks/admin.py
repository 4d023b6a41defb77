from __future__ import annotations

from typing import Any

from django.contrib import admin

from playbooks.models import Membership, Playbook


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fk_name = "playbook"
    readonly_fields = ["invited_by", "created_at"]


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "crm_system", "go_live", "language", "created_at"]
    list_filter = ["crm_system", "language", "go_live"]
    search_fields = ["name", "organisation", "crm_other"]
    date_hierarchy = "created_at"
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["playbook", "user", "level", "invited_by", "created_at"]
    list_filter = ["level"]
    search_fields = ["playbook__name", "user__username", "user__email"]
    list_select_related = ["playbook", "user", "invited_by"]
    autocomplete_fields = ["playbook", "user"]
    readonly_fields = ["invited_by", "created_at"]


@admin.register(Playbook.history.model)
class PlaybookHistoryAdmin(admin.ModelAdmin):
    """Every version of every playbook, deleted ones included (kept 30 days
    after the deletion, then purged): read only."""

    list_display = ["name", "history_type", "history_date", "history_user"]
    list_filter = ["history_type"]
    search_fields = ["name", "organisation"]
    list_select_related = ["history_user"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

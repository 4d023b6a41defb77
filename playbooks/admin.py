from __future__ import annotations

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

from django.contrib import admin

from bridging.models import Match, MatchNote
from core.admin import PermissionAdmin


@admin.register(Match)
class MatchAdmin(PermissionAdmin):
    list_display = ["demand", "supply_kind", "status", "broker", "updated_at"]
    list_filter = ["status", "supply_kind", "failure_reason"]
    list_select_related = ["demand", "broker"]
    search_fields = ["demand__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MatchNote)
class MatchNoteAdmin(MatchAdmin):
    list_display = ["match", "author", "created_at"]
    list_filter = []
    list_select_related = ["match", "author"]
    search_fields = ["text"]

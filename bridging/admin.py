from django.contrib import admin

from bridging.models import Match, MatchNote
from core.admin import ReadOnlyAdmin


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ["demand", "supply_kind", "status", "broker", "updated_at"]
    list_filter = ["status", "supply_kind", "failure_reason"]
    list_select_related = ["demand", "broker"]
    search_fields = ["demand__title"]


@admin.register(MatchNote)
class MatchNoteAdmin(MatchAdmin):
    list_display = ["match", "author", "created_at"]
    list_filter = []
    list_select_related = ["match", "author"]
    search_fields = ["text"]

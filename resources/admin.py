"""Back-office lists of the resource library. Records change only through the review pages,
whose services check permissions, keep versions and write the audit trail."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from resources.models import (
    Achievement,
    Demand,
    Expert,
    Instrument,
    Patent,
    Platform,
    RecordVersion,
    Subscription,
)


class RecordAdmin(ReadOnlyAdmin):
    list_display = ["title", "owner", "region", "status", "published_at", "is_demo"]
    list_filter = ["status", "region", "is_demo"]
    search_fields = ["title"]
    list_select_related = ["owner", "region"]
    exclude = ["search_tokens"]


for model in (Achievement, Demand, Expert, Platform, Instrument, Patent):
    admin.site.register(model, RecordAdmin)


@admin.register(RecordVersion)
class RecordVersionAdmin(RecordAdmin):
    list_display = [
        "content_type",
        "object_id",
        "number",
        "status",
        "created_by",
        "reviewed_by",
        "reviewed_at",
    ]
    list_filter = ["status", "content_type"]
    list_select_related = ["content_type", "created_by", "reviewed_by"]
    search_fields = ["object_id"]
    exclude = []


@admin.register(Subscription)
class SubscriptionAdmin(RecordAdmin):
    list_display = ["name", "user", "kind", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    search_fields = ["name"]
    exclude = []

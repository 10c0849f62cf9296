"""Back office for cultivation: the 检查人员名录 is kept here; the other records change only
through their pages and services, so the back office lists them read-only."""

from django.contrib import admin

from core.admin import AuditedAdmin, ReadOnlyAdmin
from cultivation.models import (
    Assessment,
    EnterpriseProfile,
    EnterpriseYear,
    Inspector,
    PoolMembership,
    SpotCheck,
    SubsidyScheme,
)


@admin.register(Inspector)
class InspectorAdmin(AuditedAdmin):
    list_display = ["name", "unit", "region", "certificate", "organisation", "active"]
    list_filter = ["active", "region"]
    search_fields = ["name", "unit", "certificate"]
    list_select_related = ["region", "organisation"]
    autocomplete_fields = ["organisation"]
    fields = ["name", "unit", "region", "certificate", "organisation", "active"]

    def has_delete_permission(self, request, obj=None):
        return False  # drawn inspectors stay on record; set 在库 off instead


@admin.register(EnterpriseYear)
class EnterpriseYearAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "year", "revenue", "rd_expense", "staff", "updated_at"]
    list_filter = ["year"]
    search_fields = ["organisation__name", "organisation__uscc"]
    list_select_related = ["organisation"]


@admin.register(EnterpriseProfile)
class EnterpriseProfileAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "founded", "hte_field", "updated_at"]
    search_fields = ["organisation__name", "organisation__uscc"]
    list_select_related = ["organisation"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "title", "version", "on", "status", "score", "created_at"]
    list_filter = ["ruleset", "status"]
    search_fields = ["organisation__name", "organisation__uscc"]
    list_select_related = ["organisation"]
    date_hierarchy = "on"


@admin.register(PoolMembership)
class PoolMembershipAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "tier", "entered_on", "exited_on", "certificate_number"]
    list_filter = ["tier"]
    search_fields = ["organisation__name", "organisation__uscc", "certificate_number"]
    list_select_related = ["organisation"]
    date_hierarchy = "entered_on"


@admin.register(SpotCheck)
class SpotCheckAdmin(ReadOnlyAdmin):
    list_display = ["title", "tier", "on", "ratio", "seed", "created_by", "created_at"]
    list_filter = ["tier"]
    search_fields = ["title"]
    exclude = ["population"]


@admin.register(SubsidyScheme)
class SubsidySchemeAdmin(ReadOnlyAdmin):
    list_display = ["title", "year", "basis", "rate", "cap", "budget", "status"]
    list_filter = ["status", "year"]
    search_fields = ["title"]

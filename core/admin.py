"""The back office. Every model admin asks the permission service and writes the audit trail."""

from __future__ import annotations

import copy

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.forms import LoginForm, OrganisationForm
from core.models import (
    AuditEntry,
    CalendarDay,
    ChainNode,
    Discipline,
    HighTechField,
    IndustryChain,
    IndustrySection,
    Job,
    Membership,
    Organisation,
    Region,
    User,
)
from core.services import audit, organisations


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin's login, with the same lock-out message as the site's."""


admin.site.login_form = AdminLoginForm


class PermissionAdmin(admin.ModelAdmin):
    """Admin access decided by the same permission service as pages and the API."""

    def _perm(self, request, action: str, obj=None) -> bool:
        opts = self.model._meta
        return permissions.can(request.user, f"{opts.app_label}.{action}_{opts.model_name}", obj)

    def has_module_permission(self, request):
        return request.user.is_staff and permissions.can(request.user, "core.use_backoffice")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            self._perm(request, "view", obj) or self._perm(request, "change", obj)
        )

    def has_add_permission(self, request):
        return self.has_module_permission(request) and self._perm(request, "add")

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request) and self._perm(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request) and self._perm(request, "delete", obj)


class ReadOnlyAdmin(PermissionAdmin):
    """Lists for the back office of records that change only through their services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(PermissionAdmin):
    """Saves and deletes through the admin leave the same audit rows as the services."""

    def save_model(self, request, obj, form, change):
        # Admin instances are shared between requests: keep the snapshot on the request.
        request.audit_before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            audit.record_update(request.user, form.instance, request.audit_before)
        else:
            audit.record_create(request.user, form.instance)

    def delete_model(self, request, obj):
        audit.record_delete(request.user, obj, audit.snapshot(obj))
        obj.delete()

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    form = OrganisationForm
    list_display = ["name", "type", "uscc", "region", "industry", "size", "is_demo"]
    list_filter = ["type", "region", "industry", "size", "is_demo"]
    search_fields = ["name", "uscc"]
    list_select_related = ["region", "industry"]

    def get_form(self, request, obj=None, **kwargs):
        base = super().get_form(request, obj, **kwargs)
        user = request.user

        class RegionCheckedForm(base):
            def clean(self):
                cleaned = super().clean()
                region = cleaned.get("region")
                if region is not None:
                    target = copy.copy(self.instance)
                    target.region_id = region.pk
                    perm = "core.change_organisation" if target.pk else "core.add_organisation"
                    if not permissions.can(user, perm, target):
                        self.add_error("region", _("您只能管理本辖区内的单位。"))
                return cleaned

        return RegionCheckedForm

    def save_model(self, request, obj, form, change):
        # The service holds the rules for organisations; the admin only collects the input.
        data = {name: form.cleaned_data[name] for name in form.fields}
        if change:
            saved = organisations.update_organisation(request.user, obj, **data)
        else:
            saved = organisations.create_organisation(request.user, **data)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        organisations.delete_organisation(request.user, obj)


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(AuditedAdmin):
    list_display = [
        "username",
        "display_name",
        "role_display",
        "is_staff",
        "is_active",
        "locked_until",
    ]
    search_fields = ["username", "display_name"]
    list_filter = ["is_staff", "is_active", "is_demo"]
    fields = ["username", "display_name", "email", "phone", "is_active", "is_staff", "locked_until"]
    inlines = [MembershipInline]

    @admin.display(description=_("当前角色"))
    def role_display(self, user):
        m = user.current_membership
        return m.get_role_display() if m else _("公众")


for model in (Region, Discipline, IndustrySection, HighTechField, IndustryChain):
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (AuditedAdmin,),
            {"list_display": ["code", "name", "sort_order"], "search_fields": ["code", "name"]},
        ),
    )


@admin.register(ChainNode)
class ChainNodeAdmin(AuditedAdmin):
    list_display = ["code", "chain", "name", "description"]
    list_filter = ["chain"]
    search_fields = ["code", "name"]


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_name", "action", "content_type", "object_repr", "ip_address"]
    list_filter = ["action", "content_type", "at"]
    search_fields = ["object_repr", "actor_name", "note"]
    date_hierarchy = "at"
    readonly_fields = ["changes_table"]
    fields = [
        "at",
        "actor_name",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "note",
        "ip_address",
        "changes_table",
    ]

    @admin.display(description=_("变更内容"))
    def changes_table(self, entry):
        return format_html_join(
            "\n",
            "<div><strong>{}</strong>：{} → {}</div>",
            ((audit.field_label(entry, k), v[0], v[1]) for k, v in entry.changes.items()),
        )

    def get_readonly_fields(self, request, obj=None):
        return self.fields


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "status", "done", "total", "created_by", "created_at"]
    list_filter = ["status", "kind"]

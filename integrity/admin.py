"""Back-office list of integrity records. Saves go through the services, which check the
permission and write the audit trail; records are revoked on their page, never deleted."""

from django.contrib import admin

from core.admin import PermissionAdmin
from integrity.forms import IntegrityRecordForm
from integrity.models import IntegrityRecord
from integrity.services import records


@admin.register(IntegrityRecord)
class IntegrityRecordAdmin(PermissionAdmin):
    form = IntegrityRecordForm
    list_display = [
        "__str__",
        "subject_kind",
        "severity",
        "restricted_from",
        "restricted_until",
        "revoked_at",
        "is_demo",
    ]
    list_filter = ["subject_kind", "severity", "is_demo"]
    search_fields = ["decision_number", "person_name", "organisation__name", "organisation__uscc"]
    list_select_related = ["organisation"]
    date_hierarchy = "decision_date"
    readonly_fields = ["revoked_at", "revoked_by", "revoke_reason", "created_by", "created_at"]

    def get_fields(self, request, obj=None):
        return [*records.EDITABLE_FIELDS, *self.readonly_fields]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The service holds the rules for records; the admin only collects the input.
        data = {name: form.cleaned_data[name] for name in records.EDITABLE_FIELDS}
        if change:
            saved = records.update_record(request.user, obj, data)
        else:
            saved = records.create_record(request.user, data)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

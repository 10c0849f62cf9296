from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import permissions
from core.masking import mask_id_number
from core.models import Organisation, User
from integrity.choices import Activity
from integrity.forms import AccountField as AccountFormField
from integrity.forms import OrganisationCodeField as OrganisationCodeFormField
from integrity.models import IntegrityRecord


class OrganisationCodeField(serializers.SlugRelatedField):
    """An organisation by its 统一社会信用代码, read as the record form reads it."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="uscc", queryset=Organisation.objects.all(), **kwargs)

    def to_internal_value(self, data):
        try:
            return OrganisationCodeFormField().clean(str(data))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class AccountField(serializers.SlugRelatedField):
    """A platform account by its username, read as the record form reads it."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="username", queryset=User.objects.all(), **kwargs)

    def to_internal_value(self, data):
        try:
            return AccountFormField().clean(str(data))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class IntegrityRecordSerializer(serializers.ModelSerializer):
    organisation = OrganisationCodeField(
        required=False, allow_null=True, help_text=_("失信单位的统一社会信用代码")
    )
    user = AccountField(required=False, allow_null=True, help_text=_("关联平台账号的用户名"))
    activities = serializers.ListField(
        child=serializers.ChoiceField(choices=Activity.choices), allow_empty=False
    )
    subject_name = serializers.CharField(read_only=True)
    severity_display = serializers.CharField(source="get_severity_display", read_only=True)
    activities_display = serializers.ListField(
        source="activity_labels", child=serializers.CharField(), read_only=True
    )
    state = serializers.SerializerMethodField()
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = IntegrityRecord
        fields = [
            "id",
            "subject_kind",
            "subject_name",
            "organisation",
            "person_name",
            "person_id_number",
            "user",
            "finding",
            "severity",
            "severity_display",
            "decision_number",
            "decision_date",
            "issued_by",
            "restricted_from",
            "restricted_until",
            "activities",
            "activities_display",
            "state",
            "has_document",
            "revoked_at",
            "revoke_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["revoked_at", "revoke_reason", "created_at", "updated_at"]
        # Format and check character are checked by the model, with the same messages as forms.
        extra_kwargs = {"person_id_number": {"validators": [], "max_length": None}}

    def get_state(self, record) -> str:
        """生效中 in_force, 未生效 pending, 已到期 expired or 已撤销 revoked, on the day asked."""
        return record.state_on(self.context.get("on_date") or timezone.localdate()).value

    def get_has_document(self, record) -> bool:
        return bool(record.decision_document)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if not permissions.can(user, "integrity.view_id_number", instance):
            data["person_id_number"] = mask_id_number(instance.person_id_number)
        return data


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("撤销原因"), max_length=500, allow_blank=True)


class CheckQuerySerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, help_text=_("单位编号")
    )
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, help_text=_("用户编号")
    )
    activity = serializers.ChoiceField(choices=Activity.choices)
    on = serializers.DateField(required=False, help_text=_("查询日期，默认今天"))

    def validate(self, attrs):
        if ("organisation" in attrs) == ("user" in attrs):
            raise serializers.ValidationError(_("请指定 organisation 或 user 其中之一。"))
        return attrs


class CheckResultSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    message = serializers.CharField()
    records = IntegrityRecordSerializer(many=True)

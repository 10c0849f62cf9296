from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cultivation.choices import Tier
from cultivation.forms import FIGURE_FIELDS, consistency_errors
from cultivation.models import Assessment, EnterpriseYear, PoolMembership
from integrity.api.serializers import OrganisationCodeField


class EnterpriseYearSerializer(serializers.ModelSerializer):
    """One fiscal year of an enterprise's figures; amounts in 元, blank = not reported."""

    organisation = OrganisationCodeField(help_text=_("统一社会信用代码"))

    class Meta:
        model = EnterpriseYear
        fields = ["id", "organisation", "year", *FIGURE_FIELDS, "updated_at"]
        read_only_fields = ["id", "updated_at"]
        validators = []  # (organisation, year) is created or updated by the service

    def validate(self, data):
        errors: dict[str, list[str]] = {}
        consistency_errors(
            data, lambda field, message: errors.setdefault(field, []).append(message)
        )
        if errors:
            raise serializers.ValidationError(errors)
        return data


class AssessRequestSerializer(serializers.Serializer):
    organisation = OrganisationCodeField(help_text=_("统一社会信用代码"))
    ruleset = serializers.CharField(help_text=_("评价规则名称，如 sme_tech、hte"))
    on = serializers.DateField(help_text=_("评价基准日"))


class AssessmentSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.uscc", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "ruleset",
            "version",
            "title",
            "on",
            "eligible",
            "status",
            "score",
            "integrity_refusal",
            "result",
            "record",
            "created_at",
        ]
        read_only_fields = fields


class PoolMembershipSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.uscc", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    region = serializers.CharField(source="organisation.region.name", read_only=True)
    tier_label = serializers.CharField(source="get_tier_display", read_only=True)

    class Meta:
        model = PoolMembership
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "region",
            "tier",
            "tier_label",
            "entered_on",
            "entry_reason",
            "certificate_number",
            "entry_assessment",
            "exited_on",
            "exit_reason",
            "exit_assessment",
        ]
        read_only_fields = fields


class AdmitSerializer(serializers.Serializer):
    organisation = OrganisationCodeField(help_text=_("统一社会信用代码"))
    tier = serializers.ChoiceField(choices=Tier.choices)
    entered_on = serializers.DateField()
    reason = serializers.CharField(max_length=300)
    certificate_number = serializers.CharField(max_length=60, required=False, default="")
    expert_confirmed = serializers.BooleanField(required=False, default=False)


class ExitSerializer(serializers.Serializer):
    exited_on = serializers.DateField()
    reason = serializers.CharField(max_length=300)
    reassess = serializers.BooleanField(required=False, default=True)

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from programs.choices import AttachmentKind, BudgetCategory, ReviewStage, Verdict
from programs.models import (
    Acceptance,
    Application,
    Attachment,
    Call,
    ChangeRequest,
    Contract,
    Inspection,
    Objection,
    Outcome,
    ProgressReport,
    Publicity,
    Recusal,
    ReviewAssignment,
    Topic,
    Transition,
)


class TopicSerializer(serializers.ModelSerializer):
    demand_title = serializers.CharField(
        source="demand.title", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Topic
        fields = [
            "id",
            "code",
            "title",
            "description",
            "budget",
            "demand",
            "demand_title",
            "reward",
        ]
        read_only_fields = ["id", "demand_title"]


class CallSerializer(serializers.ModelSerializer):
    topics = TopicSerializer(many=True, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id", "title", "program", "year", "kind", "kind_display", "region", "description",
            "budget_total", "max_funding", "indirect_cap_percent", "eligible_org_types",
            "eligible_regions", "max_applications_per_org", "form_fields",
            "required_attachments", "opens_at", "closes_at", "fix_days", "publicity_working_days",
            "reviewers_per_application", "max_reviews_per_expert", "recusal_years", "randomised",
            "probability_cap", "alternates", "criteria", "spread_threshold", "status",
            "status_display", "is_open", "published_at", "topics",
        ]  # fmt: skip
        read_only_fields = ["id", "status", "published_at", "topics"]

    def get_is_open(self, call) -> bool:
        return call.is_open()


class CallWriteSerializer(CallSerializer):
    topics = TopicSerializer(many=True, required=False)

    class Meta(CallSerializer.Meta):
        read_only_fields = ["id", "status", "published_at"]


class BudgetLineField(serializers.DictField):
    child = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        unknown = set(value) - set(BudgetCategory.values)
        if unknown:
            raise serializers.ValidationError(
                _("预算科目无效：%(bad)s（可选：%(good)s）")
                % {"bad": "、".join(sorted(unknown)), "good": "、".join(BudgetCategory.values)}
            )
        return value


class AttachmentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Attachment
        fields = ["id", "kind", "kind_display", "name", "size", "uploaded_at"]
        read_only_fields = fields


class TransitionSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor", read_only=True, default=None)

    class Meta:
        model = Transition
        fields = ["from_status", "to_status", "actor_name", "at", "reason"]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    budget = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id", "call", "topic", "number", "organisation", "organisation_name", "title",
            "summary", "keywords", "pi_name", "team", "answers", "co_organisations",
            "requested_funding",
            "self_funding", "budget", "attachments", "status", "status_display",
            "return_reason", "returned_count", "fix_deadline", "review_score", "review_spread",
            "review_flagged", "submitted_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_budget(self, application) -> dict[str, str]:
        return {line.category: str(line.amount) for line in application.budget_lines.all()}


class ApplicationWriteSerializer(serializers.ModelSerializer):
    budget = BudgetLineField(required=False)

    class Meta:
        model = Application
        fields = [
            "call", "topic", "title", "summary", "keywords", "pi_name", "team",
            "co_organisations", "requested_funding", "self_funding", "budget", "answers",
        ]  # fmt: skip
        extra_kwargs = {"call": {"required": False}}


class DecisionReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class AttachmentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    file = serializers.FileField()


class AssignmentSerializer(serializers.ModelSerializer):
    application_title = serializers.CharField(source="application.title", read_only=True)
    organisation_name = serializers.CharField(
        source="application.organisation.name", read_only=True
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ReviewAssignment
        fields = [
            "id", "application", "application_title", "organisation_name", "status",
            "status_display", "scores", "total", "comment", "responded_at", "submitted_at",
        ]  # fmt: skip
        read_only_fields = fields


class PanelMemberSerializer(serializers.ModelSerializer):
    """What an administrator sees of a panel: who, why, and how they answered."""

    expert_name = serializers.CharField(source="expert.title", read_only=True)
    organisation_name = serializers.CharField(source="expert.owner.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ReviewAssignment
        fields = [
            "id", "expert", "expert_name", "organisation_name", "status", "status_display",
            "alternate_rank", "affinity", "reason", "decline_reason", "total", "submitted_at",
        ]  # fmt: skip
        read_only_fields = fields


class RespondSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    conflict = serializers.BooleanField(required=False, default=False)


class ScoreSheetSerializer(serializers.Serializer):
    scores = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=1))
    comment = serializers.CharField()


class ProposeSerializer(serializers.Serializer):
    funding = serializers.DictField(
        child=serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0),
        help_text="申报书编号 → 拟资助经费（万元）",
    )


class PublicityProjectSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Application
        fields = ["id", "number", "title", "organisation_name", "pi_name", "approved_funding"]
        read_only_fields = fields


class PublicitySerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    projects = serializers.SerializerMethodField()
    notice = serializers.SerializerMethodField()

    class Meta:
        model = Publicity
        fields = [
            "id", "call", "title", "starts_on", "ends_on", "working_days", "status",
            "status_display", "projects", "notice", "finalised_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_projects(self, publicity) -> list[dict]:
        from programs.services.decision import proposed_projects

        return PublicityProjectSerializer(proposed_projects(publicity), many=True).data

    def get_notice(self, publicity) -> str | None:
        if not publicity.notice:
            return None
        return reverse("program_publicity_notice", args=[publicity.pk])


class ObjectionSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Objection
        fields = [
            "id", "application", "name", "contact", "content", "status", "status_display",
            "resolution", "submitted_at", "resolved_at",
        ]  # fmt: skip
        read_only_fields = ["id", "status", "status_display", "resolution", "submitted_at",
                            "resolved_at"]  # fmt: skip


class ResolveSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    resolution = serializers.CharField(max_length=2000)


class ContractSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contract
        fields = [
            "id", "number", "start_date", "end_date", "funding", "budget", "milestones",
            "indicators", "report_every_months", "signed_at",
        ]  # fmt: skip
        read_only_fields = ["id", "number", "signed_at"]


class ReportSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id", "application", "period", "due_date", "status", "status_display", "progress",
            "spent", "problems", "submitted_at", "review_note",
        ]  # fmt: skip
        read_only_fields = ["id", "application", "period", "due_date", "status",
                            "status_display", "submitted_at", "review_note"]  # fmt: skip


class ReportReviewSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class InspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Inspection
        fields = ["id", "inspected_on", "findings", "conclusion", "rectify_by", "created_at"]
        read_only_fields = ["id", "created_at"]


class ChangeSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ChangeRequest
        fields = [
            "id", "application", "kind", "reason", "proposed", "status", "status_display",
            "decision_note", "requested_at", "decided_at",
        ]  # fmt: skip
        read_only_fields = ["id", "application", "status", "status_display", "decision_note",
                            "requested_at", "decided_at"]  # fmt: skip


class DecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AcceptanceSerializer(serializers.ModelSerializer):
    verdict_display = serializers.CharField(source="get_verdict_display", read_only=True)

    class Meta:
        model = Acceptance
        fields = [
            "summary", "indicators_met", "submitted_at", "score", "spread", "flagged",
            "verdict", "verdict_display", "verdict_note", "decided_at",
        ]  # fmt: skip
        read_only_fields = ["submitted_at", "score", "spread", "flagged", "verdict",
                            "verdict_display", "verdict_note", "decided_at"]  # fmt: skip


class VerdictSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outcome
        fields = ["id", "kind", "title", "year", "amount", "achievement", "recorded_at"]
        read_only_fields = ["id", "recorded_at"]


class PanelRequestSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=ReviewStage.choices, default=ReviewStage.REVIEW)
    only = serializers.ListField(child=serializers.IntegerField(), required=False)


class RecusalSerializer(serializers.ModelSerializer):
    expert_name = serializers.CharField(source="expert.title", read_only=True)
    organisation_name = serializers.CharField(source="expert.owner.name", read_only=True)
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = Recusal
        fields = [
            "expert",
            "expert_name",
            "organisation_name",
            "reason",
            "reason_display",
            "detail",
        ]
        read_only_fields = fields

from rest_framework import serializers

from bridging.choices import FailureReason, Feedback, SupplyKind
from bridging.models import Match, MatchNote


class MatchSerializer(serializers.ModelSerializer):
    demand_title = serializers.CharField(source="demand.title", read_only=True)
    supply_name = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    broker_name = serializers.CharField(
        source="broker", read_only=True, default=None, allow_null=True
    )
    # Blank until the match fails or a side answers (read-only model fields lose allow_blank).
    failure_reason = serializers.ChoiceField(
        choices=FailureReason.choices, read_only=True, allow_blank=True
    )
    demand_feedback = serializers.ChoiceField(
        choices=Feedback.choices, read_only=True, allow_blank=True
    )
    supply_feedback = serializers.ChoiceField(
        choices=Feedback.choices, read_only=True, allow_blank=True
    )

    class Meta:
        model = Match
        fields = [
            "id",
            "demand",
            "demand_title",
            "supply_kind",
            "achievement",
            "expert",
            "institute",
            "supply_name",
            "status",
            "status_display",
            "score",
            "explanation",
            "broker_name",
            "next_step",
            "next_step_due",
            "failure_reason",
            "failure_note",
            "contract_amount",
            "demand_feedback",
            "supply_feedback",
            "created_at",
            "updated_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_supply_name(self, match) -> str:
        return str(match.supply)


class MatchCreateSerializer(serializers.Serializer):
    demand = serializers.IntegerField(label="技术需求编号")
    supply_kind = serializers.ChoiceField(label="对接对象类型", choices=SupplyKind.choices)
    target = serializers.IntegerField(label="对接对象编号")
    explanation = serializers.CharField(
        label="推荐理由", required=False, allow_blank=True, max_length=500
    )


class AdvanceSerializer(serializers.Serializer):
    note = serializers.CharField(label="说明", required=False, allow_blank=True, max_length=500)
    contract_amount = serializers.DecimalField(
        label="签约金额（万元）",
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        min_value=0,
    )


class FailSerializer(serializers.Serializer):
    failure_reason = serializers.ChoiceField(label="未成原因", choices=FailureReason.choices)
    failure_note = serializers.CharField(
        label="具体情况", required=False, allow_blank=True, max_length=500
    )


class NextStepSerializer(serializers.Serializer):
    next_step = serializers.CharField(label="下一步工作", max_length=200)
    next_step_due = serializers.DateField(label="期限", required=False, allow_null=True)


class NoteSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author", read_only=True)

    class Meta:
        model = MatchNote
        fields = ["id", "text", "author_name", "created_at"]
        read_only_fields = ["id", "author_name", "created_at"]


class FeedbackSerializer(serializers.Serializer):
    feedback = serializers.ChoiceField(label="意向", choices=Feedback.choices)

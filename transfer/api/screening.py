"""REST endpoints of 成果筛选评价, over the same services and permissions as the pages.

- `transfer/trl-assessments/`: POST answers level by level → the level (members of the owning
  organisation, or the bureau); `{id}/confirm/` by an expert (not of the owner's unit) or the
  bureau; `scale/` the nine levels as configured.
- `transfer/screenings/`: the bureau lists, opens and decides; an expert lists the screenings
  assigned to them and POSTs `{id}/sheet/`; `indicators/` the indicator system.

Errors come in the shape of kechuang/api.py: {code, message, errors}.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from kechuang.api import DefaultRouter
from resources.models import Achievement, Expert
from transfer.choices import ScreeningDecision
from transfer.models import Screening, ScreeningScore, TrlAssessment
from transfer.services import screening as svc
from transfer.services import trl

# -- serializers -------------------------------------------------------------------------------


class TrlAssessmentSerializer(serializers.ModelSerializer):
    achievement_title = serializers.CharField(source="achievement.title", read_only=True)
    effective_level = serializers.IntegerField(read_only=True, allow_null=True)
    ignored_levels = serializers.SerializerMethodField(
        help_text=_("选择了已达到、但其下有未达到等级而不计入的等级")
    )
    submitted_by = serializers.CharField(source="submitted_by.__str__", read_only=True)
    confirmed_by = serializers.CharField(
        source="confirmed_by.__str__", read_only=True, allow_null=True
    )

    class Meta:
        model = TrlAssessment
        fields = [
            "id",
            "achievement",
            "achievement_title",
            "scale_version",
            "answers",
            "level",
            "ignored_levels",
            "effective_level",
            "submitted_by",
            "submitted_at",
            "confirmed_level",
            "confirm_reason",
            "confirmed_by",
            "confirmed_at",
        ]
        read_only_fields = fields

    def get_ignored_levels(self, obj) -> list[int]:
        return trl.level_of(obj.answers or {}).ignored


class TrlSelfAssessSerializer(serializers.Serializer):
    achievement = serializers.PrimaryKeyRelatedField(
        queryset=Achievement.objects.all(), help_text=_("科技成果编号")
    )
    # Checked level by level by the service, whose errors name the level (met_3, evidence_3).
    answers = serializers.DictField(
        help_text=_('逐级回答，如 {"1": {"met": true, "evidence": "论文…"}, …}，1至9级都要回答'),
    )


class TrlConfirmSerializer(serializers.Serializer):
    level = serializers.IntegerField(min_value=1, max_value=9)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ScreeningSheetSerializer(serializers.ModelSerializer):
    expert_name = serializers.CharField(source="expert.title", read_only=True)

    class Meta:
        model = ScreeningScore
        fields = ["id", "expert", "expert_name", "scores", "total", "comment", "submitted_at"]
        read_only_fields = fields


class ScreeningSerializer(serializers.ModelSerializer):
    achievement_title = serializers.CharField(source="achievement.title", read_only=True)
    owner = serializers.CharField(source="achievement.owner.name", read_only=True)
    decision_label = serializers.CharField(source="get_decision_display", read_only=True)
    effective_trl = serializers.SerializerMethodField()
    sheets = serializers.SerializerMethodField(
        help_text=_("市科技局看到全部评分表；专家只看到本人的评分表")
    )

    class Meta:
        model = Screening
        fields = [
            "id",
            "achievement",
            "achievement_title",
            "owner",
            "round",
            "indicator_version",
            "experts",
            "effective_trl",
            "score",
            "grade",
            "decision",
            "decision_label",
            "reasons",
            "created_at",
            "decided_at",
            "sheets",
        ]
        read_only_fields = fields

    def get_effective_trl(self, obj) -> int | None:
        return trl.effective_trl(obj.achievement)

    def get_sheets(self, obj) -> list[dict]:
        user = self.context["request"].user
        sheets = obj.scores.select_related("expert")
        if not svc.may_manage(user):
            expert = trl.expert_of(user)
            sheets = sheets.filter(expert=expert) if expert else sheets.none()
        return ScreeningSheetSerializer(sheets, many=True).data


class OpenScreeningSerializer(serializers.Serializer):
    achievement = serializers.PrimaryKeyRelatedField(
        queryset=Achievement.objects.select_related("owner"), help_text=_("科技成果编号")
    )
    round = serializers.CharField(max_length=svc.ROUND_MAX, help_text=_("如：2026年第4季度"))
    experts = serializers.PrimaryKeyRelatedField(
        queryset=Expert.objects.all(), many=True, required=False, help_text=_("专家编号")
    )


class ScreeningDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[ScreeningDecision.SELECTED, ScreeningDecision.NOT_SELECTED]
    )
    reasons = serializers.CharField()


class ScreeningSubmitSheetSerializer(serializers.Serializer):
    # Checked by the service, which names each indicator that is missing or out of range.
    scores = serializers.DictField(
        help_text=_('各指标得分（0–100，最多一位小数），如 {"advancement": 90, …}'),
    )
    comment = serializers.CharField(allow_blank=True)


class ScreeningExpertsSerializer(serializers.Serializer):
    experts = serializers.PrimaryKeyRelatedField(queryset=Expert.objects.all(), many=True)


# -- views -----------------------------------------------------------------------------------


class TrlAssessmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """技术就绪水平自评：成果所属单位人员或市科技局逐级作答（达到的须附证据）得出等级；
    专家（非成果所属单位）或市科技局确认或修正（修正须说明理由）。"""

    serializer_class = TrlAssessmentSerializer
    lookup_value_regex = r"\d+"
    queryset = TrlAssessment.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated]
    filterset_fields = ["achievement"]

    def get_queryset(self):
        return trl.assessments_for(self.request.user)

    @extend_schema(request=TrlSelfAssessSerializer, responses={201: TrlAssessmentSerializer})
    def create(self, request):
        data = TrlSelfAssessSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        achievement = trl.get_achievement(request.user, v["achievement"].pk)
        made = trl.self_assess(request.user, achievement, v["answers"])
        return Response(self.get_serializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TrlConfirmSerializer, responses=TrlAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """确认或修正自评等级（与自评不同时须说明理由；成果所属单位的专家应回避）。"""
        data = TrlConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        done = trl.confirm(request.user, self.get_object(), v["level"], v["reason"])
        return Response(self.get_serializer(done).data)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"])
    def scale(self, request):
        """技术就绪水平九级量表（confirmed 为 false 表示表述待核实）。"""
        return Response(trl.scale())


class ScreeningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """成果筛选评价：市科技局发起、调整专家、作出结论；受邀专家提交评分表（结论作出前可修改）。"""

    serializer_class = ScreeningSerializer
    lookup_value_regex = r"\d+"
    queryset = Screening.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated]
    filterset_fields = ["round", "decision", "achievement"]

    def get_queryset(self):
        return (
            svc.visible_screenings(self.request.user)
            .prefetch_related("experts", "achievement__trl_assessments")
            .order_by("-created_at", "-pk")
        )

    def get_object(self):
        # 403 with the reason for a screening one is not part of, 404 for none at all.
        return svc.get_screening(self.request.user, int(self.kwargs["pk"]))

    @extend_schema(request=OpenScreeningSerializer, responses={201: ScreeningSerializer})
    def create(self, request):
        svc.require_manage(request.user)
        data = OpenScreeningSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        made = svc.open_screening(request.user, v["achievement"], v["round"], v.get("experts"))
        return Response(self.get_serializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ScreeningExpertsSerializer, responses=ScreeningSerializer)
    @action(detail=True, methods=["post"])
    def experts(self, request, pk=None):
        """调整评价专家（已评分的专家不能移出；须回避的专家不能加入）。"""
        svc.require_manage(request.user)
        data = ScreeningExpertsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = svc.set_experts(request.user, self.get_object(), data.validated_data["experts"])
        return Response(self.get_serializer(done).data)

    @extend_schema(request=ScreeningDecideSerializer, responses=ScreeningSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """作出入选/不入选结论（须说明理由；至少有一份评分表；作出后不能再修改）。"""
        svc.require_manage(request.user)
        data = ScreeningDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        done = svc.decide(request.user, self.get_object(), v["decision"], v["reasons"])
        return Response(self.get_serializer(done).data)

    @extend_schema(request=ScreeningSubmitSheetSerializer, responses=ScreeningSheetSerializer)
    @action(detail=True, methods=["post"])
    def sheet(self, request, pk=None):
        """专家提交或修改本人的评分表：各指标0–100分，评价意见不少于10个字。"""
        data = ScreeningSubmitSheetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        sheet = svc.submit_sheet(request.user, self.get_object(), v["scores"], v["comment"])
        return Response(ScreeningSheetSerializer(sheet).data)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"])
    def indicators(self, request):
        """筛选评价指标体系：各指标权重（合计100）、等级划分和入选等级要求。"""
        return Response(svc.indicator_system())


router = DefaultRouter()
router.register(
    "transfer/trl-assessments", TrlAssessmentViewSet, basename="transfer-trl-assessment"
)
router.register("transfer/screenings", ScreeningViewSet, basename="transfer-screening")

urlpatterns = router.urls

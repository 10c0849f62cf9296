"""REST endpoints of 定价参考, over the same services as the pages: `preview` computes without
saving; POST keeps a dated report on the achievement; the list and detail read the reports of
achievements the user may value (their organisation's, or all for the bureau). The range checks
and their Chinese messages are the service's, keyed by field as on the form."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from kechuang.api import DefaultRouter
from resources.models import Achievement
from transfer.choices import ValuationMethod
from transfer.models import ValuationReport
from transfer.services import valuation as svc
from transfer.services.valuation_inputs import REVENUE_MODES, VARIANTS


def _number(help_text):
    return serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        coerce_to_string=False,
        required=False,
        allow_null=True,
        help_text=help_text,
    )


class ValuationRequestSerializer(serializers.Serializer):
    """The inputs of one method; fields of the other methods are ignored."""

    achievement = serializers.PrimaryKeyRelatedField(
        queryset=Achievement.objects.all(), help_text=_("科技成果编号")
    )
    method = serializers.ChoiceField(choices=ValuationMethod.choices, help_text=_("测算方法"))
    valuation_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("评估基准日，默认今天")
    )
    # 收益法
    variant = serializers.ChoiceField(
        choices=list(VARIANTS.items()), required=False, help_text=_("收益法：分成方式")
    )
    revenue_mode = serializers.ChoiceField(
        choices=list(REVENUE_MODES.items()),
        required=False,
        help_text=_("收益法：list 逐年预测收入；growth 首年收入 + 年增长率"),
    )
    revenues = serializers.ListField(
        child=serializers.DecimalField(max_digits=None, decimal_places=None),
        required=False,
        help_text=_("逐年销售收入预测（元），从第1年起"),
    )
    base_revenue = _number(_("第1年销售收入（元）"))
    growth_rate = _number(_("年增长率（%）"))
    horizon = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("收益年限（年），1–20")
    )
    margin = _number(_("销售利润率（%）"))
    share = _number(_("利润分成率（%）；三分法 33%、四分法 25%"))
    royalty = _number(_("销售收入提成率（%）；不填而给出行业时取行业参考区间中值"))
    industry = serializers.CharField(
        required=False, allow_blank=True, help_text=_("行业代码，见 transfer/data/valuation.json")
    )
    discount_rate = _number(_("折现率（%）"))
    # 成本法（倍加系数法）
    materials = _number(_("材料费 C（元）"))
    labour = _number(_("人工费 V（元）"))
    multiplier = _number(_("科研人员倍加系数 β₁"))
    return_rate = _number(_("投资报酬率 L（%）"))
    risk = _number(_("研发风险系数 β₂（%），符号待核实"))
    newness = _number(_("成新率（%），默认 100"))

    def inputs(self) -> dict:
        data = dict(self.validated_data)
        data.pop("achievement")
        data.pop("method")
        return {k: v for k, v in data.items() if v not in (None, "")}


class ValuationWorkingStepSerializer(serializers.Serializer):
    label = serializers.CharField()
    expr = serializers.CharField(required=False, help_text=_("算式"))
    result = serializers.CharField(required=False, help_text=_("算式的结果"))
    text = serializers.CharField(required=False, help_text=_("说明（没有算式的步骤）"))


class ValuationPreviewSerializer(serializers.Serializer):
    method = serializers.CharField()
    valuation_date = serializers.DateField()
    value = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        allow_null=True,
        help_text=_("参考价值（元）；可比交易不足时为空"),
    )
    inputs = serializers.JSONField()
    working = ValuationWorkingStepSerializer(many=True)
    sensitivity = serializers.JSONField()
    notes = serializers.ListField(child=serializers.CharField())
    refusal = serializers.CharField(help_text=_("不能给出参考价值的原因"))
    disclaimer = serializers.CharField()


class ValuationReportSerializer(serializers.ModelSerializer):
    achievement_title = serializers.CharField(source="achievement.title", read_only=True)
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    created_by = serializers.StringRelatedField()
    working = ValuationWorkingStepSerializer(many=True)
    notes = serializers.SerializerMethodField()
    disclaimer = serializers.SerializerMethodField()

    class Meta:
        model = ValuationReport
        fields = [
            "id",
            "achievement",
            "achievement_title",
            "method",
            "method_display",
            "valuation_date",
            "value",
            "inputs",
            "working",
            "sensitivity",
            "notes",
            "disclaimer",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_notes(self, obj: ValuationReport) -> list[str]:
        return svc.notes_for(obj.method, obj.inputs)

    def get_disclaimer(self, obj: ValuationReport) -> str:
        return str(svc.DISCLAIMER)


class ValuationReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """定价参考报告：成果所属单位和市科技局测算（preview 只算不存），POST 保存带日期的报告。"""

    serializer_class = ValuationReportSerializer
    queryset = ValuationReport.objects.none()  # for the schema; get_queryset() applies the rules
    permission_classes = [drf_permissions.IsAuthenticated]
    filterset_fields = ["method"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        reports = svc.visible_reports(self.request.user)
        achievement = self.request.query_params.get("achievement", "")
        if self.action == "list" and achievement.isdigit():
            # Asking for another organisation's achievement is refused, not answered empty.
            reports = svc.reports_for(
                self.request.user, svc.get_achievement(self.request.user, int(achievement))
            )
        return reports

    @extend_schema(
        parameters=[OpenApiParameter("achievement", int, description=_("只列该成果的报告"))]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(svc.get_report(request.user, int(pk))).data)

    def _request(self, request) -> tuple[Achievement, str, dict]:
        data = ValuationRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        achievement = svc.get_achievement(request.user, data.validated_data["achievement"].pk)
        return achievement, data.validated_data["method"], data.inputs()

    @extend_schema(request=ValuationRequestSerializer, responses={201: ValuationReportSerializer})
    def create(self, request):
        achievement, method, inputs = self._request(request)
        report = svc.save_report(request.user, achievement, method, inputs)
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ValuationRequestSerializer, responses=ValuationPreviewSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request):
        """只测算、不保存：返回输入、计算过程、结果和敏感性分析。"""
        achievement, method, inputs = self._request(request)
        result = svc.preview(request.user, achievement, method, inputs)
        body = {
            "method": result.method,
            "valuation_date": result.valuation_date,
            "value": result.value,
            "inputs": result.inputs,
            "working": result.working,
            "sensitivity": result.sensitivity,
            "notes": result.notes,
            "refusal": result.refusal,
            "disclaimer": str(svc.DISCLAIMER),
        }
        return Response(ValuationPreviewSerializer(body).data)


router = DefaultRouter()
router.register("transfer/valuations", ValuationReportViewSet, basename="transfer-valuation")

urlpatterns = router.urls

"""REST endpoints of the brain's indicators, over the same services as the pages: the catalog
with each indicator's progress toward its target, values (the values in use, or every revision)
filtered by indicator, region and period, entering a value (a new revision), and the province
and nation comparison lines. Leaders, the bureau and district admins (the city and their own
district) read; the bureau and district admins (own district) enter."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.response import Response

from brain.models import ComparisonValue, Indicator, IndicatorValue
from brain.services import targets, values
from core import permissions
from core.models import Region
from kechuang.api import DefaultRouter, SlugRelatedField


class MayViewBrain(drf_permissions.BasePermission):
    message = _("科创大脑仅供市科技局、市领导和区县管理员查看。")

    def has_permission(self, request, view) -> bool:
        return permissions.can(request.user, "brain.view")


class ProgressSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text=_("最新数值所在年份"))
    actual = serializers.DecimalField(max_digits=24, decimal_places=4)
    status = serializers.CharField(
        help_text=_(
            "reached 已达标, serious 严重滞后, warning 预警, on_track 进度正常, "
            "unjudged 无基期, trend 趋势监测"
        )
    )
    expected = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    gap = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    target_gap = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    percent = serializers.DecimalField(
        max_digits=24, decimal_places=2, allow_null=True, help_text=_("完成进度（%）")
    )
    elapsed = serializers.DecimalField(
        max_digits=24, decimal_places=2, allow_null=True, help_text=_("时间进度（%）")
    )
    required_pace = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    average_pace = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)


class IndicatorSerializer(serializers.ModelSerializer):
    direction_display = serializers.CharField(source="get_direction_display", read_only=True)
    frequency_display = serializers.CharField(source="get_frequency_display", read_only=True)
    method = serializers.CharField(
        read_only=True, help_text=_("entered 填报, imported 导入, computed 平台数据实时计算")
    )
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    progress = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "unit",
            "direction",
            "direction_display",
            "definition",
            "source",
            "frequency",
            "frequency_display",
            "method",
            "method_display",
            "computer",
            "baseline_year",
            "baseline_value",
            "target_year",
            "target_value",
            "target_note",
            "comparison_key",
            "decimals",
            "active",
            "progress",
            "status_label",
        ]
        read_only_fields = fields

    def _row(self, obj) -> targets.TargetRow:
        cache = self.context.setdefault("_rows", {})
        if obj.pk not in cache:
            cache[obj.pk] = targets.target_row(obj)
        return cache[obj.pk]

    @extend_schema_field(ProgressSerializer(allow_null=True))
    def get_progress(self, obj):
        row = self._row(obj)
        return ProgressSerializer(row.progress).data if row.progress else None

    def get_status_label(self, obj) -> str:
        return self._row(obj).status_label


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """监测指标目录，含每个指标的最新市级数值与目标进度、预警状态。"""

    serializer_class = IndicatorSerializer
    queryset = Indicator.objects.filter(active=True)
    permission_classes = [drf_permissions.IsAuthenticated, MayViewBrain]
    lookup_field = "code"
    filterset_fields = ["method", "frequency"]


class ValueSerializer(serializers.ModelSerializer):
    indicator = SlugRelatedField(
        slug_field="code", queryset=Indicator.objects.filter(active=True), help_text=_("指标代码")
    )
    region = SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.all(),
        help_text=_("区域代码（市级为 220100）"),
    )
    region_name = serializers.CharField(source="region.name", read_only=True)
    period = serializers.CharField(help_text=_("年度 2025；季度 2025Q3；月度 2025-07"))
    value = serializers.CharField(help_text=_("数值，按指标单位"))
    entered_by = serializers.CharField(source="entered_by.__str__", read_only=True)

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "indicator",
            "region",
            "region_name",
            "period",
            "value",
            "revision",
            "is_current",
            "note",
            "entered_by",
            "entered_at",
        ]
        read_only_fields = ["id", "revision", "is_current", "entered_by", "entered_at"]
        validators = []  # the service numbers revisions

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["value"] = str(instance.value)
        return data


class ValueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """指标数值：默认只列现行值（history=1 列出全部修订）；POST 填报一个数值，已有数值时成为新的修订。"""

    serializer_class = ValueSerializer
    queryset = IndicatorValue.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated, MayViewBrain]

    def get_queryset(self):
        regions = values.visible_regions(self.request.user)
        rows = IndicatorValue.objects.filter(region__in=regions).select_related(
            "indicator", "region", "entered_by"
        )
        params = self.request.query_params
        if params.get("history") not in ("1", "true"):
            rows = rows.filter(is_current=True)
        if params.get("indicator"):
            rows = rows.filter(indicator__code=params["indicator"])
        if params.get("region"):
            rows = rows.filter(region__code=params["region"])
        if params.get("period"):
            rows = rows.filter(period=params["period"].strip().upper())
        return rows.order_by("indicator__sort_order", "region__sort_order", "period", "-revision")

    @extend_schema(
        parameters=[
            OpenApiParameter("indicator", str, description=_("指标代码")),
            OpenApiParameter("region", str, description=_("区域代码")),
            OpenApiParameter("period", str, description=_("期别")),
            OpenApiParameter("history", bool, description=_("为 1 时列出全部修订")),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def create(self, request):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        saved = values.enter_value(
            request.user, v["indicator"], v["region"], v["period"], v["value"], v.get("note", "")
        )
        return Response(self.get_serializer(saved).data, status=status.HTTP_201_CREATED)


class ComparisonSerializer(serializers.ModelSerializer):
    class Meta:
        model = ComparisonValue
        fields = ["id", "key", "area", "year", "value", "unit", "source"]
        read_only_fields = fields


class ComparisonViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """省、全国对比数据（由数据文件加载）；key 为对比数据指标名，如 RD强度。"""

    serializer_class = ComparisonSerializer
    queryset = ComparisonValue.objects.all()
    permission_classes = [drf_permissions.IsAuthenticated, MayViewBrain]
    filterset_fields = ["key", "area", "year"]


router = DefaultRouter()
router.register("brain/indicators", IndicatorViewSet, basename="brain-indicator")
router.register("brain/values", ValueViewSet, basename="brain-value")
router.register("brain/comparisons", ComparisonViewSet, basename="brain-comparison")

urlpatterns = router.urls

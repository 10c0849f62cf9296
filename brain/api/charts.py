"""The dashboard's chart data through the API: the same plain data the page embeds, for the
same users (leaders, the bureau, district admins within their reach)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from brain.services import charts
from brain.views.dashboard import choose, require_view


class DashboardChartsView(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("indicator", str, description="指标代码；缺省为第一个有数据的指标"),
            OpenApiParameter("period", str, description="期别；缺省为该指标最新一期"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        """科创大脑看板数据：分区域地图、区域排名、走势与规划目标、成果转化漏斗。"""
        require_view(request.user)
        indicators, indicator, periods, period = choose(request.query_params)
        data = charts.dashboard(request.user, indicator, period)
        data["indicators"] = [{"code": i.code, "name": i.name} for i in indicators]
        data["periods"] = periods
        data["period"] = period
        return Response(data)


urlpatterns = [
    path("brain/charts/", DashboardChartsView.as_view(), name="brain_charts_api"),
]

"""The district innovation index through the API: the same service as the pages, for the same
users (leaders, the bureau; a district admin gets their own unit's rows and records)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from brain.services import district_index as svc
from brain.services import periods, values


class IndexQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False,
        min_value=periods.MIN_YEAR,
        max_value=periods.MAX_YEAR,
        help_text=_("年度；缺省为最近一个已结束且有数据的年度"),
    )


class DistrictIndexView(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(parameters=[IndexQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        """县（市）区科技创新指数：各单位得分、排名、敏感性分析排名区间、各方案排名和计算记录（补齐、缩尾、标准化区间、权重），以及所用数据版本。"""
        values.require_view(request.user)
        query = IndexQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or svc.default_year()
        return Response(svc.api_payload(svc.district_index_for(request.user, year)))


urlpatterns = [path("brain/index/", DistrictIndexView.as_view(), name="brain_index_api")]

"""The match workflow through the API: the same services and permissions as the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from bridging import permissions as match_permissions
from bridging.api.serializers import (
    AdvanceSerializer,
    FailSerializer,
    FeedbackSerializer,
    MatchCreateSerializer,
    MatchSerializer,
    NextStepSerializer,
    NoteSerializer,
)
from bridging.models import Match
from bridging.services import matches
from core.models import Organisation
from resources.choices import RecordStatus
from resources.models import Achievement, Demand, Expert

_SUPPLY_MODELS = {"achievement": Achievement, "expert": Expert, "institute": Organisation}


class MatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """供需对接：经纪人、管理部门与对接双方可见；推进、关闭由负责的经纪人或管理部门办理。"""

    serializer_class = MatchSerializer
    queryset = Match.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated]
    filterset_fields = ["status", "supply_kind"]

    def get_queryset(self):
        qs = Match.objects.select_related("demand", "achievement", "expert", "institute", "broker")
        return match_permissions.visible_matches(qs, self.request.user)

    def _reply(self, match, code=status.HTTP_200_OK):
        return Response(MatchSerializer(match).data, status=code)

    @extend_schema(request=MatchCreateSerializer, responses=MatchSerializer)
    def create(self, request):
        """发起对接（经纪人、管理部门或需求方）。"""
        data = MatchCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        demand = get_object_or_404(
            Demand, pk=data.validated_data["demand"], status=RecordStatus.PUBLISHED
        )
        supply = get_object_or_404(
            _SUPPLY_MODELS[data.validated_data["supply_kind"]], pk=data.validated_data["target"]
        )
        match = matches.create_match(
            request.user, demand, supply, explanation=data.validated_data.get("explanation", "")
        )
        return self._reply(match, status.HTTP_201_CREATED)

    @extend_schema(request=AdvanceSerializer, responses=MatchSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """推进到下一阶段（推荐 → 已联系 → 洽谈中 → 已签约）。"""
        data = AdvanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._reply(matches.advance(request.user, self.get_object(), **data.validated_data))

    @extend_schema(request=FailSerializer, responses=MatchSerializer)
    @action(detail=True, methods=["post"])
    def fail(self, request, pk=None):
        """标记为未成，须说明原因。"""
        data = FailSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        match = matches.fail(
            request.user,
            self.get_object(),
            data.validated_data["failure_reason"],
            data.validated_data.get("failure_note", ""),
        )
        return self._reply(match)

    @extend_schema(request=NextStepSerializer, responses=MatchSerializer)
    @action(detail=True, methods=["post"], url_path="next-step")
    def next_step(self, request, pk=None):
        """安排下一步工作和期限。"""
        data = NextStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        match = matches.plan_next_step(
            request.user,
            self.get_object(),
            data.validated_data["next_step"],
            data.validated_data.get("next_step_due"),
        )
        return self._reply(match)

    @extend_schema(request=NoteSerializer, responses=NoteSerializer(many=True))
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def notes(self, request, pk=None):
        """对接记录：查看或添加。"""
        match = self.get_object()
        if request.method == "POST":
            data = NoteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            matches.add_note(request.user, match, data.validated_data["text"])
        return Response(NoteSerializer(match.notes.select_related("author"), many=True).data)

    @extend_schema(request=FeedbackSerializer, responses=MatchSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        """对接双方表达意向（有意向 / 不合适）。"""
        data = FeedbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._reply(
            matches.give_feedback(request.user, self.get_object(), data.validated_data["feedback"])
        )

    @extend_schema(request=None, responses=MatchSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """技术经纪人认领对接。"""
        return self._reply(matches.claim(request.user, self.get_object()))

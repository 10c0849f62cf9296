"""Science programs through the API: the same services and permissions as the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core import permissions
from core.exceptions import NotAllowed
from core.services.jobs import start_job
from programs.api.serializers import (
    AcceptanceSerializer,
    ApplicationSerializer,
    ApplicationWriteSerializer,
    AssignmentSerializer,
    AttachmentUploadSerializer,
    CallSerializer,
    CallWriteSerializer,
    ChangeSerializer,
    ContractSerializer,
    DecideSerializer,
    DecisionReasonSerializer,
    InspectionSerializer,
    ObjectionSerializer,
    OutcomeSerializer,
    PanelMemberSerializer,
    PanelRequestSerializer,
    ProposeSerializer,
    PublicitySerializer,
    RecusalSerializer,
    ReportReviewSerializer,
    ReportSerializer,
    ResolveSerializer,
    RespondSerializer,
    ScoreSheetSerializer,
    TransitionSerializer,
    VerdictSerializer,
)
from programs.filtersets import ApplicationFilterSet, CallFilterSet
from programs.models import (
    Acceptance,
    Application,
    Call,
    ChangeRequest,
    Contract,
    ProgressReport,
    Publicity,
    ReviewAssignment,
)
from programs.services import applications as service
from programs.services import calls, decision, execution, review


class CallViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """申报指南：已发布的公开可见；草稿只有组织部门可见。"""

    serializer_class = CallSerializer
    queryset = Call.objects.none()
    filterset_class = CallFilterSet

    def get_queryset(self):
        return calls.calls_for(self.request.user).prefetch_related("topics", "eligible_regions")

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return CallWriteSerializer
        return CallSerializer

    def create(self, request):
        data = CallWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        topics = values.pop("topics", [])
        call = calls.create_call(request.user, topics=topics, **values)
        return Response(CallSerializer(call).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        call = calls.get_call_for_user(request.user, pk, manage=True)
        data = CallWriteSerializer(call, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("topics", None)
        call = calls.update_call(request.user, call, **values)
        return Response(CallSerializer(call).data)

    @extend_schema(request=None, responses=CallSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """发布指南。"""
        call = calls.publish_call(
            request.user, calls.get_call_for_user(request.user, pk, manage=True)
        )
        return Response(CallSerializer(call).data)

    @extend_schema(request=PanelRequestSerializer, responses={202: dict})
    @action(detail=True, methods=["post"])
    def panel(self, request, pk=None):
        """组建评审专家组：立项评审，或 stage=acceptance 的验收评审（后台任务，返回任务编号，
        可在 /api/jobs/ 查看进度）。"""
        data = PanelRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call = calls.get_call_for_user(request.user, pk, manage=True)
        params = {"call": call.pk, "actor": request.user.pk, **data.validated_data}
        job = start_job(request.user, "programs.panel", f"组建评审专家组：{call.title}", params)
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=ProposeSerializer, responses=ApplicationSerializer(many=True))
    @action(detail=True, methods=["post"], pagination_class=None)
    def propose(self, request, pk=None):
        """拟立项：选定评审完成的项目及其拟资助经费。"""
        data = ProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call = calls.get_call_for_user(request.user, pk, manage=True)
        funding = {int(k): v for k, v in data.validated_data["funding"].items()}
        chosen = decision.propose(request.user, call, funding)
        return Response(ApplicationSerializer(chosen, many=True).data)

    @extend_schema(request=None, responses=PublicitySerializer)
    @action(detail=True, methods=["post"])
    def publicity(self, request, pk=None):
        """开始立项公示（期限按法定工作日计算）。"""
        call = calls.get_call_for_user(request.user, pk, manage=True)
        publicity = decision.start_publicity(request.user, call)
        return Response(PublicitySerializer(publicity).data, status=status.HTTP_201_CREATED)


class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """项目申报书：申报单位填报、提交、确认；管理部门形式审查。"""

    serializer_class = ApplicationSerializer
    queryset = Application.objects.none()
    permission_classes = [drf_permissions.IsAuthenticated]
    filterset_class = ApplicationFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return service.applications_for(self.request.user).prefetch_related(
            "budget_lines", "attachments"
        )

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return ApplicationWriteSerializer
        return ApplicationSerializer

    def _reply(self, application, code=status.HTTP_200_OK):
        application = service.get_application_for_user(self.request.user, application.pk)
        return Response(ApplicationSerializer(application).data, status=code)

    def _get(self, pk):
        return service.get_application_for_user(self.request.user, pk)

    @extend_schema(request=ApplicationWriteSerializer, responses=ApplicationSerializer)
    def create(self, request):
        data = ApplicationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        call = values.pop("call", None)
        if call is None:
            return Response(
                {"code": "invalid", "message": "请指定申报的指南。", "errors": {"call": ["必填"]}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        call = calls.get_call_for_user(request.user, call.pk)
        application = service.create_application(request.user, call, **values)
        return self._reply(application, status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationWriteSerializer, responses=ApplicationSerializer)
    def update(self, request, pk=None, partial=False):
        application = service.get_application_for_user(request.user, pk, write=True)
        data = ApplicationWriteSerializer(application, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("call", None)
        return self._reply(service.update_application(request.user, application, **values))

    @extend_schema(request=AttachmentUploadSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def attachments(self, request, pk=None):
        """上传附件（PDF、docx、xlsx、JPG/PNG，≤20 MB）。"""
        data = AttachmentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = self._get(pk)
        service.add_attachment(
            request.user, application, data.validated_data["kind"], data.validated_data["file"]
        )
        return self._reply(application, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """提交单位审核（截止前；退回的在修改期限内）。"""
        return self._reply(service.submit_application(request.user, self._get(pk)))

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """单位审核通过（申报单位管理员）。"""
        return self._reply(service.confirm_application(request.user, self._get(pk)))

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """形式审查通过。"""
        return self._reply(service.accept_application(request.user, self._get(pk)))

    @extend_schema(request=DecisionReasonSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """形式审查退回修改（仅一次）。"""
        data = DecisionReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._reply(
            service.return_application(request.user, self._get(pk), data.validated_data["reason"])
        )

    @extend_schema(request=DecisionReasonSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """形式审查不予受理。"""
        data = DecisionReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._reply(
            service.reject_application(request.user, self._get(pk), data.validated_data["reason"])
        )

    @extend_schema(responses=TransitionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        """流转记录。"""
        application = self._get(pk)
        return Response(
            TransitionSerializer(application.transitions.select_related("actor"), many=True).data
        )

    @extend_schema(request=ContractSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["get", "post"])
    def contract(self, request, pk=None):
        """任务书：管理部门下达（POST），项目各方查看（GET）。"""
        application = self._get(pk)
        if request.method == "GET":
            return Response(
                ContractSerializer(get_object_or_404(Contract, application=application)).data
            )
        data = ContractSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = execution.issue_contract(request.user, application, **data.validated_data)
        return Response(ContractSerializer(contract).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """承担单位管理员签署任务书，项目进入执行。"""
        contract = get_object_or_404(Contract, application=self._get(pk))
        return Response(ContractSerializer(execution.sign_contract(request.user, contract)).data)

    @extend_schema(responses=ReportSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def reports(self, request, pk=None):
        """进展报告计划与提交情况。"""
        return Response(ReportSerializer(self._get(pk).reports.all(), many=True).data)

    @extend_schema(methods=["GET"], responses=InspectionSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=InspectionSerializer, responses={201: InspectionSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def inspections(self, request, pk=None):
        """中期检查记录。"""
        application = self._get(pk)
        if request.method == "POST":
            data = InspectionSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            inspection = execution.record_inspection(
                request.user, application, **data.validated_data
            )
            return Response(InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)
        return Response(InspectionSerializer(application.inspections.all(), many=True).data)

    @extend_schema(methods=["GET"], responses=ChangeSerializer(many=True))
    @extend_schema(methods=["POST"], request=ChangeSerializer, responses={201: ChangeSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def changes(self, request, pk=None):
        """变更申请：承担单位提出，管理部门审批（/api/changes/<id>/decide/）。"""
        application = self._get(pk)
        if request.method == "POST":
            data = ChangeSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            change = execution.request_change(
                request.user,
                application,
                values["kind"],
                values["reason"],
                values.get("proposed", {}),
            )
            return Response(ChangeSerializer(change).data, status=status.HTTP_201_CREATED)
        return Response(ChangeSerializer(application.changes.all(), many=True).data)

    @extend_schema(request=AcceptanceSerializer, responses=AcceptanceSerializer)
    @action(detail=True, methods=["get", "post"])
    def acceptance(self, request, pk=None):
        """验收：承担单位提交总结报告（POST）；查看评分与结论（GET）。"""
        application = self._get(pk)
        if request.method == "GET":
            return Response(
                AcceptanceSerializer(get_object_or_404(Acceptance, application=application)).data
            )
        data = AcceptanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        acceptance = execution.submit_final_report(
            request.user, application, summary=data.validated_data["summary"],
            indicators_met=data.validated_data.get("indicators_met", []),
        )  # fmt: skip
        return Response(AcceptanceSerializer(acceptance).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VerdictSerializer, responses=AcceptanceSerializer)
    @action(detail=True, methods=["post"])
    def verdict(self, request, pk=None):
        """验收结论：通过 / 结题 / 不通过。"""
        data = VerdictSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        acceptance = execution.give_verdict(
            request.user, self._get(pk), data.validated_data["verdict"], data.validated_data["note"]
        )
        return Response(AcceptanceSerializer(acceptance).data)

    @extend_schema(methods=["GET"], responses=OutcomeSerializer(many=True))
    @extend_schema(methods=["POST"], request=OutcomeSerializer, responses={201: OutcomeSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def outcomes(self, request, pk=None):
        """验收后的成果跟踪。"""
        application = self._get(pk)
        if request.method == "POST":
            data = OutcomeSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            outcome = execution.record_outcome(request.user, application, **data.validated_data)
            return Response(OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)
        return Response(OutcomeSerializer(application.outcomes.all(), many=True).data)

    @extend_schema(responses=PanelMemberSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def panel(self, request, pk=None):
        """评审专家组：每位专家的遴选依据、答复与得分（组织评审的管理部门）。"""
        application = self._get(pk)
        if not review.may_see_panel(request.user, application):
            raise NotAllowed("您无权查看评审专家组。")
        members = application.assignments.select_related("expert__owner")
        return Response(PanelMemberSerializer(members, many=True).data)

    @extend_schema(responses=RecusalSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def recusals(self, request, pk=None):
        """回避记录：哪些专家因何回避（组织评审的管理部门）。"""
        application = self._get(pk)
        if not review.may_see_panel(request.user, application):
            raise NotAllowed("您无权查看回避记录。")
        recusals = application.recusals.select_related("expert__owner").order_by("expert_id")
        return Response(RecusalSerializer(recusals, many=True).data)


class PublicityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """立项公示：公开可见；任何人可在公示期内提出异议。"""

    serializer_class = PublicitySerializer
    queryset = Publicity.objects.select_related("call").order_by("-starts_on", "-pk")
    permission_classes = [drf_permissions.AllowAny]

    @extend_schema(request=ObjectionSerializer, responses=ObjectionSerializer)
    @action(detail=True, methods=["get", "post"])
    def objections(self, request, pk=None):
        """提出异议（公示期内，须留姓名和联系方式）；管理部门可查看全部异议。"""
        publicity = self.get_object()
        if request.method == "GET":
            if not permissions.can(request.user, "programs.manage_call", publicity.call):
                raise NotAllowed("只有组织该指南的管理部门可以查看异议。")
            return Response(ObjectionSerializer(publicity.objections.all(), many=True).data)
        data = ObjectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        application = values.pop("application")
        objection = decision.file_objection(request.user, publicity, application, **values)
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ResolveSerializer, responses=ObjectionSerializer)
    @action(detail=True, methods=["post"], url_path=r"objections/(?P<objection>\d+)/resolve")
    def resolve(self, request, pk=None, objection=None):
        """处理异议：成立（项目不予立项）或不成立，须写处理意见。"""
        data = ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        publicity = self.get_object()
        item = get_object_or_404(publicity.objections, pk=objection)
        return Response(
            ObjectionSerializer(
                decision.resolve_objection(request.user, item, **data.validated_data)
            ).data
        )

    @extend_schema(request=None, responses=PublicitySerializer)
    @action(detail=True, methods=["post"])
    def finalise(self, request, pk=None):
        """公示期满、异议处理完毕后正式立项，生成立项通知（PDF）。"""
        return Response(
            PublicitySerializer(decision.finalise(request.user, self.get_object())).data
        )


class ReportViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """进展报告：承担单位提交，管理部门审核。"""

    serializer_class = ReportSerializer
    permission_classes = [drf_permissions.IsAuthenticated]

    def get_queryset(self):
        visible = service.applications_for(self.request.user)
        return ProgressReport.objects.filter(application__in=visible)

    @extend_schema(request=ReportSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """提交进展报告。"""
        data = ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        report = execution.submit_report(
            request.user, self.get_object(), progress=values.get("progress", ""),
            spent=values.get("spent"), problems=values.get("problems", ""),
        )  # fmt: skip
        return Response(ReportSerializer(report).data)

    @extend_schema(request=ReportReviewSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """审核进展报告：通过或退回补充。"""
        data = ReportReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = execution.review_report(request.user, self.get_object(), **data.validated_data)
        return Response(ReportSerializer(report).data)


class ChangeViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """变更申请的审批。"""

    serializer_class = ChangeSerializer
    permission_classes = [drf_permissions.IsAuthenticated]

    def get_queryset(self):
        return ChangeRequest.objects.filter(
            application__in=service.applications_for(self.request.user)
        )

    @extend_schema(request=DecideSerializer, responses=ChangeSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """批准（变更生效）或不批准（须写理由）。"""
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = execution.decide_change(request.user, self.get_object(), **data.validated_data)
        return Response(ChangeSerializer(change).data)


class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """专家的评审任务：答复邀请、查看申报书、提交评分。"""

    serializer_class = AssignmentSerializer
    permission_classes = [drf_permissions.IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no expert
            return ReviewAssignment.objects.none()
        return review.assignments_for_expert(self.request.user)

    def retrieve(self, request, pk=None):
        return Response(
            AssignmentSerializer(review.get_assignment_for_expert(request.user, pk)).data
        )

    @extend_schema(request=RespondSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """接受或谢绝评审邀请；存在利益冲突时声明回避。"""
        data = RespondSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = review.get_assignment_for_expert(request.user, pk)
        assignment = review.respond(request.user, assignment, **data.validated_data)
        return Response(AssignmentSerializer(assignment).data)

    @extend_schema(responses=ApplicationSerializer)
    @action(detail=True, methods=["get"])
    def application(self, request, pk=None):
        """申报书全文（接受邀请后）。"""
        assignment = review.open_application_as_expert(request.user, pk)
        application = get_object_or_404(Application, pk=assignment.application_id)
        return Response(ApplicationSerializer(application).data)

    @extend_schema(request=ScoreSheetSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def scores(self, request, pk=None):
        """提交评分表（提交后不能修改）。"""
        data = ScoreSheetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = review.get_assignment_for_expert(request.user, pk)
        assignment = review.submit_scores(
            request.user, assignment, data.validated_data["scores"], data.validated_data["comment"]
        )
        return Response(AssignmentSerializer(assignment).data)

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"])
    def others(self, request, pk=None):
        """其他专家的评分（匿名；本人提交后可见）。"""
        assignment = review.get_assignment_for_expert(request.user, pk)
        return Response(review.others_scores(request.user, assignment))

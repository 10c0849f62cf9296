"""Matrix objects of integrity and science programs."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

BUDGET = {"equipment": "30", "business": "50", "labour": "20", "indirect": "20"}


def build(tc, d) -> None:
    _integrity(tc, d)
    _programs(tc, d)


def _integrity(tc, d) -> None:
    from integrity.factories import IntegrityRecordFactory

    d.integrity_record = IntegrityRecordFactory(organisation=d.third_org)
    d.integrity_record.decision_document.save(
        "decision.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True
    )


def _application(user, call, topic, title: str):
    from programs.choices import AttachmentKind
    from programs.factories import pdf_upload
    from programs.services import applications as service

    application = service.create_application(
        user,
        call,
        title=title,
        summary="研究高功率半导体激光器封装结构与散热，提高输出功率。",
        keywords="半导体激光器，封装，散热",
        pi_name="王研究",
        topic=topic,
        requested_funding=Decimal("80"),
        self_funding=Decimal("40"),
        budget=BUDGET,
    )
    d_attachment = service.add_attachment(user, application, AttachmentKind.PROPOSAL, pdf_upload())
    return application, d_attachment


def _programs(tc, d) -> None:
    from programs.choices import (
        ApplicationStatus,
        AssignmentStatus,
        CallStatus,
        ChangeKind,
        ObjectionStatus,
        ReviewStage,
    )
    from programs.factories import CallFactory, TopicFactory
    from programs.models import Application, Objection, ReviewAssignment
    from programs.services import applications as service
    from programs.services import decision, execution
    from resources.factories import ExpertFactory

    d.call = CallFactory(title="矩阵测试·重点研发计划指南")
    d.topic = TopicFactory(call=d.call)
    d.draft_call = CallFactory(
        title="矩阵测试·未发布指南", status=CallStatus.DRAFT, published_at=None
    )
    open_call = CallFactory(title="矩阵测试·开放申报指南")
    # A draft application of the enterprise, with its proposal attached.
    d.application, d.attachment = _application(
        tc.enterprise, open_call, TopicFactory(call=open_call), "未提交的激光器封装项目"
    )
    # A draft of an enterprise in another district (南关区): not the district admin's.
    d.nanguan_application, d.nanguan_attachment = _application(
        tc.other_enterprise, open_call, TopicFactory(call=open_call), "南关区企业的申报书"
    )
    # A project carried through review, 立项, 公示 and 任务书 into execution.
    project, _attachment = _application(tc.enterprise, d.call, d.topic, "执行中的激光器封装项目")
    service.submit_application(tc.enterprise, project)
    service.confirm_application(tc.enterprise, project)
    Application.objects.filter(pk=project.pk).update(
        status=ApplicationStatus.REVIEWED, review_score=Decimal("85")
    )
    decision.propose(tc.city_admin, d.call, {project.pk: "80"})
    d.publicity = decision.start_publicity(
        tc.city_admin, d.call, starts_on=timezone.localdate() - datetime.timedelta(days=30)
    )
    d.objection = Objection.objects.create(
        publicity=d.publicity,
        application=project,
        name="匿名群众",
        contact="13800001111",
        content="该项目负责人同期承担两项同类项目。",
        status=ObjectionStatus.DISMISSED,
        resolution="经核实不成立。",
    )
    decision.finalise(tc.city_admin, d.publicity)
    project.refresh_from_db()
    # Started a month ago: its first progress report is not due yet, so nothing is overdue.
    start = timezone.localdate() - datetime.timedelta(days=30)
    d.contract = execution.issue_contract(
        tc.city_admin,
        project,
        start_date=start,
        end_date=start + datetime.timedelta(days=730),
        funding="80",
        budget={"equipment": "20", "business": "40", "labour": "20"},
        milestones=[{"title": "样机研制", "due": "2027-06-30", "deliverable": "样机1台"}],
        indicators=[{"name": "输出功率", "target": "≥100W"}],
    )
    execution.sign_contract(tc.enterprise, d.contract)
    project.refresh_from_db()
    d.project = project
    d.project_attachment = _attachment
    d.report = project.reports.order_by("due_date").first()
    d.change = execution.request_change(
        tc.enterprise,
        project,
        ChangeKind.CONTENT,
        "调整研究内容以适应新工艺。",
        {"content": "增加车规级封装验证。"},
    )
    execution.submit_final_report(
        tc.enterprise,
        project,
        summary="项目按计划完成样机研制，各项指标达到任务书要求。",
        indicators_met=[],
    )
    project.refresh_from_db()
    # The expert persona reviews the project (accepted), so it may open it through the review.
    expert = ExpertFactory(owner=tc.university, user=tc.expert, title="刘专家")
    d.assignment = ReviewAssignment.objects.create(
        application=project,
        expert=expert,
        stage=ReviewStage.REVIEW,
        status=AssignmentStatus.ACCEPTED,
        affinity=0.8,
        responded_at=timezone.now(),
    )

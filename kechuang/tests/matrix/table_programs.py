"""Research-integrity records and science programs."""

from __future__ import annotations

from kechuang.tests.matrix.spec import (
    ANYONE,
    NOBODY,
    SIGNED_IN,
    Endpoint,
    action,
    asks,
    can,
    finds,
    may,
    page,
)
from programs.factories import pdf_upload
from programs.services import review
from programs.views.sections import may_download_notice

# The objects a programs URL is opened on, and the rule behind each.
CALLS = ("call", "draft_call")
APPS = ("application", "project", "nanguan_application")
PROJECT = ("project",)
VIEW_CALL = can("programs.view_call")
MANAGE_CALL = can("programs.manage_call")
MANAGES_ITS_CALL = can("programs.manage_call", of=lambda o, d: o.call)
MANAGES_OBJECTIONS = can("programs.manage_call", of=lambda o, d: o.publicity.call)
VIEW_APP = can("programs.view_application")
CHANGE_APP = can("programs.change_application")
REPORTS = can("programs.report_application")
SUPERVISES = can("programs.supervise_application")
CHECKS = can("programs.check_application")
CONFIRMS = can("programs.confirm_application")
SEES_PANEL = VIEW_APP & can("programs.review_application")
OF_APPLICATION = {"of": lambda o, d: o.application}
ASSIGNED = finds(review.get_assignment_for_expert)
OPENS_AS_EXPERT = finds(review.open_application_as_expert)
READ_RECORDS = may("integrity.view_record")
RECORD = ("integrity_record",)
CONTRACT = {
    "start_date": "2026-01-01",
    "end_date": "2027-12-31",
    "funding": "80",
    "budget": {"equipment": "20", "business": "40", "labour": "20"},
    "milestones": [{"title": "样机研制", "due": "2027-06-30", "deliverable": "样机1台"}],
    "indicators": [{"name": "输出功率", "target": "≥100W"}],
}
PROGRESS = "越权提交的内容：研究进展顺利，样机已完成装配与初步测试，各项指标正常。"
CONTRACT_FORM = {
    "contract-start_date": "2026-01-01",
    "contract-end_date": "2027-12-31",
    "contract-funding": "80",
    "contract-report_every_months": "6",
    "contract-milestones": "样机研制｜2027-06-30｜样机1台",
    "contract-indicators": "输出功率｜≥100W",
}
SEES_OTHERS = finds(lambda u, pk: review.others_scores(u, review.get_assignment_for_expert(u, pk)))


def sub(name: str, attribute: str):
    """URL arguments of a project's sub-object (a report, a change, an attachment)."""
    return lambda o, d: {"pk": d.project.pk, name: getattr(d, attribute).pk}


TABLE: dict[str, Endpoint | list[Endpoint]] = {
    # integrity pages
    "integrity_list": page(
        READ_RECORDS,
        *RECORD,
        args=lambda o, d: {},
        secret=lambda o, d: o.decision_number,
        shows=READ_RECORDS,
    ),
    "integrity_create": page(may("integrity.add_record")),
    "integrity_import": page(may("integrity.add_record")),
    "integrity_import_template": page(may("integrity.add_record")),
    "integrity_detail": page(can("integrity.view_record"), *RECORD),
    "integrity_edit": page(
        can("integrity.change_record"),
        *RECORD,
        methods=("post",),
        payload={"finding": "被篡改的失信事实"},
    ),
    "integrity_revoke": action(
        can("integrity.revoke_record"), *RECORD, payload={"reason": "越权撤销"}
    ),
    "integrity_document": page(can("integrity.view_record"), *RECORD),
    # integrity API
    "integrity-record-list": page(
        READ_RECORDS,
        *RECORD,
        args=lambda o, d: {},
        secret=lambda o, d: o.decision_number,
        shows=READ_RECORDS,
    ),
    "integrity-record-detail": page(
        can("integrity.view_record"),
        *RECORD,
        methods=("patch",),
        write=can("integrity.change_record"),
        payload={"finding": "被篡改的失信事实"},
    ),
    "integrity-record-revoke": action(
        can("integrity.revoke_record"), *RECORD, payload={"reason": "越权撤销"}
    ),
    "api_integrity_check": page(
        READ_RECORDS,
        "integrity_record",
        args=lambda o, d: {},
        query="activity=apply&organisation={o.organisation_id}",
    ),
    # programs pages: calls and 公示
    "program_call_list": page(
        ANYONE, "draft_call", args=lambda o, d: {}, secret=lambda o, d: o.title, shows=VIEW_CALL
    ),
    "program_call_create": page(may("programs.manage_call")),
    "program_call_detail": page(VIEW_CALL, *CALLS),
    "program_call_edit": page(
        MANAGE_CALL, *CALLS, methods=("post",), payload={"title": "被篡改的指南"}
    ),
    "program_topic_add": action(
        MANAGE_CALL, *CALLS, payload={"code": "YQ01", "title": "越权方向", "description": "越权"}
    ),
    "program_call_publish": action(MANAGE_CALL, "draft_call"),
    "program_call_panel": action(MANAGE_CALL, "call"),
    "program_call_propose": action(MANAGE_CALL, "call"),
    "program_publicity_start": action(MANAGE_CALL, "call"),
    "program_publicity_detail": page(ANYONE, "publicity"),
    "program_objection_resolve": action(
        MANAGES_OBJECTIONS,
        "objection",
        args=lambda o, d: {"pk": o.publicity_id, "objection": o.pk},
        rows=("objection",),
        payload=lambda o, d: {f"objection-{o.pk}-resolution": "越权处理", "upheld": "1"},
    ),
    "program_publicity_finalise": action(MANAGES_ITS_CALL, "publicity"),
    "program_publicity_notice": page(
        asks(may_download_notice, of=lambda o, d: o.call), "publicity"
    ),
    # programs pages: applications and projects
    "program_application_list": page(
        SIGNED_IN, "project", args=lambda o, d: {}, secret=lambda o, d: o.title, shows=VIEW_APP
    ),
    "program_application_create": page(
        may("programs.add_application") & VIEW_CALL,
        *CALLS,
        args=lambda o, d: {},
        query="call={o.pk}",
    ),
    "program_application_detail": page(VIEW_APP, *APPS),
    "program_application_edit": page(
        CHANGE_APP,
        *APPS,
        methods=("post",),
        payload={"title": "被篡改的项目名称"},
        refused=(302,),
        why="one who may read it is sent back to it with the reason",
    ),
    "program_attachment_add": action(
        CHANGE_APP, *APPS, payload=lambda o, d: {"kind": "other", "file": pdf_upload("越权.pdf")}
    ),
    "program_attachment": [
        page(
            can("programs.view_application", **OF_APPLICATION),
            "attachment",
            args=lambda o, d: {"pk": o.application_id, "attachment": o.pk},
        ),
        page(
            NOBODY,
            "nanguan_attachment",
            args=lambda o, d: {"pk": d.application.pk, "attachment": o.pk},
            why="another application's attachment under one's own application",
        ),
    ],
    "program_attachment_remove": action(
        can("programs.change_application", of=lambda o, d: o.application),
        "attachment",
        args=lambda o, d: {"pk": o.application_id, "attachment": o.pk},
    ),
    "program_contract_issue": action(MANAGES_ITS_CALL, *PROJECT, payload=CONTRACT_FORM),
    "program_contract_sign": action(CONFIRMS, *PROJECT),
    "program_report_submit": action(
        REPORTS,
        *PROJECT,
        args=sub("report", "report"),
        rows=("report",),
        payload=lambda o, d: {f"report-{d.report.pk}-progress": PROGRESS},
    ),
    "program_report_review": action(
        SUPERVISES,
        *PROJECT,
        args=sub("report", "report"),
        rows=("report",),
        payload={"decision": "accept"},
    ),
    "program_inspection_add": action(
        SUPERVISES,
        *PROJECT,
        payload={
            "inspection-inspected_on": "2026-01-10",
            "inspection-findings": "越权检查",
            "inspection-conclusion": "normal",
        },
    ),
    "program_change_request": action(
        REPORTS,
        *PROJECT,
        payload={"change-kind": "content", "change-reason": "越权变更", "change-content": "越权"},
    ),
    "program_change_decide": action(
        SUPERVISES,
        *PROJECT,
        args=sub("change", "change"),
        rows=("change",),
        payload={"decision": "approve"},
    ),
    "program_final_report": action(REPORTS, *PROJECT, payload={"final-summary": PROGRESS}),
    "program_acceptance_panel": action(MANAGES_ITS_CALL, *PROJECT),
    "program_verdict": action(
        MANAGES_ITS_CALL, *PROJECT, payload={"verdict-verdict": "passed", "verdict-note": "越权"}
    ),
    "program_outcome_add": action(
        REPORTS,
        *PROJECT,
        payload={"outcome-kind": "paper", "outcome-title": "越权成果", "outcome-year": "2026"},
    ),
    "program_application_action": [
        action(CHANGE_APP, "application", args=lambda o, d: {"pk": o.pk, "action": "submit"}),
        action(CHECKS, "application", args=lambda o, d: {"pk": o.pk, "action": "accept"}),
    ],
    # programs pages: the expert's review
    "program_review_list": page(
        SIGNED_IN,
        "assignment",
        args=lambda o, d: {},
        secret=lambda o, d: o.application.title,
        shows=ASSIGNED,
    ),
    "program_review_detail": page(ASSIGNED, "assignment"),
    "program_review_respond": action(ASSIGNED, "assignment", payload={"answer": "decline"}),
    "program_review_attachment": [
        page(
            OPENS_AS_EXPERT,
            "assignment",
            args=lambda o, d: {"pk": o.pk, "attachment": d.project_attachment.pk},
        ),
        page(
            NOBODY,
            "assignment",
            args=lambda o, d: {"pk": o.pk, "attachment": d.nanguan_attachment.pk},
            why="an attachment of an application the review is not about",
        ),
    ],
    # programs API
    "call-list": page(
        ANYONE, "draft_call", args=lambda o, d: {}, secret=lambda o, d: o.title, shows=VIEW_CALL
    ),
    "call-detail": page(
        VIEW_CALL, *CALLS, methods=("patch",), write=MANAGE_CALL, payload={"title": "被篡改的指南"}
    ),
    "call-panel": action(MANAGE_CALL, "call"),
    "call-propose": action(
        MANAGE_CALL, "call", payload=lambda o, d: {"funding": {str(d.project.pk): "80"}}
    ),
    "call-publicity": action(MANAGE_CALL, "call"),
    "call-publish": action(MANAGE_CALL, "draft_call"),
    "application-list": [
        page(SIGNED_IN, *APPS, args=lambda o, d: {}, secret=lambda o, d: o.title, shows=VIEW_APP),
        page(
            SIGNED_IN,
            "draft_call",
            args=lambda o, d: {},
            methods=("post",),
            write=may("programs.add_application") & VIEW_CALL,
            payload=lambda o, d: {
                "call": o.pk,
                "title": "越权申报",
                "summary": "越权",
                "pi_name": "越权",
                "requested_funding": "10",
                "self_funding": "5",
            },
            why="an application to a call one may not see is refused (the call is in the body)",
        ),
    ],
    "application-detail": page(
        VIEW_APP, *APPS, methods=("patch",), write=CHANGE_APP, payload={"title": "被篡改的名称"}
    ),
    "application-submit": action(CHANGE_APP, "application"),
    "application-confirm": action(CONFIRMS, "application"),
    "application-accept": action(CHECKS, "application"),
    "application-return-": action(CHECKS, "application", payload={"reason": "越权退回"}),
    "application-reject": action(CHECKS, "application", payload={"reason": "越权不予受理"}),
    "application-attachments": action(
        CHANGE_APP, *APPS, payload=lambda o, d: {"kind": "other", "file": pdf_upload("越权.pdf")}
    ),
    "application-history": page(VIEW_APP, *APPS),
    "application-contract": page(
        VIEW_APP, *PROJECT, methods=("post",), write=MANAGES_ITS_CALL, payload=CONTRACT
    ),
    "application-sign": action(CONFIRMS, *PROJECT),
    "application-reports": page(VIEW_APP, *PROJECT),
    "application-inspections": page(
        VIEW_APP,
        *PROJECT,
        methods=("post",),
        write=SUPERVISES,
        payload={"inspected_on": "2026-01-10", "findings": "越权检查", "conclusion": "normal"},
    ),
    "application-changes": page(
        VIEW_APP,
        *PROJECT,
        methods=("post",),
        write=REPORTS,
        payload={"kind": "content", "reason": "越权变更", "proposed": {"content": "越权"}},
    ),
    "application-acceptance": page(
        VIEW_APP,
        *PROJECT,
        methods=("post",),
        write=REPORTS,
        payload={
            "summary": "越权提交的验收总结报告，不少于二十个字。。。。。",
            "indicators_met": [],
        },
    ),
    "application-verdict": action(
        MANAGES_ITS_CALL, *PROJECT, payload={"verdict": "passed", "note": "越权结论"}
    ),
    "application-outcomes": page(
        VIEW_APP,
        *PROJECT,
        methods=("post",),
        write=REPORTS,
        payload={"kind": "paper", "title": "越权成果", "year": 2026},
    ),
    "application-panel": page(SEES_PANEL, *APPS),
    "application-recusals": page(SEES_PANEL, *APPS),
    "review-list": page(
        SIGNED_IN,
        "assignment",
        args=lambda o, d: {},
        secret=lambda o, d: o.application.title,
        shows=ASSIGNED,
    ),
    "review-detail": page(ASSIGNED, "assignment"),
    "review-application": page(OPENS_AS_EXPERT, "assignment"),
    "review-others": page(SEES_OTHERS, "assignment"),
    "review-respond": action(ASSIGNED, "assignment", payload={"accept": False, "reason": "越权"}),
    "review-scores": action(
        ASSIGNED, "assignment", payload={"scores": {"innovation": "30"}, "comment": "越权评分"}
    ),
    "publicity-list": page(ANYONE),
    "publicity-detail": page(ANYONE, "publicity"),
    "publicity-objections": page(MANAGES_ITS_CALL, "publicity"),
    "publicity-resolve": action(
        MANAGES_OBJECTIONS,
        "objection",
        args=lambda o, d: {"pk": o.publicity_id, "objection": o.pk},
        payload={"upheld": True, "resolution": "越权处理"},
    ),
    "publicity-finalise": action(MANAGES_ITS_CALL, "publicity"),
    "report-detail": page(can("programs.view_application", **OF_APPLICATION), "report"),
    "report-submit": action(
        can("programs.report_application", **OF_APPLICATION),
        "report",
        payload={"progress": "越权提交的进展报告，内容不少于二十个字。。。。。"},
    ),
    "report-review": action(
        can("programs.supervise_application", **OF_APPLICATION), "report", payload={"accept": True}
    ),
    "change-detail": page(can("programs.view_application", **OF_APPLICATION), "change"),
    "change-decide": action(
        can("programs.supervise_application", **OF_APPLICATION),
        "change",
        payload={"approve": True},
    ),
}

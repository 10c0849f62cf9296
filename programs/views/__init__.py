"""Pages of the science programs: calls, applications and their checks, expert review, 立项 and
公示, and the project after funding.

Every change goes through `programs.services`; a refusal (`NotAllowed`) becomes a 403 page with
the service's message, any other `ServiceError` a message on the page the user came from.
"""

from programs.views.applications import (
    application_action,
    application_create,
    application_detail,
    application_edit,
    application_list,
    attachment_add,
    attachment_download,
    attachment_remove,
)
from programs.views.calls import (
    call_create,
    call_detail,
    call_edit,
    call_list,
    call_panel,
    call_publish,
    topic_add,
)
from programs.views.decision import (
    call_propose,
    objection_resolve,
    publicity_detail,
    publicity_finalise,
    publicity_notice,
    publicity_start,
)
from programs.views.execution import (
    acceptance_panel,
    change_decide,
    change_request,
    contract_issue,
    contract_sign,
    final_report,
    inspection_add,
    outcome_add,
    report_review,
    report_submit,
    verdict,
)
from programs.views.reviews import (
    review_attachment,
    review_detail,
    review_list,
    review_respond,
)

__all__ = [
    "acceptance_panel",
    "application_action",
    "application_create",
    "application_detail",
    "application_edit",
    "application_list",
    "attachment_add",
    "attachment_download",
    "attachment_remove",
    "call_create",
    "call_detail",
    "call_edit",
    "call_list",
    "call_panel",
    "call_propose",
    "call_publish",
    "change_decide",
    "change_request",
    "contract_issue",
    "contract_sign",
    "final_report",
    "inspection_add",
    "objection_resolve",
    "outcome_add",
    "publicity_detail",
    "publicity_finalise",
    "publicity_notice",
    "publicity_start",
    "report_review",
    "report_submit",
    "review_attachment",
    "review_detail",
    "review_list",
    "review_respond",
    "topic_add",
    "verdict",
]

from programs.models.applications import Application, Attachment, BudgetLine, Transition
from programs.models.calls import Call, Topic
from programs.models.decision import Objection, Publicity
from programs.models.execution import (
    Acceptance,
    ChangeRequest,
    Contract,
    Inspection,
    Outcome,
    ProgressReport,
)
from programs.models.review import Recusal, ReviewAssignment

__all__ = [
    "Acceptance",
    "Application",
    "Attachment",
    "BudgetLine",
    "Call",
    "ChangeRequest",
    "Contract",
    "Inspection",
    "Objection",
    "Outcome",
    "ProgressReport",
    "Publicity",
    "Recusal",
    "ReviewAssignment",
    "Topic",
    "Transition",
]

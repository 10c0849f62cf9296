"""Forms of the science-program pages: lists written as lines, the budget table, the score sheet,
and the forms of 立项 and of the project after funding.

The forms only parse what people type; the rules (criteria adding up to 100, budget totals,
eligibility, who may do what) are the services' and reach the page as their messages.
"""

from programs.forms.applications import ApplicationForm, AttachmentForm, BudgetForm, ReasonForm
from programs.forms.calls import CallForm, TopicForm
from programs.forms.decision import ObjectionForm, ProposeForm, ResolveForm
from programs.forms.execution import (
    ChangeForm,
    ContractForm,
    FinalReportForm,
    InspectionForm,
    NoteForm,
    OutcomeForm,
    ReportForm,
    VerdictForm,
)
from programs.forms.review import RespondForm, ScoreSheetForm

__all__ = [
    "ApplicationForm",
    "AttachmentForm",
    "BudgetForm",
    "CallForm",
    "ChangeForm",
    "ContractForm",
    "FinalReportForm",
    "InspectionForm",
    "NoteForm",
    "ObjectionForm",
    "OutcomeForm",
    "ProposeForm",
    "ReasonForm",
    "ReportForm",
    "ResolveForm",
    "RespondForm",
    "ScoreSheetForm",
    "TopicForm",
    "VerdictForm",
]

from core.models.audit import AuditEntry
from core.models.calendar import CalendarDay
from core.models.jobs import Job, Notification
from core.models.organisation import Organisation
from core.models.reference import (
    ChainNode,
    Discipline,
    HighTechField,
    IndustryChain,
    IndustrySection,
    Region,
)
from core.models.users import LoginFailure, Membership, User

__all__ = [
    "AuditEntry",
    "CalendarDay",
    "ChainNode",
    "Discipline",
    "HighTechField",
    "IndustryChain",
    "IndustrySection",
    "Job",
    "LoginFailure",
    "Membership",
    "Notification",
    "Organisation",
    "Region",
    "User",
]

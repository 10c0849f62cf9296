from resources.models.base import PublicRecord, RecordVersion
from resources.models.records import Achievement, Demand, Expert, Instrument, Patent, Platform
from resources.models.subscriptions import Subscription

__all__ = [
    "Achievement",
    "Demand",
    "Expert",
    "Instrument",
    "Patent",
    "Platform",
    "PublicRecord",
    "RecordVersion",
    "Subscription",
]

"""The record kinds of the resource library, described once for pages, API, import and export."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from resources.models import Achievement, Demand, Expert, Instrument, Patent, Platform


@dataclass(frozen=True)
class Kind:
    key: str  # URL segment, e.g. "achievements"
    model: type
    label: str
    summary_field: str  # text shown under the title in lists
    columns: tuple[str, ...]  # list/export columns besides the title
    contact_fields: tuple[str, ...] = ()  # masked for outsiders
    facet_fields: tuple[str, ...] = field(default=("region",))

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind(
            "achievements",
            Achievement,
            _("科技成果"),
            "summary",
            ("owner", "region", "trl", "price_band"),
            ("contact_name", "contact_phone"),
            ("region", "trl", "price_band"),
        ),
        Kind(
            "demands",
            Demand,
            _("技术需求"),
            "description",
            ("owner", "region", "cooperation_mode", "deadline"),
            ("contact_name", "contact_phone"),
            ("region", "cooperation_mode"),
        ),
        Kind(
            "experts",
            Expert,
            _("专家"),
            "keywords",
            ("owner", "rank", "region"),
            ("phone", "email"),
            ("region",),
        ),
        Kind(
            "platforms",
            Platform,
            _("创新平台"),
            "services",
            ("owner", "type", "level", "region"),
            (),
            ("region", "type", "level"),
        ),
        Kind(
            "instruments",
            Instrument,
            _("大型科研仪器"),
            "sharing_terms",
            ("owner", "model_number", "original_value", "region"),
            (),
            ("region",),
        ),
        Kind(
            "patents",
            Patent,
            _("专利"),
            "abstract",
            ("application_number", "type", "legal_status", "applicants"),
            (),
            ("region", "type", "legal_status"),
        ),
    )
}

KIND_BY_MODEL = {k.model: k for k in KINDS.values()}

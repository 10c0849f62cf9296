"""Which instruments a user hosts: those of the organisation they act for."""

from __future__ import annotations

from django.db.models import QuerySet

from resources.models import Instrument
from sharing.services.common import organisation_id_of


def hosted_instruments(user) -> QuerySet[Instrument]:
    """The instruments (any status) of the organisation the user acts for; none for others."""
    org = organisation_id_of(user)
    if org is None:
        return Instrument.objects.none()
    return Instrument.objects.filter(owner_id=org)


def hosts_any_instrument(user) -> bool:
    return hosted_instruments(user).exists()

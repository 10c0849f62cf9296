"""The question every gate in the platform asks: may this subject do this activity on this day?

Programs (applications, expert review), cultivation (recognition) and listing call
`require_integrity` before they let a subject through; `check_integrity` gives the records that
stand in the way, for pages and the API that show them. One query either way.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ServiceError
from core.models import Organisation, User
from core.validators import normalise_id_number
from integrity.choices import BARRED, Activity, SubjectKind
from integrity.models import IntegrityRecord


@dataclass(frozen=True)
class Person:
    """Someone known by name and 公民身份号码, with or without a platform account."""

    name: str
    id_number: str


class IntegrityRestricted(ServiceError):
    code = "integrity_restricted"
    status = 403

    def __init__(self, message: str, records: list[IntegrityRecord]):
        super().__init__(message)
        self.records = records


Subject = Organisation | User | Person


def _subject_filter(subject: Subject) -> Q:
    if isinstance(subject, Organisation):
        return Q(subject_kind=SubjectKind.ORGANISATION, organisation_id=subject.pk)
    if isinstance(subject, Person):
        id_number = normalise_id_number(subject.id_number)
        # Without an ID number nobody can be matched: names are not unique.
        return (
            Q(subject_kind=SubjectKind.PERSON, person_id_number=id_number)
            if id_number
            else Q(pk__in=[])
        )
    if isinstance(subject, User):
        match = Q(user_id=subject.pk)
        id_number = normalise_id_number(subject.id_number)
        if id_number:
            match |= Q(person_id_number=id_number)
        return Q(subject_kind=SubjectKind.PERSON) & match
    raise TypeError(f"an integrity subject is an Organisation, a User or a Person, not {subject!r}")


def check_integrity(
    subject: Subject, activity: str, on_date: datetime.date | None = None
) -> list[IntegrityRecord]:
    """The records in force on `on_date` (default: today in Asia/Shanghai) that bar `subject`
    from `activity`, longest-lasting first; revoked records never bar anyone.

    `subject` is an Organisation (its records), a User (records linked to the account or carrying
    its ID number) or a Person (records carrying that ID number).
    """
    if activity not in Activity.values:
        raise ValueError(f"unknown activity {activity!r}; one of {Activity.values}")
    on_date = on_date or timezone.localdate()
    return list(
        IntegrityRecord.objects.in_force(on_date)
        .barring(activity)
        .filter(_subject_filter(subject))
        .select_related("organisation")
        .order_by(F("restricted_until").desc(nulls_first=True), "-decision_date", "-pk")
    )


def users_barred(users, activity: str, on_date: datetime.date | None = None) -> set[int]:
    """The primary keys of those `users` barred from `activity` on the date: the same rule as
    `check_integrity(user, …)` for each, in one query (panels check whole expert pools)."""
    if activity not in Activity.values:
        raise ValueError(f"unknown activity {activity!r}; one of {Activity.values}")
    users = list(users)
    by_number = {normalise_id_number(u.id_number): u.pk for u in users if u.id_number}
    by_number.pop("", None)
    records = (
        IntegrityRecord.objects.in_force(on_date or timezone.localdate())
        .barring(activity)
        .filter(subject_kind=SubjectKind.PERSON)
        .filter(Q(user_id__in=[u.pk for u in users]) | Q(person_id_number__in=list(by_number)))
        .values_list("user_id", "person_id_number")
    )
    ids = {u.pk for u in users}
    barred = set()
    for user_id, number in records:
        if user_id in ids:
            barred.add(user_id)
        if number in by_number:
            barred.add(by_number[number])
    return barred


def organisations_barred(
    organisation_ids, activity: str, on_date: datetime.date | None = None
) -> set[int]:
    """The primary keys of those organisations barred from `activity` on the date: the same rule
    as `check_integrity(org, …)` for each, in one query (batch assessments check every enterprise)."""
    if activity not in Activity.values:
        raise ValueError(f"unknown activity {activity!r}; one of {Activity.values}")
    return set(
        IntegrityRecord.objects.in_force(on_date or timezone.localdate())
        .barring(activity)
        .filter(subject_kind=SubjectKind.ORGANISATION, organisation_id__in=list(organisation_ids))
        .values_list("organisation_id", flat=True)
    )


def require_integrity(
    subject: Subject, activity: str, on_date: datetime.date | None = None
) -> None:
    """Raise IntegrityRestricted, naming the record and until when, if `subject` is barred."""
    records = check_integrity(subject, activity, on_date)
    if records:
        raise IntegrityRestricted(restriction_message(records[0], activity), records)


def long_date(day: datetime.date) -> str:
    return _("%(year)d年%(month)d月%(day)d日") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def restriction_message(record: IntegrityRecord, activity: str) -> str:
    """E.g. 长春某某科技有限公司存在科研失信记录（吉科诚〔2026〕3号，严重），2027年6月30日前不得申报科技计划项目。"""
    values = {
        "subject": record.subject_name,
        "number": record.decision_number,
        "severity": record.get_severity_display(),
        "barred": BARRED[activity],
    }
    if record.restricted_until is None:
        return (
            _("%(subject)s存在科研失信记录（%(number)s，%(severity)s），长期%(barred)s。") % values
        )
    return _("%(subject)s存在科研失信记录（%(number)s，%(severity)s），%(until)s前%(barred)s。") % {
        **values,
        "until": long_date(record.restricted_until),
    }

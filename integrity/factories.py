"""Factories for tests and the demo data, so both build records the same way."""

import datetime

import factory

from core.factories import OrganisationFactory
from core.validators import id_number_check_character
from integrity.choices import Activity, Severity, SubjectKind
from integrity.models import IntegrityRecord


def id_number(region: str = "220102", birth: str = "19850312", serial: int = 123) -> str:
    """A well-formed 公民身份号码: region, date of birth, sequence, check character."""
    first17 = f"{region}{birth}{serial:03d}"
    return first17 + id_number_check_character(first17)


class IntegrityRecordFactory(factory.django.DjangoModelFactory):
    """An organisation's record barring project applications, in force from 2026-01-01 for
    two years; `PersonRecordFactory` gives one on a person."""

    class Meta:
        model = IntegrityRecord

    subject_kind = SubjectKind.ORGANISATION
    organisation = factory.SubFactory(OrganisationFactory)
    finding = "在科技计划项目申报中提供虚假材料。"
    severity = Severity.SERIOUS
    decision_number = factory.Sequence(lambda n: f"长科诚〔2026〕{n + 1}号")
    decision_date = datetime.date(2025, 12, 20)
    issued_by = "长春市科学技术局"
    restricted_from = datetime.date(2026, 1, 1)
    restricted_until = datetime.date(2027, 12, 31)
    activities = factory.LazyFunction(lambda: [Activity.APPLY.value])


class PersonRecordFactory(IntegrityRecordFactory):
    subject_kind = SubjectKind.PERSON
    organisation = None
    person_name = "张某"
    person_id_number = factory.Sequence(lambda n: id_number(serial=n % 1000))

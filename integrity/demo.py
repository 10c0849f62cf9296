"""Demo records of dishonest conduct: one organisation of its own, so that no other demo
organisation is marked, with one record in force and one expired record on a person."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from core.choices import OrgSize, OrgType
from core.demo import DemoResult, demo_step
from core.factories import make_uscc
from core.models import IndustrySection, Organisation, Region
from core.services.jobs import Progress
from integrity.choices import Activity, Severity, SubjectKind
from integrity.factories import id_number
from integrity.models import IntegrityRecord

DEMO_ORGANISATION = "长春示例失信科技有限公司"
BUREAU = "长春市科学技术局"


@demo_step
def integrity_demo(seed: int, scale: str, progress: Progress, result: DemoResult) -> None:
    if Organisation.objects.filter(name=DEMO_ORGANISATION, is_demo=True).exists():
        return  # already generated for this database: a second run adds nothing
    rng = random.Random(seed * 104729)
    today = timezone.localdate()
    with transaction.atomic():
        org = Organisation.objects.create(
            name=DEMO_ORGANISATION,
            type=OrgType.ENTERPRISE,
            region=Region.objects.get(code="220173"),
            industry=IndustrySection.objects.filter(code="I").first(),
            size=OrgSize.SMALL,
            uscc=make_uscc(rng, "220173", OrgType.ENTERPRISE),
            introduction="示例数据：用于演示科研失信记录对项目申报和资质认定的限制。",
            is_demo=True,
        )
        IntegrityRecord.objects.create(
            subject_kind=SubjectKind.ORGANISATION,
            organisation=org,
            finding="在科技计划项目申报中提供虚假的财务审计报告和研发费用证明。",
            severity=Severity.GRAVE,
            decision_number=f"长科诚〔{today.year}〕3号",
            decision_date=today - datetime.timedelta(days=45),
            issued_by=BUREAU,
            restricted_from=today - datetime.timedelta(days=40),
            restricted_until=datetime.date(today.year + 2, 6, 30),
            activities=[Activity.APPLY.value, Activity.RECOGNITION.value],
            is_demo=True,
        )
        IntegrityRecord.objects.create(
            subject_kind=SubjectKind.PERSON,
            person_name="王示例",
            person_id_number=id_number("220104", "19780605", rng.randrange(1000)),
            finding="在项目结题材料中抄袭他人研究成果。",
            severity=Severity.GENERAL,
            decision_number=f"长科诚〔{today.year - 3}〕11号",
            decision_date=datetime.date(today.year - 3, 3, 1),
            issued_by=BUREAU,
            restricted_from=datetime.date(today.year - 3, 3, 10),
            restricted_until=datetime.date(today.year - 1, 3, 9),
            activities=[Activity.APPLY.value, Activity.REVIEW.value],
            is_demo=True,
        )
    result.add("单位", 1)
    result.add("科研失信记录", 2)

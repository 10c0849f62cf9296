"""Test and demo data for the programs module."""

import datetime
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from programs.choices import CallKind, CallStatus
from programs.models import Application, Call, Topic

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name: str = "申报书正文.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    title = factory.Sequence(lambda n: f"2026年度长春市重点研发计划指南{n}")
    program = "长春市科技发展计划·重点研发"
    year = 2026
    kind = CallKind.GENERAL
    description = "围绕光电信息、汽车、生物医药等重点产业链，支持关键核心技术攻关。"
    budget_total = Decimal("3000")
    max_funding = Decimal("100")
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=20))
    status = CallStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    reviewers_per_application = 3
    alternates = 2


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    call = factory.SubFactory(CallFactory)
    code = factory.Sequence(lambda n: f"ZD{n:02d}")
    title = factory.Sequence(lambda n: f"高功率半导体激光器关键技术{n}")
    description = "突破高功率激光芯片封装与散热技术，输出功率不低于100W。"


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft; `programs.tests.helpers.ready_application` makes one that can be submitted."""

    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    title = factory.Sequence(lambda n: f"高功率半导体激光器封装与散热技术研究{n}")
    summary = "研究高功率半导体激光器的封装结构与散热，提高输出功率与寿命。"
    keywords = "半导体激光器，封装，散热"
    pi_name = "王研究"
    requested_funding = Decimal("80")
    self_funding = Decimal("40")
    region = factory.LazyAttribute(lambda a: a.organisation.region)

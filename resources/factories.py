import factory
from django.utils import timezone

from resources.choices import RecordStatus
from resources.models import Achievement, Demand, Expert, Instrument, Patent
from resources.search import tokens_for
from resources.validators import patent_check_digit


class RecordFactory(factory.django.DjangoModelFactory):
    status = RecordStatus.PUBLISHED
    region = factory.LazyAttribute(lambda r: r.owner.region)
    published_at = factory.LazyFunction(timezone.now)

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        obj.search_tokens = tokens_for(obj)
        obj.save()
        return obj


class AchievementFactory(RecordFactory):
    class Meta:
        model = Achievement

    title = factory.Sequence(lambda n: f"高功率半导体激光器封装技术{n}")
    summary = "采用新型热沉结构，提高了输出功率和可靠性。"
    trl = 6


class DemandFactory(RecordFactory):
    class Meta:
        model = Demand

    title = factory.Sequence(lambda n: f"寻求动力电池回收技术合作{n}")
    description = "我公司希望与高校合作开发退役动力电池梯次利用技术。"
    cooperation_mode = "joint"


def patent_number(serial: int, year: int = 2021, kind: str = "1") -> str:
    digits = f"{year}{kind}{serial:07d}"
    return f"{digits}.{patent_check_digit(digits)}"


class PatentFactory(RecordFactory):
    class Meta:
        model = Patent

    title = factory.Sequence(lambda n: f"一种光学镜头{n}")
    application_number = factory.Sequence(lambda n: patent_number(n + 1))
    applicants = "吉林大学"
    type = "invention"
    legal_status = "granted"


class ExpertFactory(RecordFactory):
    class Meta:
        model = Expert

    title = factory.Sequence(lambda n: f"专家{n}")
    keywords = "光电信息，激光器"
    bio = "长期从事半导体激光器与光电子器件研究。"
    works = factory.LazyFunction(
        lambda: [
            {"title": "高功率半导体激光器热管理", "abstract": "激光器封装散热。", "year": 2024}
        ]
    )


class InstrumentFactory(RecordFactory):
    class Meta:
        model = Instrument

    title = factory.Sequence(lambda n: f"场发射扫描电子显微镜{n}")
    model_number = "SU8010"
    original_value = 560
    sharing_terms = "工作日对外开放，需提前预约并说明样品情况。"
    fee = "300元/小时"

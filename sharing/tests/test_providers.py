"""科技服务机构 services: applying with qualifications, the bureau's decisions, edits that send a
provider back to review, the directory's filters, and the rating."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from core import permissions
from core.choices import AuditAction
from core.exceptions import InvalidTransition, NotAllowed, NotFound
from core.models import AuditEntry, Notification
from resources.factories import InstrumentFactory
from sharing.choices import ProviderStatus
from sharing.factories import ServiceProviderFactory, UsageFactory, VoucherFactory
from sharing.models import Redemption, ServiceProvider
from sharing.services import providers

from .test_vouchers_base import VoucherTestCase

QUALIFICATIONS = (
    "检验检测机构资质认定（CMA） | 220012345678 | 2029-12-31\n"
    "技术合同登记服务资质 | JS-2020-01 | 2020-06-30\n"
    "知识产权贯标认证 | IP-88"
)


class ProviderTestCase(VoucherTestCase):
    def apply(self, user=None, **overrides):
        values = {
            "categories": ["brokerage", "consulting"],
            "services": "技术转移、成果评价与技术经纪服务。",
            "qualifications": QUALIFICATIONS,
            "contact_name": "陈经纪",
            "contact_phone": "0431-85551234",
            **overrides,
        }
        return providers.apply(user or self.broker, **values)


class ApplyTests(ProviderTestCase):
    def test_an_organisation_applies_and_waits_for_review(self):
        provider = self.apply()
        self.assertEqual(provider.organisation, self.agency)
        self.assertEqual(provider.status, ProviderStatus.PENDING)
        self.assertEqual(provider.categories, ["consulting", "brokerage"])
        self.assertEqual(
            provider.qualifications[0],
            {
                "name": "检验检测机构资质认定（CMA）",
                "number": "220012345678",
                "valid_until": "2029-12-31",
            },
        )
        self.assertEqual(provider.qualifications[2]["valid_until"], "")
        self.assertTrue(
            AuditEntry.objects.filter(
                content_type__model="serviceprovider", action=AuditAction.CREATE
            ).exists()
        )
        self.assertIn("长春技术转移中心", Notification.objects.get(user=self.city_admin).title)
        self.assertNotIn(provider, providers.directory(self.public))

    def test_a_bad_qualification_line_is_named_and_nothing_is_saved(self):
        with self.assertRaises(ValidationError) as ctx:
            self.apply(qualifications="CMA | 2200123 | 2029-12-31\n只有名称没有编号")
        self.assertEqual(
            ctx.exception.message_dict["qualifications"],
            [
                "第2行“只有名称没有编号”格式不对：请按“资质名称 | 证书编号 | 有效期至(YYYY-MM-DD)”填写，每行一项。"
            ],
        )
        with self.assertRaises(ValidationError) as ctx:
            self.apply(qualifications="CMA | 2200123 | 2029年12月")
        self.assertIn("第1行", ctx.exception.message_dict["qualifications"][0])
        self.assertIn("有效期“2029年12月”不是日期", ctx.exception.message_dict["qualifications"][0])
        self.assertFalse(ServiceProvider.objects.exists())

    def test_categories_and_contact_are_required(self):
        with self.assertRaises(ValidationError) as ctx:
            self.apply(categories=[], contact_phone="电话")
        self.assertEqual(ctx.exception.message_dict["categories"], ["请至少选择一个服务类别。"])
        self.assertIn("联系电话只能包含数字", ctx.exception.message_dict["contact_phone"][0])
        self.assertFalse(ServiceProvider.objects.exists())

    def test_who_may_apply(self):
        for user in (self.public, self.expert, self.city_admin, self.district_admin, self.leader):
            with self.assertRaisesMessage(NotAllowed, "可以为本单位申请入库科技服务机构"):
                self.apply(user)
        self.assertFalse(ServiceProvider.objects.exists())
        self.assertEqual(self.apply(self.institute).organisation, self.university)
        self.assertEqual(self.apply(self.enterprise).organisation, self.enterprise_org)

    def test_one_entry_per_organisation_edited_in_place(self):
        first = self.apply()
        second = self.apply(services="新的服务内容")
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(ServiceProvider.objects.count(), 1)


class DecisionTests(ProviderTestCase):
    def setUp(self):
        self.provider = self.apply()

    def test_the_bureau_registers_and_the_members_are_told(self):
        providers.decide(self.city_admin, self.provider, "register")
        provider = self.reload(self.provider)
        self.assertEqual(provider.status, ProviderStatus.REGISTERED)
        self.assertIsNotNone(provider.registered_at)
        self.assertEqual(provider.decided_by, self.city_admin)
        self.assertIn(provider, providers.directory(self.public))
        self.assertTrue(permissions.can(self.broker, "sharing.redeem", provider))
        notice = Notification.objects.get(user=self.broker)
        self.assertEqual(notice.title, "贵单位已入库科技服务机构名录，可以核销创新券。")
        entry = AuditEntry.objects.get(
            content_type__model="serviceprovider", action=AuditAction.TRANSITION
        )
        self.assertEqual(entry.changes["status"], ["待审核", "已入库"])

    def test_refusing_needs_a_reason_and_an_edit_resubmits(self):
        with self.assertRaises(ValidationError) as ctx:
            providers.decide(self.city_admin, self.provider, "refuse", "")
        self.assertEqual(ctx.exception.message_dict, {"reason": ["不予入库须填写理由。"]})
        self.assertEqual(self.reload(self.provider).status, ProviderStatus.PENDING)
        providers.decide(self.city_admin, self.provider, "refuse", "资质证书已过期")
        self.assertEqual(self.reload(self.provider).status, ProviderStatus.REFUSED)
        self.assertIn("资质证书已过期", Notification.objects.get(user=self.broker).title)
        self.apply(qualifications="检验检测机构资质认定（CMA） | 220012345678 | 2029-12-31")
        provider = self.reload(self.provider)
        self.assertEqual(provider.status, ProviderStatus.PENDING)
        self.assertEqual(provider.reason, "")

    def test_suspended_providers_are_not_listed_and_cannot_redeem_until_reinstated(self):
        providers.decide(self.city_admin, self.provider, "register")
        with self.assertRaises(ValidationError):
            providers.decide(self.city_admin, self.provider, "suspend", " ")
        providers.decide(self.city_admin, self.provider, "suspend", "核销材料不实，暂停核查")
        provider = self.reload(self.provider)
        self.assertEqual(provider.status, ProviderStatus.SUSPENDED)
        self.assertNotIn(provider, providers.directory(self.public))
        self.assertFalse(permissions.can(self.broker, "sharing.redeem", provider))
        self.assertIn("核销材料不实", Notification.objects.filter(user=self.broker).first().title)
        self.apply(categories=["testing"])  # an edit does not lift a suspension
        self.assertEqual(self.reload(self.provider).status, ProviderStatus.SUSPENDED)
        providers.decide(self.city_admin, self.provider, "reinstate", "核查无问题")
        self.assertEqual(self.reload(self.provider).status, ProviderStatus.REGISTERED)

    def test_a_decision_must_fit_the_current_status(self):
        with self.assertRaisesMessage(InvalidTransition, "该机构当前状态为“待审核”，不能暂停"):
            providers.decide(self.city_admin, self.provider, "suspend", "理由")
        providers.decide(self.city_admin, self.provider, "register")
        with self.assertRaisesMessage(InvalidTransition, "当前状态为“已入库”，不能入库"):
            providers.decide(self.city_admin, self.provider, "register")

    def test_only_the_bureau_decides(self):
        for user in (self.district_admin, self.broker, self.enterprise, self.leader):
            with self.assertRaisesMessage(NotAllowed, "只有市科技局可以审核科技服务机构"):
                providers.decide(user, self.provider, "register")
        self.assertEqual(self.reload(self.provider).status, ProviderStatus.PENDING)

    def test_changing_categories_sends_a_registered_provider_back_to_review(self):
        providers.decide(self.city_admin, self.provider, "register")
        self.apply(services="技术转移、成果评价、技术经纪和科技咨询服务。")
        self.assertEqual(self.reload(self.provider).status, ProviderStatus.REGISTERED)
        self.apply(categories=["brokerage", "consulting", "ip"])
        provider = self.reload(self.provider)
        self.assertEqual(provider.status, ProviderStatus.PENDING)
        self.assertNotIn(provider, providers.directory(self.public))
        entry = AuditEntry.objects.filter(content_type__model="serviceprovider").first()
        self.assertEqual(entry.note, "修改服务类别，重新提交审核")


class DirectoryTests(ProviderTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.testing = ServiceProviderFactory(
            organisation__name="长春检测技术服务有限公司",
            organisation__region=cls.nanguan,
            categories=["testing"],
            services="材料成分分析、力学性能测试。",
            qualifications=[
                {"name": "CMA", "number": "1", "valid_until": "2099-12-31"},
                {"name": "CNAS", "number": "2", "valid_until": "2001-01-01"},
            ],
        )
        cls.design = ServiceProviderFactory(
            organisation__name="长春工业设计研究院有限公司",
            categories=["rd"],
            services="工业设计与样机开发。",
        )
        cls.pending = ServiceProviderFactory(
            organisation__name="长春待审科技服务有限公司", status=ProviderStatus.PENDING
        )

    def names(self, user=None, **filters):
        return [p.organisation.name for p in providers.directory(user, **filters)]

    def test_the_public_sees_registered_providers_filtered(self):
        self.assertEqual(self.names(), ["长春工业设计研究院有限公司", "长春检测技术服务有限公司"])
        self.assertEqual(self.names(category="testing"), ["长春检测技术服务有限公司"])
        self.assertEqual(self.names(category="ip"), [])
        self.assertEqual(self.names(keyword="样机"), ["长春工业设计研究院有限公司"])
        self.assertEqual(self.names(keyword="检测技术"), ["长春检测技术服务有限公司"])
        self.assertEqual(self.names(region=self.nanguan), ["长春检测技术服务有限公司"])

    def test_only_the_bureau_sees_other_statuses(self):
        self.assertEqual(
            self.names(self.city_admin, status="pending"), ["长春待审科技服务有限公司"]
        )
        self.assertNotIn("长春待审科技服务有限公司", self.names(self.public, status="pending"))
        self.assertNotIn(
            "长春待审科技服务有限公司", self.names(self.district_admin, status="pending")
        )
        with self.assertRaises(NotFound):
            providers.get_provider(self.public, self.pending.pk)
        self.assertEqual(providers.get_provider(self.city_admin, self.pending.pk), self.pending)

    def test_expired_qualifications_are_marked(self):
        rows = providers.qualification_rows(self.testing)
        self.assertEqual(
            [(q["name"], q["expired"]) for q in rows], [("CMA", False), ("CNAS", True)]
        )

    def test_rating_averages_redemptions_and_confirmed_usage_of_hosted_instruments(self):
        self.assertEqual(
            providers.provider_stats([self.testing])[self.testing.pk].rating_text, "暂无评价"
        )
        host = ServiceProviderFactory(organisation=self.university, categories=["instrument"])
        instrument = InstrumentFactory(owner=self.university)
        for satisfaction in (5, 4):
            UsageFactory(
                booking__requester=self.enterprise,
                booking__slot__instrument=instrument,
                satisfaction=satisfaction,
            )
        UsageFactory(
            booking__requester=self.enterprise,
            booking__slot__instrument=instrument,
            satisfaction=None,
        )
        voucher = VoucherFactory(program=self.program, holder=self.enterprise_org)
        Redemption.objects.create(
            voucher=voucher,
            provider=host,
            category="instrument",
            contract_number="JL-2026-001",
            contract_amount=Decimal("20000"),
            signed_on=timezone.localdate(),
            service_description="扫描电镜测试",
            amount=Decimal("10000"),
            redeemed_by=self.institute,
            rating=4,
        )
        stats = providers.provider_stats([host])[host.pk]
        self.assertEqual(stats.rating, Decimal("4.3"))  # (5 + 4 + 4) / 3
        self.assertEqual(stats.rating_text, "4.3（3 次评价）")
        self.assertEqual(stats.completed, 4)  # three confirmed uses and one redemption

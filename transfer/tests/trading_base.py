"""What the trading, contract and statistics tests share: an achievement of 吉林大学 open to
transfer and licensing, a listing running now, and contracts taken through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from core.models import HighTechField
from core.testing import PersonaTestCase
from resources.factories import AchievementFactory
from transfer.choices import ContractKind, ListingKind, ListingMode
from transfer.models import Listing, TechContract
from transfer.services import contracts, listings

NOW = timezone.now


class TradingTestCase(PersonaTestCase):
    """`self.institute` acts for 吉林大学, the owner of `self.achievement`; the two enterprises
    bid; `self.city_admin` is the bureau and the registrar."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.field = HighTechField.objects.order_by("sort_order", "code").first()
        cls.achievement = AchievementFactory(
            owner=cls.university,
            title="高功率半导体激光器封装技术",
            allows_assignment=True,
            allows_license=True,
            hightech_field=cls.field,
        )

    def list_it(self, achievement=None, **overrides) -> Listing:
        now = NOW()
        values = {
            "mode": ListingMode.ASSIGNMENT,
            "kind": ListingKind.AUCTION,
            "reserve_price": Decimal("100000"),
            "min_step": Decimal("5000"),
            "starts_at": now - datetime.timedelta(hours=1),
            "ends_at": now + datetime.timedelta(days=7),
            "terms": "一次性付款，提供技术培训。",
        }
        values.update(overrides)
        return listings.create_listing(self.institute, achievement or self.achievement, **values)

    def end(self, listing: Listing) -> Listing:
        """Move the listing's period into the past, as if its end had come."""
        now = NOW()
        Listing.objects.filter(pk=listing.pk).update(
            starts_at=now - datetime.timedelta(days=8), ends_at=now - datetime.timedelta(minutes=1)
        )
        listing.refresh_from_db()
        return listing

    def contract(self, seller_user=None, **overrides) -> TechContract:
        values = {
            "kind": ContractKind.TRANSFER,
            "title": "激光器封装技术转让合同",
            "subject": "高功率半导体激光器封装工艺及专利实施",
            "buyer_name": "哈尔滨某光电有限公司",
            "buyer_in_city": False,
            "field": self.field,
            "total_amount": Decimal("1000000"),
            "declared_tech_amount": Decimal("1000000"),
            "payment_terms": "合同生效后30日内一次性支付。",
            "signed_on": timezone.localdate() - datetime.timedelta(days=3),
        }
        values.update(overrides)
        return contracts.create_contract(seller_user or self.institute, **values)

    def registered(
        self, seller_user=None, tech_amount=None, note="", registered_kind=None, **overrides
    ):
        contract = self.contract(seller_user, **overrides)
        contracts.submit_contract(seller_user or self.institute, contract)
        return contracts.register_contract(
            self.city_admin,
            contract,
            registered_kind=registered_kind,
            tech_amount=tech_amount,
            note=note,
        )

"""What tests share: personas, one user per role, defined once (see docs/architecture.md), and
the helpers of the concurrency tests (calls at the same moment, reference data kept loaded)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection
from django.test import TestCase

from core.choices import OrgType, Role
from core.exceptions import ServiceError
from core.factories import DEMO_PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from core.models import Region
from core.services.reference import load_reference_data


class PersonaTestCase(TestCase):
    """Every role of PRODUCT.md as a ready user, plus the organisations they act for.

    The district admin manages 长春高新技术产业开发区 (220173); `other_enterprise` sits in
    南关区 (220102), outside that district.
    """

    password = DEMO_PASSWORD

    @classmethod
    def setUpTestData(cls):
        cls.hightech_zone = Region.objects.get(code="220173")
        cls.nanguan = Region.objects.get(code="220102")
        cls.enterprise_org = OrganisationFactory(
            name="长春华锐光电科技有限公司", region=cls.hightech_zone
        )
        cls.other_enterprise_org = OrganisationFactory(
            name="长春启明汽车电子有限公司", region=cls.nanguan
        )
        cls.university = OrganisationFactory(
            name="吉林大学", type=OrgType.UNIVERSITY, region=cls.nanguan
        )
        cls.bureau = OrganisationFactory(
            name="长春市科学技术局", type=OrgType.GOVERNMENT, region=cls.nanguan
        )
        cls.zone_committee = OrganisationFactory(
            name="长春高新区管委会", type=OrgType.GOVERNMENT, region=cls.hightech_zone
        )
        cls.agency = OrganisationFactory(name="长春技术转移中心", type=OrgType.SERVICE_AGENCY)

        cls.public = UserFactory(username="public", display_name="王公众")
        cls.enterprise = cls._member(
            "enterprise", "李企业", cls.enterprise_org, Role.ENTERPRISE, org_admin=True
        )
        cls.other_enterprise = cls._member(
            "other_enterprise", "钱企业", cls.other_enterprise_org, Role.ENTERPRISE, org_admin=True
        )
        cls.institute = cls._member(
            "institute", "张科研", cls.university, Role.INSTITUTE, org_admin=True
        )
        cls.expert = cls._member("expert", "刘专家", cls.university, Role.EXPERT)
        cls.broker = cls._member("broker", "陈经纪", cls.agency, Role.BROKER)
        cls.district_admin = cls._member(
            "district_admin",
            "赵区管",
            cls.zone_committee,
            Role.DISTRICT_ADMIN,
            region=cls.hightech_zone,
            staff=True,
        )
        cls.city_admin = cls._member(
            "city_admin", "孙市管", cls.bureau, Role.CITY_ADMIN, staff=True
        )
        cls.leader = cls._member("leader", "周领导", cls.bureau, Role.LEADER)

    @classmethod
    def _member(cls, username, name, org, role, *, org_admin=False, region=None, staff=False):
        membership = MembershipFactory(
            user__username=username,
            user__display_name=name,
            user__is_staff=staff,
            organisation=org,
            role=role,
            region=region,
            is_org_admin=org_admin,
        )
        return membership.user

    def login(self, user) -> None:
        self.client.force_login(user)


def run_together(*calls: Callable[[], object]) -> list[str | None]:
    """Start every call at the same moment in its own thread (its own connection); return each
    outcome: "ok", the refusal's message (any ServiceError), or for anything else its type and
    text, so that a failing assertion shows it."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str | None] = [None] * len(calls)

    def run(n, call):
        try:
            barrier.wait()
            call()
            outcomes[n] = "ok"
        except ServiceError as exc:
            outcomes[n] = exc.message
        except Exception as exc:
            outcomes[n] = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


class ReferenceDataMixin:
    """For a TransactionTestCase: an earlier transactional test's flush emptied the reference
    data (regions, fields …), so it is loaded before each test, and again after, for the tests
    that follow. A subclass's setUp calls super().setUp() first."""

    def setUp(self):
        load_reference_data()
        super().setUp()

    def _fixture_teardown(self):
        super()._fixture_teardown()
        load_reference_data()

"""Factories for tests and for the demo data generator, so both build records the same way."""

from __future__ import annotations

import random

import factory
from django.contrib.auth.hashers import make_password

from core.choices import OrgSize, OrgType, Role
from core.models import Membership, Organisation, Region, User
from core.validators import USCC_ALPHABET, uscc_check_character

DEMO_PASSWORD = "Kechuang2026"

_ORG_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _gb11714_check(body: str) -> str:
    total = sum(int(ch, 36) * w for ch, w in zip(body, _GB11714_WEIGHTS, strict=True))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def make_uscc(
    rng: random.Random, region_code: str = "220102", org_type: str = OrgType.ENTERPRISE
) -> str:
    """A well-formed 统一社会信用代码: registering body, kind, region, organisation code, check."""
    prefix = (
        "91"
        if org_type in (OrgType.ENTERPRISE, OrgType.SERVICE_AGENCY, OrgType.INCUBATOR)
        else "12"
    )
    body = "".join(rng.choice(_ORG_CODE_ALPHABET[:10]) for _ in range(8))
    first17 = prefix + region_code[:6] + body + _gb11714_check(body)
    assert all(ch in USCC_ALPHABET for ch in first17)
    return first17 + uscc_check_character(first17)


_factory_rng = random.Random(20260101)
_password_hash: list[str] = []


def demo_password_hash() -> str:
    """Argon2 is slow on purpose; hash the shared demo password once per process."""
    if not _password_hash:
        _password_hash.append(make_password(DEMO_PASSWORD))
    return _password_hash[0]


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"长春测试科技有限公司{n:04d}")
    type = OrgType.ENTERPRISE
    region = factory.LazyFunction(lambda: Region.objects.get(code="220173"))
    size = OrgSize.SMALL
    uscc = factory.LazyAttribute(lambda o: make_uscc(_factory_rng, o.region.code, o.type))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:04d}")
    display_name = factory.Sequence(lambda n: f"测试用户{n:04d}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.LazyFunction(demo_password_hash)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.ENTERPRISE

    @factory.post_generation
    def make_current(self, create, extracted, **kwargs):
        if create and extracted is not False:
            self.user.current_membership = self
            self.user.save(update_fields=["current_membership"])

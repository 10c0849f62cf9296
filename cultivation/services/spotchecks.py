"""双随机 spot checks: a seeded, reproducible, stratified random draw of enterprises from a
pool and of inspectors for each, recorded with the population it was drawn from.

The draw is a pure function of (population, strata, ratio, inspectors, per-enterprise count,
seed): `reproduces` draws again from what was recorded and compares.
"""

from __future__ import annotations

import datetime
import math
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core import permissions
from core.exceptions import NotFound, ServiceError
from core.services import audit
from cultivation.choices import Tier
from cultivation.models import Inspector, PoolMembership, SpotCheck, SpotCheckItem


@dataclass(frozen=True)
class Draw:
    quotas: dict[str, int]
    enterprises: list[tuple[int, str]]  # (organisation id, stratum) in drawing order
    inspectors: list[list[int]]  # inspector ids for each drawn enterprise


def require_manage(actor) -> None:
    permissions.require(
        actor, "cultivation.manage_spot_checks", message=_("只有市科技局可以组织双随机抽查。")
    )


def allocate(sizes: dict[str, int], total: int) -> dict[str, int]:
    """Proportional allocation by largest remainder; ties go to the larger stratum, then by name."""
    population = sum(sizes.values())
    if population == 0:
        return {k: 0 for k in sizes}
    exact = {k: total * n / population for k, n in sizes.items()}
    quotas = {k: math.floor(v) for k, v in exact.items()}
    left = total - sum(quotas.values())
    order = sorted(sizes, key=lambda k: (-(exact[k] - quotas[k]), -sizes[k], k))
    for k in order[:left]:
        quotas[k] += 1
    return quotas


def _index(rng: random.Random, n: int) -> int:
    """A uniform index below n from `rng.random()` alone: the one method whose sequence Python
    guarantees for a seed across versions (sample/choice/randrange are not guaranteed)."""
    return min(int(rng.random() * n), n - 1)


def _sample(rng: random.Random, items: list[int], k: int) -> list[int]:
    """k items without replacement: a partial Fisher–Yates shuffle, in drawing order."""
    pool = list(items)
    for i in range(k):
        j = i + _index(rng, len(pool) - i)
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def draw(
    population: dict[str, list[int]],
    ratio: Decimal,
    inspectors: list[tuple[int, int | None]],
    per_enterprise: int,
    seed: int,
) -> Draw:
    """population: stratum → organisation ids; inspectors: (id, organisation id or None).

    Enterprises are drawn stratum by stratum (strata and ids sorted, so input order does not
    matter). Each enterprise gets `per_enterprise` inspectors drawn at random among those with
    the fewest checks so far, never one from the enterprise itself.
    """
    rng = random.Random(seed)
    sizes = {k: len(v) for k, v in population.items()}
    total = math.ceil(sum(sizes.values()) * Decimal(ratio) / 100)
    quotas = allocate(sizes, total)
    chosen: list[tuple[int, str]] = []
    for stratum in sorted(population):
        members = sorted(population[stratum])
        chosen.extend((org, stratum) for org in _sample(rng, members, quotas[stratum]))
    load = {i: 0 for i, _org in sorted(inspectors)}
    home = dict(inspectors)
    teams = []
    for org, _stratum in chosen:
        team: list[int] = []
        for _k in range(per_enterprise):
            free = [i for i in load if home[i] != org and i not in team]
            if not free:
                raise ServiceError(
                    _("在库检查人员不足：每户需要 %(n)d 名与被检查企业无关的检查人员。")
                    % {"n": per_enterprise}
                )
            least = min(load[i] for i in free)
            candidates = [i for i in free if load[i] == least]
            pick = candidates[_index(rng, len(candidates))]
            load[pick] += 1
            team.append(pick)
        teams.append(sorted(team))
    return Draw(quotas, chosen, teams)


def population_on(tier: str, on: datetime.date) -> dict[str, list[int]]:
    """The pool's members on `on`, by region (the strata)."""
    rows = (
        PoolMembership.objects.filter(
            Q(exited_on__isnull=True) | Q(exited_on__gt=on), tier=tier, entered_on__lte=on
        )
        .values_list("organisation_id", "organisation__region__name")
        .distinct()
    )
    out: dict[str, list[int]] = {}
    for org, region in rows:
        out.setdefault(region, []).append(org)
    return out


def _inspectors() -> list[tuple[int, int | None]]:
    return list(Inspector.objects.filter(active=True).values_list("pk", "organisation_id"))


@transaction.atomic
def create_spot_check(
    actor,
    *,
    title: str,
    tier: str,
    on: datetime.date,
    ratio: Decimal,
    inspectors_per_enterprise: int = 2,
    seed: int | None = None,
) -> SpotCheck:
    require_manage(actor)
    population = population_on(tier, on)
    if not population:
        raise ServiceError(
            _("%(day)s %(tier)s库中没有在库企业，无法抽取。")
            % {"day": on.isoformat(), "tier": Tier(tier).label}
        )
    seed = secrets.randbits(48) if seed is None else seed
    inspectors = _inspectors()
    result = draw(population, ratio, inspectors, inspectors_per_enterprise, seed)
    check = SpotCheck.objects.create(
        title=title,
        tier=tier,
        on=on,
        ratio=ratio,
        inspectors_per_enterprise=inspectors_per_enterprise,
        seed=seed,
        population={
            "strata": {k: sorted(v) for k, v in sorted(population.items())},
            "inspectors": [[i, org] for i, org in sorted(inspectors)],
        },
        strata=result.quotas,
        created_by=actor,
    )
    through = SpotCheckItem.inspectors.through
    links = []
    for position, ((org, stratum), team) in enumerate(
        zip(result.enterprises, result.inspectors, strict=True), 1
    ):
        item = SpotCheckItem.objects.create(
            spot_check=check, organisation_id=org, stratum=stratum, position=position
        )
        links.extend(through(spotcheckitem_id=item.pk, inspector_id=i) for i in team)
    through.objects.bulk_create(links)
    audit.record_create(
        actor,
        check,
        note=_("抽取 %(n)d 户企业（范围 %(p)d 户），随机种子 %(seed)d")
        % {
            "n": len(result.enterprises),
            "p": sum(len(v) for v in population.values()),
            "seed": seed,
        },
    )
    return check


def reproduces(check: SpotCheck) -> bool:
    """Draw again from the recorded population, inspectors and seed: the same result?"""
    population = check.population
    again = draw(
        {k: list(v) for k, v in population["strata"].items()},
        check.ratio,
        [(i, org) for i, org in population["inspectors"]],
        check.inspectors_per_enterprise,
        check.seed,
    )
    items = list(check.items.order_by("position").prefetch_related("inspectors"))
    recorded = [(it.organisation_id, it.stratum) for it in items]
    teams = [sorted(i.pk for i in it.inspectors.all()) for it in items]
    return recorded == again.enterprises and teams == again.inspectors


def spot_checks_for(user):
    require_manage(user)
    return SpotCheck.objects.select_related("created_by")


def get_spot_check(user, pk: int) -> SpotCheck:
    check = spot_checks_for(user).filter(pk=pk).first()
    if check is None:
        raise NotFound(_("抽查任务不存在。"))
    return check


def items_of(check: SpotCheck):
    return check.items.select_related("organisation__region").prefetch_related("inspectors")

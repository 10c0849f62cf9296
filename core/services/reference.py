"""Loading regions and taxonomies from data files.

The national taxonomies live in core/data/taxonomies.json; a city's regions and industry chains
in core/data/cities/<profile>.json, so another city is another file (KECHUANG_CITY_PROFILE).
Loading is idempotent: codes are the keys, names and order are updated in place.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.apps import apps as global_apps
from django.conf import settings

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class CityProfileMissing(Exception):
    pass


def city_profile_path(profile: str) -> Path:
    path = DATA_DIR / "cities" / f"{profile}.json"
    if not path.exists():
        raise CityProfileMissing(
            f"KECHUANG_CITY_PROFILE={profile!r}: no file {path.name} in core/data/cities/."
        )
    return path


def load_reference_data(apps=global_apps, profile: str | None = None) -> dict[str, int]:
    """Create or update every region and taxonomy entry; return counts per kind."""
    profile = profile or settings.CITY_PROFILE
    taxonomies = json.loads((DATA_DIR / "taxonomies.json").read_text(encoding="utf-8"))
    city = json.loads(city_profile_path(profile).read_text(encoding="utf-8"))

    counts: dict[str, int] = {}
    for key, model_name in (
        ("disciplines", "Discipline"),
        ("industry_sections", "IndustrySection"),
        ("hightech_fields", "HighTechField"),
    ):
        model = apps.get_model("core", model_name)
        for order, item in enumerate(taxonomies[key]["items"]):
            model.objects.update_or_create(
                code=item["code"], defaults={"name": item["name"], "sort_order": order}
            )
        counts[key] = len(taxonomies[key]["items"])

    Region = apps.get_model("core", "Region")
    city_region, _ = Region.objects.update_or_create(
        code=city["city"]["code"],
        defaults={"name": city["city"]["name"], "kind": "city", "parent": None, "sort_order": 0},
    )
    for order, item in enumerate(city["regions"], start=1):
        Region.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "kind": item["kind"],
                "parent": city_region,
                "sort_order": order,
            },
        )
    counts["regions"] = len(city["regions"])

    Chain = apps.get_model("core", "IndustryChain")
    Node = apps.get_model("core", "ChainNode")
    for order, item in enumerate(city["industry_chains"]):
        chain, _ = Chain.objects.update_or_create(
            code=item["code"], defaults={"name": item["name"], "sort_order": order}
        )
        for node_order, node in enumerate(item["nodes"]):
            Node.objects.update_or_create(
                code=node["code"],
                defaults={
                    "chain": chain,
                    "name": node["name"],
                    "description": node.get("description", ""),
                    "sort_order": node_order,
                },
            )
    counts["industry_chains"] = len(city["industry_chains"])
    return counts

"""The index definition: brain/data/district_index.json read and checked (dimensions with their
weights, indicator codes of the brain's catalog with weights inside their dimension, and the
options of each construction step)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kechuang.composite import CompositeError, Options

DEFINITION_FILE = Path(__file__).resolve().parent.parent.parent / "data" / "district_index.json"
YEAR_VALUES = ("", "sum")


class DefinitionError(ValueError):
    """district_index.json is malformed; the message names the problem."""


# -- the definition ------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexIndicator:
    """An indicator of the index: `weight` inside its dimension; `year_value` "sum" for a
    quarterly or monthly indicator whose year is the sum of its periods (a flow)."""

    code: str
    dimension: str
    weight: float
    year_value: str = ""


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    weight: float
    indicators: tuple[IndexIndicator, ...]


@dataclass(frozen=True)
class IndexDefinition:
    code: str
    name: str
    version: str
    method: str
    weights_note: str
    units_note: str
    dimensions: tuple[Dimension, ...]
    options: Options

    @property
    def indicators(self) -> tuple[IndexIndicator, ...]:
        return tuple(i for d in self.dimensions for i in d.indicators)

    def dimension(self, code: str) -> Dimension:
        return next(d for d in self.dimensions if d.code == code)

    def overall_weight(self, code: str) -> float:
        """The weight the definition gives `code` overall (dimension share × share within)."""
        total = sum(d.weight for d in self.dimensions)
        for d in self.dimensions:
            inside = sum(i.weight for i in d.indicators)
            for i in d.indicators:
                if i.code == code:
                    return d.weight / total * i.weight / inside
        raise KeyError(code)


def parse_definition(data: dict[str, Any]) -> IndexDefinition:
    """The definition from its JSON form, checked: positive weights, unique codes, known
    options."""
    try:
        dimensions = []
        seen: set[str] = set()
        for d in data["dimensions"]:
            items = []
            for i in d["indicators"]:
                if i["code"] in seen:
                    raise DefinitionError(f"indicator {i['code']} appears twice")
                seen.add(i["code"])
                year_value = i.get("year_value", "")
                if year_value not in YEAR_VALUES:
                    raise DefinitionError(f"{i['code']}: year_value must be one of {YEAR_VALUES}")
                if not float(i["weight"]) > 0:
                    raise DefinitionError(f"{i['code']}: weight must be positive")
                items.append(IndexIndicator(i["code"], d["code"], float(i["weight"]), year_value))
            if not items or not float(d["weight"]) > 0:
                raise DefinitionError(f"dimension {d['code']}: needs indicators and a weight > 0")
            dimensions.append(Dimension(d["code"], d["name"], float(d["weight"]), tuple(items)))
        return IndexDefinition(
            code=data["code"],
            name=data["name"],
            version=str(data["version"]),
            method=data.get("method", ""),
            weights_note=data.get("weights_note", ""),
            units_note=data.get("units", ""),
            dimensions=tuple(dimensions),
            options=Options.from_dict(data.get("options", {})),
        )
    except (KeyError, TypeError, ValueError, CompositeError) as exc:
        if isinstance(exc, DefinitionError):
            raise
        raise DefinitionError(f"district index definition: {exc}") from None


@lru_cache(maxsize=4)
def load_definition(path: str | None = None) -> IndexDefinition:
    """The index definition from `path` (default brain/data/district_index.json)."""
    text = Path(path or DEFINITION_FILE).read_text(encoding="utf-8")
    return parse_definition(json.loads(text))

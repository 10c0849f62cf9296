"""Rule sets as data: the YAML format, read into frozen objects and checked with clear errors.

A rule-set file (kechuang/rules/rulesets/<name>-<version>.yaml, format in docs/rules.md) holds
a name, a version, its effective dates, the source documents, the criteria, optionally a score
tree, and the eligibility formula. Nothing here evaluates anything: `engine.py` does.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from .errors import RuleFileError
from .expr import Expr, ExprError, parse
from .schema import FIELDS

UNITS = {"ratio", "yuan", "person", "item", "year", "day", "level", "points", "bool", "category"}
COMPARES = {"min", "max", "is", "in"}
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_SPECIAL = re.compile(r"^(score|points)\(\s*([a-z0-9_]*)\s*\)$")


@dataclass(frozen=True)
class Band:
    """One row of a band table: a bound (or categories, or nothing = everything else)."""

    kind: str  # min | max | in | else
    bound: float | None = None
    inclusive: bool = True
    choices: tuple[str, ...] = ()
    codes: tuple[float, ...] = ()  # the choices' indices in the field's list
    points: tuple[float, float] | None = None  # (low, high); equal unless experts pick
    threshold: float | None = None  # for threshold tables

    def holds_text(self) -> str:
        if self.kind == "min":
            return "≥" if self.inclusive else ">"
        if self.kind == "max":
            return "≤" if self.inclusive else "<"
        return ""


@dataclass(frozen=True)
class Points:
    bands: tuple[Band, ...] = ()
    per: float | None = None  # step scoring: `each` points per `per` units, at most `top`
    each: float | None = None
    top: float = 0.0

    @property
    def low(self) -> float:
        return min(b.points[0] for b in self.bands) if self.bands else 0.0

    @property
    def high(self) -> float:
        return max(b.points[1] for b in self.bands) if self.bands else self.top


@dataclass(frozen=True)
class Lever:
    """The input to change to meet a threshold, for the gap's amount (and fields moving with it)."""

    field: str
    together: tuple[str, ...] = ()


@dataclass(frozen=True)
class Criterion:
    id: str
    label: str
    unit: str
    source: str
    confirmed: bool
    wording: str = ""  # the rule in the document's words (bands, conditions)
    note: str = ""
    quantity: Expr | None = None
    special: tuple[str, str] | None = None  # ("score", group) or ("points", criterion)
    compare: str | None = None
    threshold: Any = None
    threshold_by: tuple[Expr, tuple[Band, ...]] | None = None
    inclusive: bool = True
    judgement: bool = False
    points: Points | None = None
    applies_if: Expr | None = None
    if_undefined: str = "fail"
    lever: Lever | None = None
    fail_text: str = ""

    @property
    def scored(self) -> bool:
        return self.points is not None

    @property
    def inputs(self) -> tuple[str, ...]:
        names: list[str] = []
        for expr in (
            self.quantity,
            self.threshold_by[0] if self.threshold_by else None,
            self.applies_if,
        ):
            for name in expr.fields if expr else ():
                if name not in names:
                    names.append(name)
        return tuple(names)

    @property
    def op(self) -> str:
        """The comparison as a symbol: ≥ > ≤ < = ∈."""
        if self.compare == "min":
            return "≥" if self.inclusive else ">"
        if self.compare == "max":
            return "≤" if self.inclusive else "<"
        return {"is": "=", "in": "∈"}.get(self.compare or "", "")


@dataclass(frozen=True)
class ScoreGroup:
    id: str
    label: str
    parts: tuple[str | ScoreGroup, ...]
    top: float | None = None  # cap on the group's points
    combine: str = "sum"  # sum | best


@dataclass(frozen=True)
class Node:
    """The eligibility formula: all / any of children, or one criterion; `route` names a way."""

    op: str  # all | any | leaf
    criterion: str = ""
    route: str = ""
    children: tuple[Node, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    name: str
    title: str
    version: str
    effective_from: dt.date
    effective_to: dt.date | None
    source: str
    criteria: tuple[Criterion, ...]
    eligible: Node
    score: ScoreGroup | None = None
    title_en: str = ""
    dates_confirmed: bool = True
    notes: tuple[str, ...] = ()
    path: str = ""

    def criterion(self, criterion_id: str) -> Criterion:
        return self._by_id[criterion_id]

    @property
    def _by_id(self) -> dict[str, Criterion]:
        return {c.id: c for c in self.criteria}

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"


# -- reading a file -------------------------------------------------------------------------------
def load_ruleset(path: str | Path) -> RuleSet:
    """Read and check one rule-set file; raises RuleFileError naming the file and the place."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise RuleFileError(
            str(path), "", f"cannot read ({error})", f"无法读取（{error}）"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise RuleFileError(str(path), where, "not valid YAML", "不是有效的 YAML") from None
    return ruleset_from_dict(data, str(path))


def ruleset_from_dict(data: Any, path: str = "<rules>") -> RuleSet:
    reader = _Reader(path)
    return reader.ruleset(data)


class _Reader:
    def __init__(self, path: str):
        self.path = path

    def error(self, where: str, en: str, zh: str) -> RuleFileError:
        return RuleFileError(self.path, where, en, zh)

    def keys(self, data: Any, where: str, required: set[str], optional: set[str]) -> dict:
        if not isinstance(data, dict):
            raise self.error(where, "expected a mapping", "应为键值映射")
        missing = sorted(required - data.keys())
        if missing:
            raise self.error(where, f"missing {', '.join(missing)}", f"缺少 {', '.join(missing)}")
        unknown = sorted(data.keys() - required - optional)
        if unknown:
            raise self.error(
                where,
                f"unknown key {', '.join(map(str, unknown))}",
                f"未知键 {', '.join(map(str, unknown))}",
            )
        return data

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(where, "expected non-empty text", "应为非空文本")
        return value.strip()

    def number(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(
                where, f"expected a number, got {value!r}", f"应为数字，实际为 {value!r}"
            )
        return float(value)

    def flag(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(
                where,
                f"expected true or false, got {value!r}",
                f"应为 true 或 false，实际为 {value!r}",
            )
        return value

    def date(self, value: Any, where: str) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise self.error(
                where,
                f"expected a date YYYY-MM-DD, got {value!r}",
                f"应为日期 YYYY-MM-DD，实际为 {value!r}",
            ) from None

    def expr(self, value: Any, where: str) -> Expr:
        try:
            return parse(value)
        except ExprError as error:
            raise self.error(where, error.en, error.zh) from None

    # -- the whole file
    def ruleset(self, data: Any) -> RuleSet:
        top = self.keys(
            data,
            "",
            {
                "name",
                "title",
                "version",
                "effective_from",
                "effective_to",
                "source",
                "criteria",
                "eligible",
            },
            {"title_en", "dates_confirmed", "notes", "score"},
        )
        name = self.text(top["name"], "name")
        if not _ID.match(name):
            raise self.error(
                "name", "use lower-case letters, digits and _", "名称只能用小写字母、数字和下划线"
            )
        version = str(top["version"]).strip()
        if not version:
            raise self.error("version", "empty version", "版本为空")
        start = self.date(top["effective_from"], "effective_from")
        end = (
            None if top["effective_to"] is None else self.date(top["effective_to"], "effective_to")
        )
        if end is not None and end < start:
            raise self.error("effective_to", "ends before it starts", "失效日期早于生效日期")
        notes = top.get("notes") or []
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            raise self.error("notes", "expected a list of texts", "应为文本列表")
        if not isinstance(top["criteria"], list) or not top["criteria"]:
            raise self.error("criteria", "expected a non-empty list", "应为非空列表")
        criteria = [self.criterion(c, f"criteria[{k}]") for k, c in enumerate(top["criteria"])]
        by_id: dict[str, Criterion] = {}
        for criterion in criteria:
            if criterion.id in by_id:
                raise self.error(f"criteria ({criterion.id})", "id used twice", "指标编号重复")
            by_id[criterion.id] = criterion
        score = self.score(top.get("score"), by_id)
        eligible = self.node(top["eligible"], "eligible", by_id)
        self.check_references(by_id, score, eligible)
        return RuleSet(
            name=name,
            title=self.text(top["title"], "title"),
            version=version,
            effective_from=start,
            effective_to=end,
            source=self.text(top["source"], "source"),
            criteria=tuple(criteria),
            eligible=eligible,
            score=score,
            title_en=str(top.get("title_en") or ""),
            dates_confirmed=self.flag(top.get("dates_confirmed", True), "dates_confirmed"),
            notes=tuple(notes),
            path=self.path,
        )

    # -- one criterion
    def criterion(self, data: Any, where: str) -> Criterion:
        c = self.keys(
            data,
            where,
            {"id", "label", "unit", "source", "confirmed"},
            {
                "quantity", "compare", "threshold", "inclusive", "judgement", "points",
                "applies_if", "if_undefined", "lever", "fail_text", "note", "wording",
            },
        )  # fmt: skip
        cid = self.text(c["id"], f"{where}.id")
        where = f"{where} ({cid})"
        if not _ID.match(cid):
            raise self.error(
                where,
                "id: use lower-case letters, digits and _",
                "编号只能用小写字母、数字和下划线",
            )
        unit = c["unit"]
        if unit not in UNITS:
            raise self.error(
                where,
                f"unit {unit!r} is not one of {', '.join(sorted(UNITS))}",
                f"单位 {unit!r} 无效",
            )
        quantity, special = None, None
        if "quantity" in c:
            match = _SPECIAL.match(str(c["quantity"]).strip())
            if match:
                special = (match.group(1), match.group(2))
            else:
                quantity = self.expr(c["quantity"], f"{where}.quantity")
        judgement = self.flag(c.get("judgement", False), f"{where}.judgement")
        points = None
        if "points" in c:
            points = self.points(c["points"], f"{where}.points", quantity)
            if "compare" in c or special:
                raise self.error(
                    where,
                    "a scored criterion has points, not compare",
                    "计分指标用 points，不用 compare",
                )
            if quantity is None and not judgement:
                raise self.error(
                    where,
                    "points need a quantity (or judgement: true)",
                    "计分需要 quantity（或 judgement: true）",
                )
        compare, threshold, threshold_by, inclusive = None, None, None, True
        if "compare" in c:
            compare = c["compare"]
            if compare not in COMPARES:
                raise self.error(
                    where,
                    f"compare must be one of {', '.join(sorted(COMPARES))}",
                    "compare 应为 min、max、is 或 in",
                )
            if quantity is None and special is None:
                raise self.error(where, "compare needs a quantity", "compare 需要 quantity")
            if "threshold" not in c:
                raise self.error(where, "compare needs a threshold", "compare 需要 threshold")
            threshold, threshold_by = self.threshold(c["threshold"], compare, quantity, where)
            if compare in ("min", "max"):
                if "inclusive" not in c:
                    raise self.error(
                        where,
                        "say whether the threshold is inclusive (inclusive: true/false)",
                        "请注明阈值是否含等号（inclusive）",
                    )
                inclusive = self.flag(c["inclusive"], f"{where}.inclusive")
        elif points is None and not judgement:
            raise self.error(
                where,
                "a criterion needs compare, points or judgement: true",
                "指标需要 compare、points 或 judgement",
            )
        lever = None
        if "lever" in c:
            lever = self.lever(c["lever"], f"{where}.lever", quantity)
        if_undefined = c.get("if_undefined", "fail")
        if if_undefined not in ("fail", "review"):
            raise self.error(
                where, "if_undefined is fail or review", "if_undefined 应为 fail 或 review"
            )
        return Criterion(
            id=cid,
            label=self.text(c["label"], f"{where}.label"),
            unit=unit,
            source=self.text(c["source"], f"{where}.source"),
            confirmed=self.flag(c["confirmed"], f"{where}.confirmed"),
            wording=str(c.get("wording") or ""),
            note=str(c.get("note") or ""),
            quantity=quantity,
            special=special,
            compare=compare,
            threshold=threshold,
            threshold_by=threshold_by,
            inclusive=inclusive,
            judgement=judgement,
            points=points,
            applies_if=self.expr(c["applies_if"], f"{where}.applies_if")
            if "applies_if" in c
            else None,
            if_undefined=if_undefined,
            lever=lever,
            fail_text=str(c.get("fail_text") or ""),
        )

    def threshold(self, value: Any, compare: str, quantity: Expr | None, where: str):
        is_category = quantity is not None and quantity.kind == "category"
        if compare in ("min", "max"):
            if is_category:
                raise self.error(
                    where, "a category is compared with is / in", "类别只能用 is 或 in 比较"
                )
            if isinstance(value, dict):
                spec = self.keys(value, f"{where}.threshold", {"by", "bands"}, set())
                by = self.expr(spec["by"], f"{where}.threshold.by")
                bands = self.bands(spec["bands"], f"{where}.threshold.bands", "threshold", by)
                return None, (by, bands)
            return self.number(value, f"{where}.threshold"), None
        if compare == "is":
            if is_category:
                return self.choices([value], quantity, where)[0], None
            return self.flag(value, f"{where}.threshold"), None
        if not is_category or not isinstance(value, list) or not value:
            raise self.error(
                where,
                "compare: in takes a category quantity and a list of choices",
                "in 需要类别字段和可选值列表",
            )
        return tuple(self.choices(value, quantity, where)), None

    def choices(self, values: list, quantity: Expr, where: str) -> list[str]:
        allowed = FIELDS[quantity.fields[0]].choices
        for value in values:
            if value not in allowed:
                raise self.error(
                    where, f"{value!r} is not one of {', '.join(allowed)}", f"{value!r} 不是可选值"
                )
        return list(values)

    def points(self, data: Any, where: str, quantity: Expr | None) -> Points:
        p = self.keys(data, where, set(), {"bands", "per", "each", "max"})
        if "bands" in p:
            if quantity is None:
                raise self.error(where, "bands need a quantity", "分档需要 quantity")
            return Points(bands=self.bands(p["bands"], f"{where}.bands", "points", quantity))
        if "per" in p or "each" in p:
            if quantity is None or not {"per", "each", "max"} <= p.keys():
                raise self.error(
                    where,
                    "step points need quantity, per, each and max",
                    "按步计分需要 quantity、per、each、max",
                )
            per = self.number(p["per"], f"{where}.per")
            if per <= 0:
                raise self.error(where, "per must be positive", "per 应为正数")
            return Points(
                per=per,
                each=self.number(p["each"], f"{where}.each"),
                top=self.number(p["max"], f"{where}.max"),
            )
        if "max" not in p:
            raise self.error(
                where, "give bands, per/each/max, or max (judgement)", "请给出分档、按步计分或满分"
            )
        return Points(top=self.number(p["max"], f"{where}.max"))

    def bands(self, data: Any, where: str, what: str, quantity: Expr) -> tuple[Band, ...]:
        if not isinstance(data, list) or not data:
            raise self.error(where, "expected a non-empty list", "应为非空列表")
        bands = []
        for k, item in enumerate(data):
            here = f"{where}[{k}]"
            b = self.keys(item, here, {what}, {"min", "max", "in", "inclusive"})
            bounds = [key for key in ("min", "max", "in") if key in b]
            if len(bounds) > 1:
                raise self.error(
                    here, "one of min, max or in per band", "每档只能有 min、max、in 之一"
                )
            kind = bounds[0] if bounds else "else"
            band = Band(
                kind=kind, inclusive=self.flag(b.get("inclusive", True), f"{here}.inclusive")
            )
            if kind in ("min", "max"):
                band = Band(kind, self.number(b[kind], f"{here}.{kind}"), band.inclusive)
            elif kind == "in":
                if quantity.kind != "category" or not isinstance(b["in"], list):
                    raise self.error(here, "in needs a category quantity", "in 需要类别字段")
                chosen = tuple(self.choices(list(b["in"]), quantity, here))
                allowed = FIELDS[quantity.fields[0]].choices
                band = Band(
                    "in", choices=chosen, codes=tuple(float(allowed.index(c)) for c in chosen)
                )
            if what == "points":
                raw = b["points"]
                pts = raw if isinstance(raw, list) else [raw, raw]
                if len(pts) != 2:
                    raise self.error(
                        here, "points are a number or [low, high]", "分值应为数字或 [低, 高]"
                    )
                low, high = (self.number(v, f"{here}.points") for v in pts)
                if not 0 <= low <= high:
                    raise self.error(here, "points need 0 ≤ low ≤ high", "分值应满足 0 ≤ 低 ≤ 高")
                band = replace(band, points=(low, high))
            else:
                band = replace(band, threshold=self.number(b["threshold"], f"{here}.threshold"))
            bands.append(band)
        self.check_band_order(bands, where)
        return tuple(bands)

    def check_band_order(self, bands: list[Band], where: str) -> None:
        if bands[-1].kind != "else":
            raise self.error(
                where,
                "end with a band without min/max/in: what every other value gets",
                "最后一档应不带界限（其余情况）",
            )
        if any(b.kind == "else" for b in bands[:-1]):
            raise self.error(
                where, "only the last band may be without a bound", "只有最后一档可以不带界限"
            )
        kinds = {b.kind for b in bands[:-1]}
        if len(kinds) > 1:
            raise self.error(
                where, "do not mix min, max and in bands", "不要混用 min、max、in 分档"
            )
        for k in range(1, len(bands) - 1):
            a, b = bands[k - 1], bands[k]
            wrong = (a.kind == "min" and b.bound > a.bound) or (
                a.kind == "max" and b.bound < a.bound
            )
            if wrong or (
                a.kind in ("min", "max") and a.bound == b.bound and (a.inclusive or not b.inclusive)
            ):
                raise self.error(
                    f"{where}[{k}]",
                    "this band can never match: bands are checked from the top, best first",
                    "此档永远不会命中：分档自上而下检查",
                )

    def lever(self, data: Any, where: str, quantity: Expr | None) -> Lever:
        spec = self.keys(data, where, {"field"}, {"with"})
        together = tuple(spec.get("with") or ())
        if quantity is None or spec["field"] not in quantity.fields:
            raise self.error(
                where, "the lever must be a field of the quantity", "lever 应为 quantity 中的字段"
            )
        for name in together:
            if name not in FIELDS or FIELDS[name].kind not in ("number", "yearly"):
                raise self.error(
                    where, f"{name!r} is not a numeric field", f"{name!r} 不是数值字段"
                )
        if FIELDS[spec["field"]].kind not in ("number", "yearly"):
            raise self.error(where, "the lever must be a numeric field", "lever 应为数值字段")
        if any(FIELDS[name].kind == "records" for name in quantity.fields):
            raise self.error(
                where, "no lever for a quantity that counts records", "计数类指标不设 lever"
            )
        return Lever(spec["field"], together)

    # -- the score tree and the formula
    def score(self, data: Any, by_id: dict[str, Criterion]) -> ScoreGroup | None:
        scored = [c.id for c in by_id.values() if c.scored]
        if data is None:
            if scored:
                raise self.error(
                    "score",
                    f"criteria with points but no score: {', '.join(scored)}",
                    "有计分指标但没有 score",
                )
            return None
        root = self.group(
            {"id": "total", "label": "总分", **data} if isinstance(data, dict) else data,
            "score",
            by_id,
        )
        used: list[str] = []

        def walk(group: ScoreGroup) -> None:
            for part in group.parts:
                if isinstance(part, ScoreGroup):
                    walk(part)
                else:
                    used.append(part)

        walk(root)
        for cid in scored:
            if used.count(cid) != 1:
                raise self.error(
                    "score",
                    f"{cid} must appear exactly once in the score",
                    f"{cid} 必须在 score 中恰好出现一次",
                )
        return root

    def group(self, data: Any, where: str, by_id: dict[str, Criterion]) -> ScoreGroup:
        g = self.keys(data, where, {"id", "label", "parts"}, {"max", "combine"})
        parts = []
        if not isinstance(g["parts"], list) or not g["parts"]:
            raise self.error(where, "parts: expected a non-empty list", "parts 应为非空列表")
        for k, part in enumerate(g["parts"]):
            if isinstance(part, str):
                if part not in by_id or not by_id[part].scored:
                    raise self.error(
                        f"{where}.parts[{k}]",
                        f"{part!r} is not a scored criterion",
                        f"{part!r} 不是计分指标",
                    )
                parts.append(part)
            else:
                parts.append(self.group(part, f"{where}.parts[{k}]", by_id))
        combine = g.get("combine", "sum")
        if combine not in ("sum", "best"):
            raise self.error(where, "combine is sum or best", "combine 应为 sum 或 best")
        top = self.number(g["max"], f"{where}.max") if "max" in g else None
        return ScoreGroup(
            self.text(g["id"], f"{where}.id"),
            self.text(g["label"], f"{where}.label"),
            tuple(parts),
            top,
            combine,
        )

    def node(self, data: Any, where: str, by_id: dict[str, Criterion], route: str = "") -> Node:
        if isinstance(data, str):
            if data not in by_id:
                raise self.error(where, f"unknown criterion {data!r}", f"未知指标 {data!r}")
            if by_id[data].scored:
                raise self.error(
                    where,
                    f"{data!r} is scored: test the score instead",
                    f"{data!r} 是计分指标，请对得分设条件",
                )
            return Node("leaf", criterion=data, route=route)
        spec = self.keys(data, where, set(), {"all", "any", "route"})
        ops = [op for op in ("all", "any") if op in spec]
        if len(ops) != 1 or not isinstance(spec[ops[0]], list) or not spec[ops[0]]:
            raise self.error(
                where, "one of all: [...] or any: [...]", "应为 all: [...] 或 any: [...] 之一"
            )
        op = ops[0]
        name = str(spec.get("route") or route)
        children = []
        for k, child in enumerate(spec[op]):
            here = f"{where}.{op}[{k}]"
            child_route = ""
            if (
                isinstance(child, dict)
                and "route" in child
                and set(child) == {"route", "criterion"}
            ):
                child_route, child = child["route"], child["criterion"]
            node = self.node(child, here, by_id, child_route)
            if op == "any" and not node.route:
                raise self.error(
                    here,
                    "each way of an any: needs a route name",
                    "any 的每一种途径都需要 route 名称",
                )
            children.append(node)
        return Node(op, route=name, children=tuple(children))

    def check_references(
        self, by_id: dict[str, Criterion], score: ScoreGroup | None, eligible: Node
    ) -> None:
        groups: set[str] = set()

        def walk(group: ScoreGroup) -> None:
            groups.add(group.id)
            for part in group.parts:
                if isinstance(part, ScoreGroup):
                    walk(part)

        if score is not None:
            walk(score)
        used: set[str] = set()

        def visit(node: Node) -> None:
            if node.op == "leaf":
                used.add(node.criterion)
            for child in node.children:
                visit(child)

        visit(eligible)
        for c in by_id.values():
            if c.special:
                kind, arg = c.special
                if kind == "score" and (score is None or (arg and arg not in groups)):
                    raise self.error(
                        f"criteria ({c.id})",
                        f"no score group {arg or 'total'!r}",
                        f"没有得分组 {arg or 'total'!r}",
                    )
                if kind == "points" and (arg not in by_id or not by_id[arg].scored):
                    raise self.error(
                        f"criteria ({c.id})",
                        f"{arg!r} is not a scored criterion",
                        f"{arg!r} 不是计分指标",
                    )
            if not c.scored and c.id not in used:
                raise self.error(
                    f"criteria ({c.id})",
                    "never used: add it to eligible",
                    "未被使用：请加入 eligible",
                )

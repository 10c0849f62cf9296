"""The small formula language of rule files, evaluated over whole columns at once.

A quantity is written as a Python-like expression over input fields:

    total(rd_expense_hte) / total(revenue)          3-year R&D ratio (years in business only)
    tech_staff / staff                              a share
    growth_mean(net_assets)                         ½(Y2/Y1 + Y3/Y2) − 1
    count(awards, level="national", within=5, rank=3)

It is parsed once with `ast` (only the nodes and functions below are accepted) and evaluated
with numpy over every enterprise of a table. Each value travels with a bit mask saying which
of the expression's input fields were missing, so a result can be told apart as *missing*
(an input is absent) or *undefined* (inputs present, but e.g. a ratio over a zero or negative
denominator), and the missing fields can be named.

Functions (x is a yearly field or a yearly expression; years before founding do not count):
    last(x), prev(x), first(x)    the latest, previous and earliest of the three years
    total(x, n=3), mean(x, n=3)   sum / mean over the last n years in business
    each_min(x, n=2)              the smallest of the last n years' values
    growth(x)                     last / prev − 1
    growth_mean(x)                ½(x2/x1 + x3/x2) − 1, needs three years in business
    cagr(x)                       (x3/x1)^(1/2) − 1, needs three years in business
    years_active()                fiscal years in business among the last three
    days_since(date)              days from the date to the assessment date
    within_years(date, n)         1 if date ≤ assessment date < date + n years, else 0
    count(list, level=…, within=n, rank=r, lead=true)
                                  records with that level, dated in the last n years
                                  (year ≥ assessment year − n), ranked r or better
    min(a, b), max(a, b)
"""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass

import numpy as np

from .schema import FIELDS, RECORD_KEYS, YEARS

YEARLY_FUNCS = {
    "last",
    "prev",
    "first",
    "total",
    "mean",
    "each_min",
    "growth",
    "growth_mean",
    "cagr",
}
FUNCS = YEARLY_FUNCS | {"years_active", "days_since", "within_years", "count", "min", "max"}
_OPS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply}
_CMP = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}


class ExprError(ValueError):
    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.en, self.zh = en, zh


@dataclass
class Context:
    """A table and an assessment date: everything an expression reads."""

    table: object  # EnterpriseTable
    on: dt.date

    def __post_init__(self) -> None:
        columns = self.table.columns
        self.n = self.table.n
        self.on_day = float((np.datetime64(self.on, "D") - np.datetime64(0, "D")).astype(np.int64))
        year = columns["year"]
        self.latest_year = np.where(np.isnan(year), self.on.year - 1, year)
        founded_year = _years(columns["founded"])
        fiscal = self.latest_year[:, None] - np.arange(YEARS - 1, -1, -1)[None, :]
        # a year counts from the founding year on; an unknown founding date counts all three
        self.active = np.isnan(founded_year)[:, None] | (fiscal >= founded_year[:, None])


@dataclass(frozen=True)
class Expr:
    text: str
    tree: ast.expr
    fields: tuple[str, ...]  # input fields read, in order of first use (bit k = fields[k])
    kind: str  # scalar | yearly | category

    def evaluate(self, ctx: Context) -> tuple[np.ndarray, np.ndarray]:
        """(values, missing bits) for every enterprise; NaN values are missing or undefined."""
        value, miss, kind = _eval(self.tree, ctx, self.fields)
        if kind == "yearly":
            raise ExprError(
                f"{self.text}: a yearly list, not one value",
                f"{self.text}：结果是年度列表而非单个值",
            )
        return value, miss

    def missing_fields(self, bits: int) -> list[str]:
        return [name for k, name in enumerate(self.fields) if bits >> k & 1]


def parse(text: str) -> Expr:
    """Parse and check an expression; raises ExprError with a reason in both languages."""
    if not isinstance(text, str) or not text.strip():
        raise ExprError("an expression must be a non-empty string", "表达式应为非空字符串")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as error:
        raise ExprError(
            f"cannot parse {text!r}: {error.msg}", f"无法解析表达式 {text!r}：{error.msg}"
        ) from None
    fields: list[str] = []
    kind = _check(tree, fields, text)
    if len(fields) > 62:
        raise ExprError("too many fields in one expression", "一个表达式中的字段过多")
    return Expr(text.strip(), tree, tuple(fields), kind)


# -- static checks --------------------------------------------------------------------------------
def _check(node: ast.AST, fields: list[str], text: str) -> str:
    def fail(en: str, zh: str) -> ExprError:
        return ExprError(f"{text!r}: {en}", f"表达式 {text!r}：{zh}")

    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool | int | float):
            return "scalar"
        raise fail(f"constant {node.value!r} is not a number", f"常量 {node.value!r} 不是数字")
    if isinstance(node, ast.Name):
        spec = FIELDS.get(node.id)
        if spec is None:
            raise fail(f'unknown field "{node.id}"', f"未知字段“{node.id}”")
        if spec.kind == "records":
            raise fail(
                f'"{node.id}" is a list; use count({node.id}, …)', f"{node.id} 是列表，请用 count()"
            )
        if node.id not in fields:
            fields.append(node.id)
        return {"yearly": "yearly", "category": "category"}.get(spec.kind, "scalar")
    if isinstance(node, ast.BinOp) and type(node.op) in (*_OPS, ast.Div):
        kinds = {_check(node.left, fields, text), _check(node.right, fields, text)}
        if "category" in kinds:
            raise fail("arithmetic on a category", "不能对类别做算术运算")
        return "yearly" if "yearly" in kinds else "scalar"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Not):
        return _check(node.operand, fields, text)
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, fields, text)
        return "scalar"
    if isinstance(node, ast.Compare):
        if len(node.ops) != 1:
            raise fail("chained comparisons are not allowed", "不允许连续比较")
        left = _check(node.left, fields, text)
        right = node.comparators[0]
        if isinstance(node.ops[0], ast.In | ast.NotIn) or left == "category":
            if left != "category" or not _is_choice_set(right, node.left.id):
                raise fail(
                    "`in` and `==` on categories take listed choices", "类别只能与其可选值比较"
                )
            return "scalar"
        if (
            type(node.ops[0]) not in _CMP
            or _check(right, fields, text) != "scalar"
            or left != "scalar"
        ):
            raise fail("comparisons are between single values", "只能比较单个数值")
        return "scalar"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return _check_call(node, fields, text, fail)
    raise fail(f"{type(node).__name__} is not allowed", f"不支持 {type(node).__name__}")


def _check_call(node: ast.Call, fields: list[str], text: str, fail) -> str:
    name = node.func.id
    if name not in FUNCS:
        raise fail(f'unknown function "{name}"', f"未知函数“{name}”")
    args = node.args
    if name == "count":
        if len(args) != 1 or not isinstance(args[0], ast.Name) or args[0].id not in RECORD_KEYS:
            raise fail(
                "count() takes a list field: awards, standards or maker_china",
                "count() 的参数应为列表字段",
            )
        allowed = {"within", "rank", "level", "lead"}
        for keyword in node.keywords:
            if keyword.arg not in allowed or not _constant_ok(keyword.value):
                raise fail(
                    f"count(): bad option {keyword.arg}", f"count()：选项 {keyword.arg} 无效"
                )
        if args[0].id not in fields:
            fields.append(args[0].id)
        return "scalar"
    if node.keywords:
        raise fail(f"{name}() takes no named options", f"{name}() 不接受命名参数")
    if name == "years_active":
        if args:
            raise fail("years_active() takes no arguments", "years_active() 不带参数")
        if "founded" not in fields:
            fields.append("founded")
        return "scalar"
    if name in ("days_since", "within_years"):
        want = 1 if name == "days_since" else 2
        if (
            len(args) != want
            or not isinstance(args[0], ast.Name)
            or FIELDS.get(args[0].id, None) is None
            or FIELDS[args[0].id].kind != "date"
        ):
            raise fail(
                f"{name}() takes a date field" + (" and a number of years" if want == 2 else ""),
                f"{name}() 的参数应为日期字段",
            )
        if want == 2 and not (isinstance(args[1], ast.Constant) and isinstance(args[1].value, int)):
            raise fail(
                "within_years(date, n): n is a whole number", "within_years(日期, n)：n 应为整数"
            )
        if args[0].id not in fields:
            fields.append(args[0].id)
        return "scalar"
    if name in ("min", "max"):
        if len(args) != 2:
            raise fail(f"{name}() takes two values", f"{name}() 需要两个参数")
        kinds = {_check(a, fields, text) for a in args}
        return "yearly" if "yearly" in kinds else "scalar"
    # yearly reductions
    if not 1 <= len(args) <= 2 or _check(args[0], fields, text) != "yearly":
        raise fail(f"{name}() takes a yearly field or expression", f"{name}() 的参数应为年度数据")
    if len(args) == 2:
        if name not in ("total", "mean", "each_min"):
            raise fail(f"{name}() takes one argument", f"{name}() 只带一个参数")
        if not (isinstance(args[1], ast.Constant) and args[1].value in range(1, YEARS + 1)):
            raise fail(f"{name}(x, n): n is 1 to {YEARS}", f"{name}(x, n)：n 应为 1 至 {YEARS}")
    return "scalar"


def _constant_ok(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, bool | int | str)
    return isinstance(node, ast.List | ast.Tuple) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    )


def _is_choice_set(node: ast.AST, field: str) -> bool:
    choices = FIELDS[field].choices
    values = [node] if isinstance(node, ast.Constant) else getattr(node, "elts", None)
    return values is not None and all(
        isinstance(v, ast.Constant) and v.value in choices for v in values
    )


# -- evaluation -----------------------------------------------------------------------------------
def _eval(node: ast.AST, ctx: Context, fields: tuple[str, ...]):
    n = ctx.n
    if isinstance(node, ast.Constant):
        return np.full(n, float(node.value)), np.zeros(n, np.int64), "scalar"
    if isinstance(node, ast.Name):
        return _field(node.id, ctx, fields)
    if isinstance(node, ast.BinOp):
        a, ma, ka = _eval(node.left, ctx, fields)
        b, mb, kb = _eval(node.right, ctx, fields)
        a, b, ma, mb, kind = _align(a, b, ma, mb, ka, kb)
        with np.errstate(divide="ignore", invalid="ignore"):
            if isinstance(node.op, ast.Div):
                value = np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)
                value = np.where(np.isnan(a) | np.isnan(b), np.nan, value)
            else:
                value = _OPS[type(node.op)](a, b)
        return value, ma | mb, kind
    if isinstance(node, ast.UnaryOp):
        a, ma, kind = _eval(node.operand, ctx, fields)
        if isinstance(node.op, ast.Not):
            return np.where(np.isnan(a), np.nan, (a == 0).astype(float)), ma, kind
        return -a, ma, kind
    if isinstance(node, ast.BoolOp):
        parts = [_eval(v, ctx, fields)[:2] for v in node.values]
        values = np.stack([p[0] for p in parts])
        miss = np.bitwise_or.reduce(np.stack([p[1] for p in parts]))
        decided = 0.0 if isinstance(node.op, ast.And) else 1.0
        hit = (values == decided).any(axis=0)
        unknown = np.isnan(values).any(axis=0)
        value = np.where(hit, decided, np.where(unknown, np.nan, 1.0 - decided))
        return value, np.where(hit, 0, miss), "scalar"
    if isinstance(node, ast.Compare):
        return _compare(node, ctx, fields)
    return _call(node, ctx, fields)


def _field(name: str, ctx: Context, fields: tuple[str, ...]):
    spec = FIELDS[name]
    value = ctx.table.columns[name]
    bit = np.int64(1) << np.int64(fields.index(name))
    absent = np.isnan(value)
    if spec.kind == "yearly":
        miss = np.where(absent & ctx.active, bit, np.int64(0))
        return np.where(ctx.active, value, np.nan), miss, "yearly"
    if spec.absent_is_none:
        return value, np.zeros(ctx.n, np.int64), "scalar"
    kind = "category" if spec.kind == "category" else "scalar"
    return value, np.where(absent, bit, np.int64(0)), kind


def _align(a, b, ma, mb, ka, kb):
    if ka == kb or "yearly" not in (ka, kb):
        return a, b, ma, mb, ka
    if ka != "yearly":
        a, ma = a[:, None], ma[:, None]
    else:
        b, mb = b[:, None], mb[:, None]
    return a, b, ma, mb, "yearly"


def _compare(node: ast.Compare, ctx: Context, fields):
    a, ma, kind = _eval(node.left, ctx, fields)
    op = node.ops[0]
    right = node.comparators[0]
    if kind == "category":
        choices = FIELDS[node.left.id].choices
        wanted = [right.value] if isinstance(right, ast.Constant) else [e.value for e in right.elts]
        codes = [float(choices.index(w)) for w in wanted]
        hit = np.isin(a, codes)
        if isinstance(op, ast.NotIn | ast.NotEq):
            hit = ~hit
        return np.where(np.isnan(a), np.nan, hit.astype(float)), ma, "scalar"
    b, mb, _ = _eval(right, ctx, fields)
    with np.errstate(invalid="ignore"):
        value = _CMP[type(op)](a, b).astype(float)
    return np.where(np.isnan(a) | np.isnan(b), np.nan, value), ma | mb, "scalar"


def _call(node: ast.Call, ctx: Context, fields):
    name = node.func.id
    n = ctx.n
    if name == "count":
        return _count(node, ctx, fields)
    if name == "years_active":
        return ctx.active.sum(axis=1).astype(float), np.zeros(n, np.int64), "scalar"
    if name in ("days_since", "within_years"):
        day, miss, _ = _field(node.args[0].id, ctx, fields)
        if name == "days_since":
            return ctx.on_day - day, miss, "scalar"
        years = node.args[1].value
        until = _add_years(day, years)
        inside = (day <= ctx.on_day) & (ctx.on_day < until)
        absent_none = FIELDS[node.args[0].id].absent_is_none
        value = np.where(np.isnan(day) & ~absent_none, np.nan, inside.astype(float))
        return value, miss, "scalar"
    if name in ("min", "max"):
        a, ma, ka = _eval(node.args[0], ctx, fields)
        b, mb, kb = _eval(node.args[1], ctx, fields)
        a, b, ma, mb, kind = _align(a, b, ma, mb, ka, kb)
        return (np.minimum if name == "min" else np.maximum)(a, b), ma | mb, kind
    x, mx, _ = _eval(node.args[0], ctx, fields)
    active = ctx.active
    with np.errstate(divide="ignore", invalid="ignore"):
        if name in ("last", "prev", "first"):
            col = {"last": YEARS - 1, "prev": YEARS - 2, "first": 0}[name]
            return x[:, col], mx[:, col], "scalar"
        if name in ("total", "mean", "each_min"):
            span = (
                node.args[1].value if len(node.args) == 2 else (2 if name == "each_min" else YEARS)
            )
            xs, ms, act = x[:, -span:], mx[:, -span:], active[:, -span:]
            count = act.sum(axis=1)
            bad = (act & np.isnan(xs)).any(axis=1) | (count == 0)
            if name == "each_min":
                value = np.where(act, xs, np.inf).min(axis=1)
            else:
                value = np.where(act, xs, 0.0).sum(axis=1)
                if name == "mean":
                    value = value / np.maximum(count, 1)
            miss = np.bitwise_or.reduce(np.where(act, ms, 0), axis=1)
            return np.where(bad, np.nan, value), miss, "scalar"
        miss = np.bitwise_or.reduce(mx, axis=1)
        x1, x2, x3 = x[:, 0], x[:, 1], x[:, 2]
        if name == "growth":
            value = np.where(x2 > 0, x3 / np.where(x2 > 0, x2, 1.0) - 1.0, np.nan)
            miss = mx[:, 1] | mx[:, 2]
        elif name == "growth_mean":
            ok = (x1 > 0) & (x2 > 0) & active.all(axis=1)
            value = np.where(
                ok, 0.5 * (x2 / np.where(ok, x1, 1) + x3 / np.where(ok, x2, 1)) - 1, np.nan
            )
        else:  # cagr
            ok = (x1 > 0) & (x3 >= 0) & active.all(axis=1)
            value = np.where(ok, np.sqrt(np.where(ok, x3 / np.where(ok, x1, 1), 0)) - 1, np.nan)
        value = np.where(np.isnan(x3) | np.isnan(x2), np.nan, value)
        return value, miss, "scalar"


def _count(node: ast.Call, ctx: Context, fields):
    name = node.args[0].id
    records = ctx.table.records[name]
    options = {k.arg: _literal(k.value) for k in node.keywords}
    cols = records.columns
    keep = np.ones(len(records.owner), bool)
    if "within" in options:
        keep &= cols["year"] >= ctx.on.year - options["within"]
        keep &= cols["year"] <= ctx.on.year
    if "rank" in options:
        keep &= cols["rank"] <= options["rank"]
    if "lead" in options:
        keep &= cols["lead"] == float(options["lead"])
    if "level" in options:
        levels = options["level"] if isinstance(options["level"], list) else [options["level"]]
        choices = RECORD_KEYS[name]["level"][1]
        keep &= np.isin(cols["level"], [float(choices.index(v)) for v in levels if v in choices])
    value = np.bincount(records.owner[keep], minlength=ctx.n).astype(float)
    return value, np.zeros(ctx.n, np.int64), "scalar"


def _literal(node: ast.AST):
    if isinstance(node, ast.Constant):
        return node.value
    return [e.value for e in node.elts]


def _years(days: np.ndarray) -> np.ndarray:
    out = np.full(days.shape, np.nan)
    ok = ~np.isnan(days)
    out[ok] = days[ok].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    return out


def _add_years(days: np.ndarray, years: int) -> np.ndarray:
    """The same calendar day `years` later (29 February → 1 March), as day numbers."""
    out = np.full(days.shape, np.nan)
    ok = ~np.isnan(days)
    d = days[ok].astype("datetime64[D]")
    month_start = d.astype("datetime64[M]")
    offset = (d - month_start.astype("datetime64[D]")).astype(np.int64)
    moved = (month_start + np.timedelta64(12 * years, "M")).astype("datetime64[D]") + offset
    out[ok] = moved.astype(np.int64)
    return out

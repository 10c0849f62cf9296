"""Catalog search over a million published achievements, and import throughput.

    .venv/bin/python bench/catalog.py [--achievements 1000000] [--requests 200] [--import-rows 100000] [--skip-pg]

For each database (SQLite file under var/bench/, and a fresh database on the local PostgreSQL)
it migrates, generates the large demo data (timed: the demo generator's own figure), then times
catalog API requests with a Chinese query and two facets, in-process through Django's test
client (server time, without network). The import figure is rows per second for an Excel file
of valid achievements, from reading the file to the committed transaction. Results are printed
and written to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "激光器",
    "动力电池",
    "疫苗",
    "机器人",
    "玉米 新品种",
    "碳纤维复合材料",
    "大数据",
    "光学 镜头",
    "石墨烯",
    "智能网联",
    "量子通信",
    "稀土永磁材料",
    "检测装置",
    "中药",
    "边缘计算",
]


def run_one(db: str, args) -> dict:
    """Runs inside a child process whose DATABASE_URL points at the database under test."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    import resources.demo as resource_demo
    from core.demo import generate
    from core.services.jobs import TqdmProgress
    from resources.models import Achievement

    setup_test_environment()
    call_command("migrate", verbosity=0)
    resource_demo.ACHIEVEMENTS["large"] = args.achievements
    t0 = time.perf_counter()
    progress = TqdmProgress("demo")
    generate(1, "large", progress)
    progress.close()
    generate_seconds = time.perf_counter() - t0
    published = Achievement.objects.filter(status="published").count()
    if db == "postgresql":
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    else:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    from core.models import Region
    from resources.choices import TRL

    regions = list(Region.objects.exclude(kind="city").values_list("code", flat=True))
    rng = random.Random(7)
    client = Client()
    client.get("/api/resources/achievements/", {"q": "激光"})  # warm caches and jieba
    times, hits = [], []
    for _ in range(args.requests):
        params = {
            "q": rng.choice(QUERIES),
            "region": rng.choice(regions),
            "trl": rng.choice(TRL.values),
        }
        t = time.perf_counter()
        response = client.get("/api/resources/achievements/", params)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.content[:300]
        hits.append(response.json()["count"])
    times.sort()
    result = {
        "db": db,
        "achievements": Achievement.objects.count(),
        "published": published,
        "generate_seconds": round(generate_seconds, 1),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * len(times)) - 1], 1),
        "max_ms": round(times[-1], 1),
        "median_hits": statistics.median(hits),
    }
    if args.import_rows:
        result.update(import_throughput(args.import_rows))
    return result


def import_throughput(rows: int) -> dict:
    import io

    from openpyxl import Workbook

    from core.models import User
    from resources.registry import KINDS
    from resources.services.imports import columns, import_records, read_rows

    kind = KINDS["achievements"]
    cols = columns(kind)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("成果")
    ws.append([c.header for c in cols])
    rng = random.Random(3)
    for i in range(rows):
        values = {
            "title": f"导入测试成果{i}",
            "summary": f"一种{rng.choice(QUERIES)}的制备方法，性能提高{i % 30}%。",
            "trl": str(rng.randint(1, 9)),
            "allows_license": "是",
            "region": "南关区",
        }
        ws.append([values.get(c.name, "") for c in cols])
    buffer = io.BytesIO()
    wb.save(buffer)
    actor = User.objects.get(username="demo_institute")
    t = time.perf_counter()
    parsed = read_rows("bench.xlsx", buffer.getvalue())
    imported = import_records(actor, kind, parsed)["imported"]
    seconds = time.perf_counter() - t
    return {
        "import_rows": imported,
        "import_seconds": round(seconds, 1),
        "import_rows_per_s": round(imported / seconds),
    }


def child(db: str, args) -> dict:
    env = dict(
        os.environ,
        SECRET_KEY="bench-only-secret-key-that-is-long-enough-0123456789",
        KECHUANG_TASKS="immediate",
    )
    if db == "sqlite":
        path = ROOT / "var" / "bench" / "catalog.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for p in path.parent.glob("catalog.sqlite3*"):
            p.unlink()
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        name = "kechuang_bench_catalog"
        for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    argv = [
        sys.executable,
        __file__,
        "--child",
        db,
        "--achievements",
        str(args.achievements),
        "--requests",
        str(args.requests),
        "--import-rows",
        str(args.import_rows),
    ]
    out = subprocess.run(argv, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--achievements", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, args)))
        return

    results = [child("sqlite", args)]
    if not args.skip_pg:
        results.append(child("postgresql", args))
    lines = [
        f"Catalog API (`/api/resources/achievements/`) with a Chinese query and two facets (region, TRL), "
        f"{args.requests} requests in-process; demo data at scale `large` with {args.achievements:,} achievements.",
        "",
        "| database | achievements (published) | demo generation | median | p95 | max | median hits | import rows/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        imp = (
            f"{r['import_rows_per_s']:,} ({r['import_rows']:,} rows in {r['import_seconds']} s)"
            if "import_rows" in r
            else "—"
        )
        lines.append(
            f"| {r['db']} | {r['achievements']:,} ({r['published']:,}) | {r['generate_seconds']} s | "
            f"{r['median_ms']} ms | {r['p95_ms']} ms | {r['max_ms']} ms | {r['median_hits']} | {imp} |"
        )
    lines += ["", "Target: p95 ≤ 300 ms on this 2-core machine."]
    text = "\n".join(lines)
    print(text)
    sys.path.insert(0, str(ROOT / "bench"))
    from _report import write_section

    write_section("catalog", "## Catalog search and import (issue 3)\n\n" + text)


if __name__ == "__main__":
    main()

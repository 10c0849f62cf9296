"""How soon every web process of the scale tier sees a newly published record in the bridging
recommendations, without rebuilding the index.

    scripts/scale-tier.sh start
    .venv/bin/python bench/index_freshness.py [--base http://127.0.0.1:8400] [--rounds 5]
        [--words index|postgresql] [--embedder NOTE] [--write]

--words says where the tier keeps the engine's words (its KECHUANG_MATCH_LEXICAL); each has its
own section in docs/benchmarks.md.

Each round publishes an achievement through the API (an enterprise creates and submits it, the
bureau approves it: one gunicorn process), copying the words of a published demand so that it
ranks first for that demand; then as many parallel clients as there are web processes ask for
that demand's recommendation panel until every gunicorn process (its pid read from the access
log) has served the panel with the new record. It reports the time from the approval's response
to the first panel that shows it and to the last process that shows it.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Kechuang2026"


def call(base: str, method: str, path: str, token: str | None = None, body=None) -> dict:
    request = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"}
        | ({"Authorization": f"Token {token}"} if token else {}),
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"{}")


def token(base: str, username: str) -> str:
    return call(
        base, "POST", "/api/auth/token/", body={"username": username, "password": PASSWORD}
    )["token"]


def web_pids(access_log: Path, probes: dict[str, bool]) -> dict[str, bool]:
    """pid → whether some probe it served showed the record."""
    seen: dict[str, bool] = {}
    for line in access_log.read_text(encoding="utf-8", errors="replace").splitlines()[-20000:]:
        match = re.search(r"probe=([0-9a-f-]+).* pid=<?(\d+)", line)
        if match and match.group(1) in probes:
            pid = match.group(2)
            seen[pid] = seen.get(pid, False) or probes[match.group(1)]
    return seen


def one_round(base: str, n: int, demand: dict, tokens: dict, web: int, log: Path) -> dict:
    title = f"新鲜度测量{n}-{uuid.uuid4().hex[:6]}"
    record = call(
        base,
        "POST",
        "/api/resources/achievements/",
        tokens["enterprise"],
        {
            "title": title,
            "keywords": demand.get("keywords") or demand["title"],
            "summary": demand["title"],
            "description": demand.get("description") or demand["title"],
            "trl": 5,
        },
    )
    call(base, "POST", f"/api/resources/achievements/{record['id']}/submit/", tokens["enterprise"])
    call(base, "POST", f"/api/resources/achievements/{record['id']}/approve/", tokens["city"])
    published = time.time()
    probes: dict[str, bool] = {}
    first: list[float] = []
    stop = threading.Event()
    lock = threading.Lock()

    def poll() -> None:
        while not stop.is_set() and time.time() - published < 120:
            probe = str(uuid.uuid4())
            url = f"{base}/bridging/recommend/demands/{demand['id']}/?probe={probe}"
            with urllib.request.urlopen(url, timeout=60) as response:
                found = title in response.read().decode("utf-8")
            with lock:
                probes[probe] = found
                if found and not first:
                    first.append(time.time() - published)

    threads = [threading.Thread(target=poll) for _ in range(web * 2)]
    for thread in threads:
        thread.start()
    all_seen = None
    while time.time() - published < 120:
        time.sleep(0.2)
        with lock:
            snapshot = dict(probes)
        seen = web_pids(log, snapshot)
        if len(seen) >= web and all(seen.values()):
            all_seen = time.time() - published
            break
    stop.set()
    for thread in threads:
        thread.join()
    return {
        "first_s": first[0] if first else None,
        "all_s": all_seen,
        "processes": len(web_pids(log, probes)),
        "requests": len(probes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", default="http://127.0.0.1:8400")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--web", type=int, default=4, help="gunicorn processes of the tier")
    parser.add_argument("--access-log", default=str(ROOT / "var/scale/log/access.log"))
    parser.add_argument("--words", choices=("index", "postgresql"), default="index")
    parser.add_argument("--embedder", default="", help="how the tier's index was embedded")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()
    where = {"index": "in the index directory", "postgresql": "in PostgreSQL"}[args.words]
    tokens = {
        "enterprise": token(args.base, "demo_enterprise"),
        "city": token(args.base, "demo_city"),
    }
    demands = call(args.base, "GET", f"/api/resources/demands/?page_size={args.rounds}")["results"]
    rows = []
    for n, demand in enumerate(demands[: args.rounds], start=1):
        row = one_round(args.base, n, demand, tokens, args.web, Path(args.access_log))
        print(json.dumps(row), flush=True)
        rows.append(row)
    firsts = [r["first_s"] for r in rows if r["first_s"] is not None]
    alls = [r["all_s"] for r in rows if r["all_s"] is not None]
    body = "\n".join(
        [
            f"## Index freshness across web processes (scale tier, the words {where})",
            "",
            f"`bench/index_freshness.py` against `scripts/scale-tier.sh` ({args.web} gunicorn "
            "processes, Redis queue, PostgreSQL, demo data `medium`, "
            f"`KECHUANG_MATCH_LEXICAL={args.words}`{', ' + args.embedder if args.embedder else ''}"
            "): an achievement published through the API, then the recommendation panel of the "
            f"demand it copies asked by {2 * args.web} parallel clients until every web process "
            f"has shown it; {len(rows)} rounds.",
            "",
            "| from the approval's response to | median | max |",
            "|---|---|---|",
            f"| the first panel showing the record | {statistics.median(firsts):.2f} s "
            f"| {max(firsts):.2f} s |"
            if firsts
            else "| the first panel showing the record | never | |",
            f"| every web process showing it | {statistics.median(alls):.2f} s "
            f"| {max(alls):.2f} s |"
            if len(alls) == len(rows)
            else f"| every web process showing it | {len(alls)} of {len(rows)} rounds | |",
        ]
    )
    print(body)
    if args.write:
        sys.path.insert(0, str(ROOT / "bench"))
        from _report import write_section

        write_section("freshness" if args.words == "index" else "freshness-pg-words", body)


if __name__ == "__main__":
    main()

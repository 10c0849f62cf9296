"""Load test of the scale tier with wrk: catalog search, detail pages, recommendation lists and
API writes at several numbers of concurrent clients, throughput, latency percentiles, errors.

    make scale                       # the tier (PostgreSQL, Redis workers, 4 gunicorn) on :8400
    bash scripts/ensure-wrk.sh       # wrk from Debian's packages
    .venv/bin/python bench/load_test.py [--base http://127.0.0.1:8400] [--clients 10 50 200]
                                        [--duration 60] [--write]

Preparation (plain HTTP, as any outside client would do it): an API token of `demo_enterprise`
for the writes, a signed-in session of the same user for half the page requests (the other half
are anonymous visitors), and ids of published achievements, demands and experts sampled from
random pages of the API lists. wrk then runs one closed loop per client connection, each request
drawn from this mix:

    30 %  catalog search page  /resources/achievements/?q=…[&region=…][&trl=…]  (full text + facets)
    10 %  catalog search API   /api/resources/{achievements,demands}/?q=…
    30 %  detail page          /resources/{achievements,demands,experts}/<id>/
    20 %  recommendation list  /bridging/recommend/{demands,achievements}/<id>/
     5 %  API write            POST /api/resources/demands/ (a new draft demand, token auth)
     5 %  home page            /

A warm-up run (every process loads its index and dictionaries) comes first and is not counted.
An error is a socket error, a timeout (10 s), or any status other than 200 (201 for writes).
Server-side times per kind of request come from the tier's access log for the run's lines.
wrk runs on the same 2 cores as the tier, so the figures are for the machine as a whole.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Kechuang2026"
USER = "demo_enterprise"
WORDS = ["电池", "材料", "激光", "传感器", "汽车", "芯片", "医药", "玉米", "光电", "检测"]
KINDS = {  # the access log's paths → the kind of request they are
    "search page": re.compile(r"^/resources/\w+/\?"),
    "search API": re.compile(r"^/api/resources/\w+/\?q="),
    "detail page": re.compile(r"^/resources/\w+/\d+/$"),
    "recommendations": re.compile(r"^/bridging/recommend/"),
    "API write": re.compile(r"^/api/resources/demands/$"),
    "home": re.compile(r"^/$"),
}


def fetch(opener, base: str, path: str, token: str | None = None, data=None, headers=None):
    request = urllib.request.Request(
        base + path,
        data=data,
        headers={"Accept": "application/json"}
        | ({"Authorization": f"Token {token}"} if token else {})
        | (headers or {}),
    )
    with opener.open(request, timeout=60) as response:
        return response.read()


def api(opener, base: str, path: str, token: str | None = None, body=None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if body is not None else {}
    return json.loads(fetch(opener, base, path, token, data, headers) or b"{}")


def session_cookie(base: str) -> str:
    """Sign in through the login page, as a browser does; returns the Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = fetch(opener, base, "/accounts/login/").decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    ).encode()
    fetch(opener, base, "/accounts/login/", data=form, headers={"Referer": base + "/"})
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        sys.exit(f"无法以 {USER} 登录 {base}（密码 {PASSWORD}）。")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def sample_ids(opener, base: str, token: str, kind: str, rng: random.Random) -> list[int]:
    first = api(opener, base, f"/api/resources/{kind}/?page_size=100", token)
    pages = max(1, -(-first["count"] // 100))
    ids = [r["id"] for r in first["results"]]
    for page in rng.sample(range(2, pages + 1), k=min(4, pages - 1)):
        ids += [
            r["id"]
            for r in api(opener, base, f"/api/resources/{kind}/?page_size=100&page={page}", token)[
                "results"
            ]
        ]
    return ids


def lua_list(items) -> str:
    return "{" + ",".join(json.dumps(i) for i in items) + "}"


def script(paths: dict[str, list[str]], cookie: str, token: str, think_ms: int = 0) -> str:
    """The wrk script: the mix above, status counting across threads, results as JSON; with
    `think_ms`, each client waits between its requests (uniformly half to one and a half
    times that), as a person reading the page would."""
    delay = (
        f"function delay() return math.random({think_ms // 2}, {think_ms * 3 // 2}) end"
        if think_ms
        else ""
    )
    return f"""
local paths = {{
  search = {lua_list(paths["search"])},
  search_api = {lua_list(paths["search_api"])},
  detail = {lua_list(paths["detail"])},
  recommend = {lua_list(paths["recommend"])},
}}
local cookie = {json.dumps(cookie)}
local token = {json.dumps(token)}
local threads = {{}}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(1000 + id)
  bad = 0
  statuses = {{}}
  writes = 0
end

local function pick(list) return list[math.random(#list)] end
{delay}

local function page(path)
  local headers = {{}}
  if math.random() < 0.5 then headers["Cookie"] = cookie end
  return wrk.format("GET", path, headers)
end

function request()
  local r = math.random()
  if r < 0.30 then return page(pick(paths.search))
  elseif r < 0.40 then return page(pick(paths.search_api))
  elseif r < 0.70 then return page(pick(paths.detail))
  elseif r < 0.90 then return page(pick(paths.recommend))
  elseif r < 0.95 then
    writes = writes + 1
    local body = string.format(
      '{{"title": "压测技术需求%d-%d", "description": "压力测试写入的技术需求草稿，测试后删除。", "keywords": "压力测试", "cooperation_mode": "joint"}}',
      id, writes)
    return wrk.format("POST", "/api/resources/demands/", {{
      ["Authorization"] = "Token " .. token,
      ["Content-Type"] = "application/json",
    }}, body)
  else return page("/")
  end
end

function response(status, headers, body)
  if status ~= 200 and status ~= 201 then
    bad = bad + 1
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local bad_total, by_status = 0, {{}}
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
    for code, n in pairs(thread:get("statuses")) do
      by_status[code] = (by_status[code] or 0) + n
    end
  end
  local parts = {{}}
  for code, n in pairs(by_status) do table.insert(parts, string.format('"%s": %d', code, n)) end
  io.write("RESULT ", string.format(
    '{{"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "socket_errors": %d, "timeouts": %d, "bad_status": %d, "statuses": {{%s}}}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout, bad_total, table.concat(parts, ", ")))
end
"""


def run_wrk(base: str, lua: Path, clients: int, seconds: int) -> dict:
    threads = min(2, clients)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(lua),
            base + "/",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def server_times(log: Path, offset: int) -> dict[str, list[float]]:
    """Milliseconds per kind of request, from the access log lines after `offset`."""
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    with log.open("rb") as handle:
        handle.seek(offset)
        text = handle.read().decode("utf-8", "replace")
    for line in text.splitlines():
        match = re.search(r'"(GET|POST) (\S+) HTTP/[\d.]+" \d+ \S+ (\d+)ms', line)
        if not match:
            continue
        for kind, pattern in KINDS.items():
            if pattern.search(match.group(2)):
                times[kind].append(float(match.group(3)))
                break
    return times


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", default="http://127.0.0.1:8400")
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--duration", type=int, default=60, help="seconds per level")
    parser.add_argument("--warmup", type=int, default=20, help="seconds, not counted")
    parser.add_argument(
        "--think",
        type=int,
        default=0,
        help="milliseconds each client waits between requests (mean; 0: none, a closed loop)",
    )
    parser.add_argument("--access-log", default=str(ROOT / "var/scale/log/access.log"))
    parser.add_argument("--label", default="", help="what the tier holds, for the report")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    parser.add_argument("--section", default="closed", help="its name in docs/benchmarks.md")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("需要 wrk：bash scripts/ensure-wrk.sh")
    rng = random.Random(1)
    opener = urllib.request.build_opener()
    token = api(
        opener, args.base, "/api/auth/token/", body={"username": USER, "password": PASSWORD}
    )["token"]
    cookie = session_cookie(args.base)
    ids = {k: sample_ids(opener, args.base, token, k, rng) for k in ("achievements", "demands")}
    ids["experts"] = sample_ids(opener, args.base, token, "experts", rng)
    regions = [
        r["code"]
        for r in json.loads((ROOT / "core/data/cities/changchun.json").read_text())["regions"]
    ]
    quote = urllib.parse.quote
    search = []
    for word in WORDS:
        search.append(f"/resources/achievements/?q={quote(word)}")
        search.append(f"/resources/achievements/?q={quote(word)}&region={rng.choice(regions)}")
        search.append(f"/resources/achievements/?q={quote(word)}&trl={rng.randint(3, 8)}")
        search.append(f"/resources/demands/?q={quote(word)}")
    paths = {
        "search": search,
        "search_api": [
            f"/api/resources/{kind}/?q={quote(word)}"
            for word in WORDS
            for kind in ("achievements", "demands")
        ],
        "detail": [f"/resources/{kind}/{pk}/" for kind, pks in ids.items() for pk in pks],
        "recommend": [f"/bridging/recommend/demands/{pk}/" for pk in ids["demands"]]
        + [f"/bridging/recommend/achievements/{pk}/" for pk in ids["achievements"]],
    }
    counts = {k: len(v) for k, v in paths.items()}
    print(f"URL 集：{counts}", flush=True)
    log = Path(args.access_log)
    with tempfile.TemporaryDirectory() as folder:
        lua = Path(folder, "mix.lua")
        if args.warmup:
            lua.write_text(script(paths, cookie, token), encoding="utf-8")
            warm = run_wrk(args.base, lua, 8, args.warmup)
            print(f"预热：{warm['requests']} 个请求（不计入）", flush=True)
        lua.write_text(script(paths, cookie, token, args.think), encoding="utf-8")
        rows = []
        for clients in args.clients:
            offset = log.stat().st_size if log.exists() else 0
            result = run_wrk(args.base, lua, clients, args.duration)
            result["clients"] = clients
            result["server"] = server_times(log, offset) if log.exists() else {}
            rows.append(result)
            print(
                json.dumps({k: v for k, v in result.items() if k != "server"}, ensure_ascii=False),
                flush=True,
            )
    body = report(rows, args, counts)
    print(body)
    if args.write:
        sys.path.insert(0, str(ROOT / "bench"))
        from _report import write_section

        write_section(f"load-{args.section}", body)


def report(rows: list[dict], args, counts: dict[str, int]) -> str:
    lines = [
        f"## Load test of the scale tier: {args.label or args.base}"
        + (f", clients thinking {args.think / 1000:g} s" if args.think else ", closed loop"),
        "",
        f"`bench/load_test.py --section {args.section}"
        + (f" --think {args.think}" if args.think else "")
        + "` with wrk against `scripts/scale-tier.sh` (4 gunicorn processes, 3 Redis/RQ "
        f"workers, PostgreSQL on the same machine); {args.duration} s per level after a "
        f"{args.warmup} s warm-up; one connection per client, "
        + (
            f"each waiting {args.think / 2000:g}–{args.think * 1.5 / 1000:g} s between requests"
            if args.think
            else "each sending its next request as soon as the last is answered (closed loop)"
        )
        + "; mix: 30 % catalog search pages, 10 % search API, 30 % detail "
        "pages, 20 % recommendation lists, 5 % API writes (new draft demands), 5 % home; half "
        "the pages signed in. URL set: "
        + ", ".join(f"{n} {k}" for k, n in counts.items())
        + ". wrk shares the 2 cores with the tier.",
        "",
        "| clients | requests/s | p50 | p90 | p99 | max | errors |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        errors = r["socket_errors"] + r["timeouts"] + r["bad_status"]
        detail = ""
        if errors:
            detail = (
                f" ({r['socket_errors']} socket, {r['timeouts']} timeouts, status "
                + ", ".join(f"{k}×{v}" for k, v in r["statuses"].items())
                + ")"
            )
        lines.append(
            f"| {r['clients']} | {r['requests'] / (r['duration_us'] / 1e6):.1f} "
            f"| {r['p50_us'] / 1000:.0f} ms | {r['p90_us'] / 1000:.0f} ms "
            f"| {r['p99_us'] / 1000:.0f} ms | {r['max_us'] / 1000:.0f} ms "
            f"| {errors} of {r['requests']}{detail} |"
        )
    lines += [
        "",
        "Time inside the web process per kind of request (gunicorn's access log; the rest of a "
        "client's wait is the queue for a free process):",
        "",
        "| clients | " + " | ".join(f"{k} p50 / p99" for k in KINDS) + " |",
        "|---:|" + "---:|" * len(KINDS),
    ]
    for r in rows:
        cells = []
        for kind in KINDS:
            values = r["server"].get(kind, [])
            cells.append(
                f"{statistics.median(values):.0f} / {percentile(values, 99):.0f} ms"
                if values
                else "–"
            )
        lines.append(f"| {r['clients']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

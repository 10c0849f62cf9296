"""Drill: restart PostgreSQL while the platform is under load; requests in flight fail cleanly,
the platform recovers by itself, and no write is half-done.

    .venv/bin/python bench/pg_restart_drill.py [--seconds 40] [--restart-at 12] [--write]

The machine's own PostgreSQL server is not ours to restart, so the drill starts a private one
(Debian's PostgreSQL 15 binaries, a fresh cluster in a temporary folder, port 5433, run as the
`postgres` system user), loads the small demo data into it, builds the bridging index and
serves the platform with 2 gunicorn processes on :8402 in production settings
(KECHUANG_DB_CONN_MAX_AGE 60, health checks on). Eight clients then loop over the home page,
catalog searches, detail pages, recommendation panels and API writes (new draft demands, each
with a unique title); at `--restart-at` seconds the server is restarted (`pg_ctl restart -m
fast`: every connection is ended). Afterwards: the answers per second, the first and last
failure, how soon every client was served again, and whether the demands in the database are
exactly those whose creation was answered 201. Everything it started is stopped and removed.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PORT, WEB = 5433, 8402
PASSWORD = "Kechuang2026"


def as_postgres(*command: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, **kwargs)


def wait_for(check, seconds: float) -> bool:
    end = time.time() + seconds
    while time.time() < end:
        if check():
            return True
        time.sleep(0.2)
    return False


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Drill:
    def __init__(self, folder: Path):
        self.folder = folder
        self.cluster = folder / "cluster"
        self.data = folder / "data"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PORT}/kechuang_drill",
            "KECHUANG_DATA_DIR": str(self.data),
            "KECHUANG_EMBEDDER": "kechuang.retrieval.tests.fakes.HashingEmbedder",
            "KECHUANG_TASKS": "immediate",
            "KECHUANG_DEBUG": "false",
            "SECRET_KEY": "drill-only-secret-key-that-is-long-enough-0123456789abcdef",
            "KECHUANG_SHOW_DEMO_LOGINS": "true",
            "KECHUANG_DB_CONN_MAX_AGE": "60",
            "KECHUANG_DB_CONN_HEALTH_CHECKS": "true",
        }
        self.gunicorn: subprocess.Popen | None = None

    def pg_ctl(self, *args: str) -> None:
        as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.cluster), "-l", str(self.folder / "pg.log"),
            *args, stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def start_database(self) -> None:
        self.folder.chmod(0o777)
        as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.cluster), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--locale=C.UTF-8", stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self.pg_ctl(
            "-o", f"-p {PORT} -k {self.folder} -c listen_addresses=127.0.0.1", "-w", "start"
        )
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-p", str(PORT), "-U", "postgres", "kechuang_drill"],
            check=True,
        )

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def start_web(self) -> None:
        self.manage("migrate", "--noinput")
        self.manage("demo", "--seed", "1", "--scale", "small", "--quiet-logins")
        self.manage("build_index")
        self.manage("collectstatic", "--noinput")
        self.gunicorn = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"), "kechuang.wsgi:application",
                "--bind", f"127.0.0.1:{WEB}", "--workers", "2", "--timeout", "60",
                "--error-logfile", str(self.folder / "gunicorn.log"),
            ],
            cwd=ROOT, env=self.env, start_new_session=True,
        )  # fmt: skip
        if not wait_for(lambda: answers(f"http://127.0.0.1:{WEB}/"), 60):
            raise SystemExit("gunicorn did not answer")

    def stop(self) -> None:
        if self.gunicorn is not None:
            os.killpg(self.gunicorn.pid, signal.SIGTERM)
            self.gunicorn.wait(30)
        if (self.cluster / "postmaster.pid").exists():
            self.pg_ctl("-m", "fast", "-w", "stop")


def api(base: str, path: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"}
        | ({"Authorization": f"Token {token}"} if token else {}),
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def load(base: str, token: str, seconds: float, restart_at: float, restart) -> dict:
    ids = json.loads(urllib.request.urlopen(f"{base}/api/resources/demands/?page_size=50").read())
    demands = [d["id"] for d in ids["results"]]
    pages = ["/", "/resources/achievements/?q=电池", "/resources/demands/?q=材料"]
    pages += [f"/resources/demands/{pk}/" for pk in demands]
    pages += [f"/bridging/recommend/demands/{pk}/" for pk in demands]
    start = time.time()
    log: list[tuple[float, str, int, str]] = []  # (second, kind, status, error code or "")
    created: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        rng = random.Random(n)
        writes = 0
        while time.time() - start < seconds:
            if rng.random() < 0.15:
                writes += 1
                title = f"重启演练需求{n}-{writes}"
                status, body = api(
                    base,
                    "/api/resources/demands/",
                    {"title": title, "description": "重启演练", "keywords": "演练",
                     "cooperation_mode": "joint"},
                    token,
                )  # fmt: skip
                kind, code = "write", body.get("code", "")
                if status == 201:
                    with lock:
                        created.append(title)
            else:
                path = rng.choice(pages)
                url = base + urllib.parse.quote(path, safe="/?=&")
                kind, code = "page", ""
                try:
                    with urllib.request.urlopen(url, timeout=10) as response:
                        status = response.status
                except urllib.error.HTTPError as error:
                    status = error.code
                except (urllib.error.URLError, OSError) as error:
                    status, code = 0, type(error).__name__
            with lock:
                log.append((time.time() - start, kind, status, code))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(restart_at)
    began = time.time() - start
    restart()
    restarted = time.time() - start
    for thread in threads:
        thread.join()
    return {"log": log, "created": created, "restart": (began, restarted)}


def report(result: dict, in_database: int) -> str:
    log = result["log"]
    began, restarted = result["restart"]
    failed = [entry for entry in log if entry[2] not in (200, 201)]
    per_second = collections.defaultdict(lambda: [0, 0])
    for second, _kind, status, _code in log:
        per_second[int(second)][0 if status in (200, 201) else 1] += 1
    statuses = collections.Counter(
        f"{status or 'no answer'}{' ' + code if code else ''}" for _s, _k, status, code in failed
    )
    after = [entry for entry in log if entry[0] > restarted]
    first_ok_after = next((e[0] for e in after if e[2] in (200, 201)), None)
    last_failure = max((e[0] for e in failed), default=None)
    lines = [
        "## PostgreSQL restarted under load",
        "",
        "`bench/pg_restart_drill.py`: a private PostgreSQL 15 (port 5433, small demo data), "
        "2 gunicorn processes in production settings (connections kept 60 s, health checks "
        "on), 8 clients looping over pages, recommendation panels and API writes; "
        "`pg_ctl restart -m fast` in the middle.",
        "",
        f"- restart: began at {began:.1f} s, server accepting again at {restarted:.1f} s "
        f"({restarted - began:.1f} s);",
        f"- requests: {len(log)}, failed {len(failed)}"
        + (f" ({', '.join(f'{k} × {v}' for k, v in statuses.items())})" if failed else ""),
        f"- last failure at {last_failure:.1f} s" if last_failure is not None else "- no failure",
        f"- first answer after the restart: {first_ok_after - restarted:.2f} s after the server "
        "was back"
        if first_ok_after is not None
        else "- no answer after the restart",
        f"- writes answered 201: {len(result['created'])}; those demands in the database: "
        f"{in_database} ({'the same' if in_database == len(result['created']) else 'DIFFERENT'})",
        "",
        "| second | answered | failed |",
        "|---:|---:|---:|",
    ]
    for second in sorted(per_second):
        ok, bad = per_second[second]
        if abs(second - began) <= 4 or bad:
            lines.append(f"| {second} | {ok} | {bad} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--restart-at", type=float, default=12)
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()
    if os.geteuid() != 0 or not (PG_BIN / "initdb").exists():
        sys.exit("需要 root 和 Debian 的 PostgreSQL 15（/usr/lib/postgresql/15/bin）。")
    folder = Path(tempfile.mkdtemp(prefix="kechuang-pg-drill-"))
    drill = Drill(folder)
    try:
        print("启动独立的 PostgreSQL 并载入示例数据…", flush=True)
        drill.start_database()
        drill.start_web()
        base = f"http://127.0.0.1:{WEB}"
        _, body = api(
            base, "/api/auth/token/", {"username": "demo_enterprise", "password": PASSWORD}
        )
        print("开始加载；中途重启 PostgreSQL…", flush=True)
        result = load(
            base, body["token"], args.seconds, args.restart_at,
            lambda: drill.pg_ctl("-m", "fast", "-w", "restart"),
        )  # fmt: skip
        count = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(PORT), "-U", "postgres", "-Atc",
             "SELECT count(*) FROM resources_demand WHERE title LIKE '重启演练需求%'",
             "kechuang_drill"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        body = report(result, int(count.strip()))
        print(body)
        if args.write:
            sys.path.insert(0, str(ROOT / "bench"))
            from _report import write_section

            write_section("pg-restart", body)
    finally:
        drill.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

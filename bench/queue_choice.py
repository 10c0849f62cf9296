"""Which task queue for the scale tier: the database queue (django-tasks-db, `db_worker`) or
Redis through RQ (django-tasks-rq, `rqworker`), both on PostgreSQL with several workers.

    .venv/bin/python bench/queue_choice.py [--workers 3] [--tasks 300] [--probes 40] [--write]

For each queue it starts the workers, then measures
- enqueue → start: one task at a time, at random moments, the time from `enqueue()` returning
  to the task's first line running in a worker;
- jobs/second: a burst of tasks enqueued at once, until the last one finished.
Every task reads the database once, as every real task does (RQ runs each task in a forked
process that opens its own connection; the database worker keeps one).
It uses a scratch PostgreSQL database (created and dropped) and Redis database 8, which it
empties of its own keys at the end; `--write` puts the figures into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PG = "postgres://postgres@127.0.0.1:5432/"
REDIS_URL = "redis://127.0.0.1:6379/8"
SECRET = "bench-only-secret-key-that-is-long-enough-0123456789"

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
os.environ.setdefault("SECRET_KEY", SECRET)

import django  # noqa: E402

django.setup()

from django_tasks import task  # noqa: E402


@task()
def probe() -> list[float]:
    started = time.time()
    from core.models import Job

    Job.objects.exists()
    return [started, time.time()]


def _wait(result, deadline: float, poll: float = 0.01):
    from django_tasks import TaskResultStatus

    while time.time() < deadline:
        result.refresh()
        if result.status == TaskResultStatus.SUCCESSFUL:
            return result.return_value
        if result.status == TaskResultStatus.FAILED:
            raise RuntimeError(f"task failed: {result.errors}")
        time.sleep(poll)
    raise TimeoutError("task did not finish in time")


def child(queue: str, workers: int, tasks: int, probes: int, interval: float) -> dict:
    """Runs in a process whose settings point at `queue`; starts the workers itself."""
    from bench.queue_choice import probe as task_

    if queue in ("redis", "redis-simple"):
        command = ["manage.py", "rqworker", "default", "--job-class", "django_tasks_rq.Job"]
        if queue == "redis-simple":
            command += ["--worker-class", "rq.worker.SimpleWorker"]
    else:
        command = ["manage.py", "db_worker", "--no-reload", "--interval", str(interval)]
    procs = [
        subprocess.Popen(
            [PY, *command], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(workers)
    ]
    try:
        # Warm up: every worker has imported Django and the task.
        for result in [task_.enqueue() for _ in range(workers * 3)]:
            _wait(result, time.time() + 120)
        latencies = []
        for _ in range(probes):
            time.sleep(random.uniform(0.05, 1.0))
            enqueued = time.time()
            started, _finished = _wait(task_.enqueue(), time.time() + 60)
            latencies.append(started - enqueued)
        began = time.time()
        burst = [task_.enqueue() for _ in range(tasks)]
        enqueue_s = time.time() - began
        # Polled slowly: the measuring process must not take the workers' CPU.
        ends = [_wait(result, time.time() + 600, poll=0.1)[1] for result in burst]
        elapsed = max(ends) - began
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    latencies.sort()
    return {
        "median_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "max_ms": 1000 * latencies[-1],
        "jobs_per_s": tasks / elapsed,
        "burst_s": elapsed,
        "enqueue_ms": 1000 * enqueue_s / tasks,
    }


def run_child(queue: str, args, database: str, data_dir: str, interval: float) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": PG + database,
        "KECHUANG_TASKS": "redis" if queue.startswith("redis") else queue,
        "KECHUANG_REDIS_URL": REDIS_URL,
        "KECHUANG_DATA_DIR": data_dir,
        "KECHUANG_LOG_LEVEL": "WARNING",
    }
    out = subprocess.run(
        [
            PY,
            __file__,
            "--child",
            queue,
            "--workers",
            str(args.workers),
            "--tasks",
            str(args.tasks),
            "--probes",
            str(args.probes),
            "--interval",
            str(interval),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--probes", type=int, default=40)
    parser.add_argument("--interval", type=float, default=1.0, help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    parser.add_argument(
        "--child", choices=["database", "redis", "redis-simple"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        result = child(args.child, args.workers, args.tasks, args.probes, args.interval)
        print(json.dumps(result))
        return

    import redis

    client = redis.Redis.from_url(REDIS_URL)
    if client.dbsize():
        sys.exit(f"{REDIS_URL} is not empty: it belongs to someone else; pick another number.")
    database = f"kc_queue_bench_{os.getpid()}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            env = {**os.environ, "DATABASE_URL": PG + database, "KECHUANG_DATA_DIR": data_dir}
            subprocess.run(
                [PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
            )
            for label, queue, interval in (
                ("database queue, db_worker polling every 1 s (its default)", "database", 1.0),
                ("database queue, db_worker polling every 0.1 s", "database", 0.1),
                ("Redis + RQ, rqworker (a forked process per task, its default)", "redis", 0.0),
                ("Redis + RQ, rqworker with SimpleWorker (tasks in the worker)", "redis-simple", 0),
            ):
                figures = run_child(queue, args, database, data_dir, interval)
                rows.append((label, figures))
                print(label, json.dumps(figures), flush=True)
    finally:
        client.flushdb()
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", database],
            check=False,
        )
    body = [
        "## Task queue for the scale tier",
        "",
        f"`bench/queue_choice.py`: PostgreSQL 15 (local), {args.workers} worker processes, a "
        "task that reads the database once; enqueue → start over "
        f"{args.probes} single tasks at random moments, jobs/s over a burst of {args.tasks}.",
        "",
        "| queue | enqueue → start median | p95 | max | jobs/s (burst) | enqueue cost per task |",
        "|---|---|---|---|---|---|",
    ]
    for label, f in rows:
        body.append(
            f"| {label} | {f['median_ms']:.0f} ms | {f['p95_ms']:.0f} ms | {f['max_ms']:.0f} ms "
            f"| {f['jobs_per_s']:.0f} ({args.tasks} in {f['burst_s']:.1f} s) "
            f"| {f['enqueue_ms']:.1f} ms |"
        )
    body += [
        "",
        "Measured on 2 cores shared with other work (other people's test runs); the choice and "
        "its reasons are in docs/decisions.md (Scale tier).",
    ]
    print("\n".join(body))
    if args.write:
        sys.path.insert(0, str(ROOT / "bench"))
        from _report import write_section

        write_section("queue", "\n".join(body))


if __name__ == "__main__":
    main()

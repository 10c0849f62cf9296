"""Worker-kill drill on the running scale tier: kill -9 the task worker in the middle of an
import, an index update and a report, then check what users and operators would see.

    scripts/scale-tier.sh start
    .venv/bin/python bench/worker_kill_drill.py

It talks to the tier's database and Redis queue with the tier's settings (var/scale), starts
work through the same services the pages use, finds the worker running it in RQ's registry and
kills that process (the tier's supervisor restarts it and runs `recover_jobs`). For each case
it prints what it found: the job's end state, rows written, the index generation.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import random
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIR = ROOT / "var" / "scale"
sys.path.insert(0, str(ROOT))
os.environ.update(
    DJANGO_SETTINGS_MODULE="kechuang.settings",
    DATABASE_URL="postgres://postgres@127.0.0.1:5432/kechuang_scale",
    KECHUANG_DATA_DIR=str(DIR),
    KECHUANG_TASKS="redis",
    KECHUANG_REDIS_URL=os.environ.get("KC_SCALE_REDIS", "redis://127.0.0.1:6379/7"),
    SECRET_KEY=(DIR / "secret_key").read_text().strip(),
)
os.environ.setdefault("KECHUANG_EMBEDDER", "kechuang.retrieval.tests.fakes.HashingEmbedder")

import django  # noqa: E402

django.setup()

import django_rq  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from rq import Worker  # noqa: E402

from bridging.models import IndexChange  # noqa: E402
from core.choices import JobStatus  # noqa: E402
from core.models import Job, User  # noqa: E402
from kechuang.retrieval import Engine, store  # noqa: E402


def worker_running(match) -> int | None:
    for worker in Worker.all(queue=django_rq.get_queue("default")):
        job = worker.get_current_job()
        if job is not None and match(job):
            return worker.pid
    return None


def wait_for(predicate, seconds: float, step: float = 0.01):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def kill_all_workers() -> list[int]:
    """kill -9 every task worker of the tier (its pid files): the one running the work among
    them, with nothing left to pick the task up until the supervisors restart them."""
    pids = [int(p.read_text()) for p in sorted((DIR / "run").glob("worker-*.pid"))]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            kill(pid)
    return pids


def settled(job: Job, seconds: float = 60) -> Job:
    wait_for(
        lambda: Job.objects.filter(
            pk=job.pk, status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED]
        ).exists(),
        seconds,
        0.2,
    )
    job.refresh_from_db()
    return job


def import_file(prefix: str, rows: int) -> SimpleUploadedFile:
    from resources.registry import KINDS
    from resources.services.imports import EXAMPLES, columns

    cols = columns(KINDS["achievements"])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in cols])
    example = EXAMPLES["achievements"]
    for n in range(rows):
        values = {**example, "title": f"{prefix}{n:05d}"}
        writer.writerow([values.get(c.name, "") for c in cols])
    return SimpleUploadedFile(f"{prefix}.csv", out.getvalue().encode("utf-8"))


def import_drill() -> None:
    from core.services.imports import start_import
    from resources.models import Achievement

    actor = User.objects.get(username="demo_enterprise")
    rows = 3000
    prefix = f"断电演练{random.randrange(10**6):06d}-"
    job = start_import(actor, "resources.import", "导入演练", import_file(prefix, rows))
    Job.objects.filter(pk=job.pk).update(params={**job.params, "kind": "achievements"})
    # Kill near the end of validation, at a random moment: in the last rows checked or in the
    # one transaction that saves them all (progress is written at most twice a second).
    reached = wait_for(
        lambda: Job.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, done__gte=rows - 100
        ).exists(),
        300,
    )
    time.sleep(random.uniform(0.0, 1.5))
    if not reached or not Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).exists():
        print(f"import: missed the moment (job {job.pk} {Job.objects.get(pk=job.pk).status})")
        return
    done = Job.objects.get(pk=job.pk).done
    pid = kill_all_workers()
    job = settled(job, 600)
    written = Achievement.objects.filter(title__startswith=prefix).count()
    print(
        f"import: killed workers {pid} at progress {done}/{2 * rows}; job → {job.status} "
        f"«{job.message}»; "
        f"rows written {written} (expected {rows}, none twice)"
    )


def publish(title: str):
    from resources.models import Achievement
    from resources.services import records

    owner = User.objects.get(username="demo_enterprise")
    city = User.objects.get(username="demo_city")
    template = Achievement.objects.filter(status="published").first()
    record = records.create_record(
        owner,
        Achievement,
        {
            "title": title,
            "summary": template.summary,
            "description": template.description,
            "keywords": template.keywords,
            "trl": 5,
            "region": template.region,
        },
    )
    records.submit_record(owner, record)
    records.approve_record(city, record)
    return record


def index_drill(tries: int = 5) -> None:
    path = Path(os.environ["KECHUANG_DATA_DIR"]) / "index"
    for attempt in range(1, tries + 1):
        before = store.current_generation(path)
        record = publish(f"索引演练{random.randrange(10**6):06d}")
        pid = wait_for(lambda: worker_running(lambda j: "flush_task" in j.func_name), 30)
        if pid is None:
            print(f"index: try {attempt}: the flush finished before it could be killed")
            continue
        time.sleep(random.uniform(0.05, 0.6))
        kill(pid)
        time.sleep(3)
        after = store.current_generation(path)
        orphans = sorted(
            p.name for p in path.glob("gen-*") if int(p.name.split("-")[1]) > (after or 0)
        )
        queued = IndexChange.objects.filter(object_id=record.pk).count()
        engine = Engine.load(path, embedder=_embedder())
        print(
            f"index: try {attempt}: killed worker {pid} during the flush; generation {before} → "
            f"{after}; index loads ({len(engine)} records), record in it: "
            f"{f'achievement:{record.pk}' in engine}; its change still queued: {queued}; "
            f"unpublished generation folders left: {orphans or 'none'}"
        )
        follow = publish(f"索引演练后续{random.randrange(10**6):06d}")
        wait_for(lambda: not IndexChange.objects.exists(), 60, 0.2)
        engine = Engine.load(path, embedder=_embedder())
        print(
            f"index: next publication flushed: generation {store.current_generation(path)}; "
            f"killed record in index: {f'achievement:{record.pk}' in engine}; "
            f"next record in index: {f'achievement:{follow.pk}' in engine}; "
            f"changes still queued: {IndexChange.objects.count()}"
        )
        if orphans:
            return


def _embedder():
    from bridging.services.index import embedder

    return embedder()


def report_drill() -> None:
    from brain.models import Report
    from brain.services.reports import request_report

    city = User.objects.get(username="demo_city")
    report = request_report(city, "month", "2026-10")
    job = report.job
    running = wait_for(
        lambda: Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).exists(), 60, 0.005
    )
    if not running:
        print("report: missed the moment")
        return
    time.sleep(random.uniform(0.0, 0.2))
    pid = kill_all_workers()
    job = settled(job)
    report.refresh_from_db()
    print(
        f"report: killed worker {pid}; job → {job.status} «{job.message}»; "
        f"report v{report.version} status {report.status}"
    )
    again = request_report(city, "month", "2026-10")
    settled(again.job, 300)
    again.refresh_from_db()
    print(f"report: requested again → v{again.version} {again.status}")
    print(
        f"report rows for 2026-10: {list(Report.objects.filter(period='2026-10').values_list('version', 'status'))}"
    )


if __name__ == "__main__":
    which = sys.argv[1:] or ["import", "index", "report"]
    for name in which:
        {"import": import_drill, "index": index_drill, "report": report_drill}[name]()

"""Long work as background jobs with progress, and the same work from the command line.

A job handler is a plain function `handler(params, progress) -> dict`. The task runs it with a
progress object that writes to the Job row; the command-line twin runs it with a tqdm bar.

A running job holds a lease for as long as it is RUNNING: a PostgreSQL advisory lock on the
worker's connection, or an flock on a file under KECHUANG_DATA_DIR with SQLite (one machine).
The database or the operating system releases it when the worker dies, however it dies (kill -9,
out of memory, a lost machine's connection), so a RUNNING job whose lease is free belongs to no
one: `recover_interrupted_jobs` runs it again if its handler may safely run twice (`rerun=True`),
otherwise it marks it FAILED for the user to start again (docs/reliability.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.choices import JobStatus
from core.exceptions import ServiceError
from core.models import Job

Handler = Callable[[dict[str, Any], "Progress"], dict[str, Any]]
_HANDLERS: dict[str, tuple[str, Handler]] = {}
_BUTTONS: dict[str, str] = {}
_RERUN: set[str] = set()

# A job whose worker died is run again at most this many times in all (handlers with rerun=True).
MAX_ATTEMPTS = 3
# Namespace of the job leases among PostgreSQL advisory locks ("kc").
_LEASE_SPACE = 0x6B63


def job_handler(kind: str, permission: str, button: str | None = None, rerun: bool = False):
    """Register a handler for jobs of `kind`, started by users holding `permission`.

    With `button`, the job needs no parameters and the jobs page offers it under that label.
    With `rerun`, the handler may run again after a worker died in the middle of it (it is
    idempotent: running it twice leaves what running it once does), so such a job is re-queued
    instead of failed.
    """

    def register(func: Handler) -> Handler:
        _HANDLERS[kind] = (permission, func)
        if button:
            _BUTTONS[kind] = button
        if rerun:
            _RERUN.add(kind)
        return func

    return register


def startable_jobs(user) -> list[tuple[str, str]]:
    """(kind, label) of the parameterless jobs this user may start from the jobs page."""
    return [
        (kind, label)
        for kind, label in _BUTTONS.items()
        if permissions.can(user, _HANDLERS[kind][0])
    ]


class Progress:
    """Progress reporting that handlers call; subclasses decide where it goes."""

    def start(self, total: int, message: str = "") -> None: ...

    def advance(self, n: int = 1, message: str = "") -> None: ...


class JobProgress(Progress):
    """Writes progress to the job row, at most twice a second so progress does not cost time."""

    def __init__(self, job: Job):
        self.job = job
        self._last = 0.0

    def start(self, total: int, message: str = "") -> None:
        self.job.total, self.job.done = total, 0
        self.job.message = message or self.job.message
        self._save(force=True)

    def advance(self, n: int = 1, message: str = "") -> None:
        self.job.done += n
        if message:
            self.job.message = message
        self._save()

    def _save(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last > 0.5 or self.job.done >= self.job.total:
            Job.objects.filter(pk=self.job.pk).update(
                done=self.job.done, total=self.job.total, message=self.job.message[:300]
            )
            self._last = now


class TqdmProgress(Progress):
    """A progress bar on stderr for the command-line twin."""

    def __init__(self, description: str = ""):
        self.description = description
        self.bar = None

    def start(self, total: int, message: str = "") -> None:
        from tqdm import tqdm

        if self.bar is not None:
            self.bar.close()
        self.bar = tqdm(total=total, desc=message or self.description, file=sys.stderr, unit="条")

    def advance(self, n: int = 1, message: str = "") -> None:
        if self.bar is not None:
            if message:
                self.bar.set_description(message)
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def start_job(actor, kind: str, title: str, params: dict[str, Any] | None = None) -> Job:
    permission, _handler = _HANDLERS[kind]
    permissions.require(actor, permission)
    from core.tasks import run_job

    job = Job.objects.create(kind=kind, title=title, params=params or {}, created_by=actor)
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


@contextlib.contextmanager
def _lease(job_id: int) -> Iterator[bool]:
    """Hold the job's lease while the block runs; yields False when a live process holds it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LEASE_SPACE, job_id])
            held = bool(cursor.fetchone()[0])
        try:
            yield held
        finally:
            # A connection the job lost took the lock with it.
            with contextlib.suppress(DatabaseError):
                if held:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LEASE_SPACE, job_id])
        return
    _lease_file(job_id).parent.mkdir(parents=True, exist_ok=True)
    with open(_lease_file(job_id), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lease_file(job_id: int) -> Path:
    """One folder per database, since job ids are only unique within one; an in-memory database
    (tests) belongs to its process alone."""
    name = str(connection.settings_dict["NAME"])
    if connection.is_in_memory_db():
        name = f"{name}#{os.getpid()}"
    folder = hashlib.sha256(name.encode()).hexdigest()[:16]
    return Path(settings.DATA_DIR) / "jobs" / folder / f"{job_id}.lock"


def _attempts(job: Job) -> int:
    result = job.result if isinstance(job.result, dict) else {}
    return int(result.get("attempts", 0) or 0)


def recover_interrupted_jobs() -> list[int]:
    """Settle the jobs left RUNNING by a worker that died; returns their ids.

    A job whose handler may run again is queued again, up to MAX_ATTEMPTS runs in all; any other
    is FAILED with a message asking the user to start it again. A job whose lease a live worker
    holds is left alone, however long it runs. Every worker calls this before each job, and the
    job pages when they list jobs, so nobody watches a dead job "running" for long.
    """
    from core.tasks import run_job

    settled = []
    for pk, kind, result in Job.objects.filter(status=JobStatus.RUNNING).values_list(
        "pk", "kind", "result"
    ):
        with _lease(pk) as free:
            if not free:
                continue
            attempts = _attempts(Job(result=result))
            if kind in _RERUN and attempts < MAX_ATTEMPTS:
                changed = Job.objects.filter(pk=pk, status=JobStatus.RUNNING).update(
                    status=JobStatus.QUEUED,
                    message=_("任务进程意外退出，任务已重新排队（第 %(n)d 次）。")
                    % {"n": attempts + 1},
                )
                if changed:
                    transaction.on_commit(lambda pk=pk: run_job.enqueue(pk))
            else:
                changed = Job.objects.filter(pk=pk, status=JobStatus.RUNNING).update(
                    status=JobStatus.FAILED,
                    finished_at=timezone.now(),
                    message=_("任务进程意外退出，任务未完成，请重新发起。"),
                    error=f"worker died during attempt {attempts}; no lease holder",
                    result={"attempts": attempts, "interrupted": True},
                )
            if changed:
                settled.append(pk)
    return settled


def execute_job(job_id: int) -> Job:
    """Run a queued job to the end, recording its outcome. Called by the task worker."""
    recover_interrupted_jobs()
    with _lease(job_id) as held:
        job = Job.objects.get(pk=job_id)
        if not held or job.is_finished:
            # Finished, or running in another live worker (a task delivered twice).
            return job
        job = _run(job)
    if connection.vendor != "postgresql":
        # A finished job's lease is never asked for again.
        _lease_file(job_id).unlink(missing_ok=True)
    return job


def _run(job: Job) -> Job:
    _permission, handler = _HANDLERS[job.kind]
    job.status, job.started_at = JobStatus.RUNNING, timezone.now()
    job.result = {"attempts": _attempts(job) + 1}
    job.save(update_fields=["status", "started_at", "result"])
    try:
        result = handler(dict(job.params), JobProgress(job))
    except ServiceError as exc:
        # A refusal the user can act on (bad file, not allowed): their message, no traceback.
        job.refresh_from_db()
        job.status, job.message = JobStatus.FAILED, exc.message[:300]
        job.result = {"errors": list(getattr(exc, "errors", []))[:500]}
        job.finished_at = timezone.now()
        job.save()
        return job
    except Exception as exc:
        job.refresh_from_db()
        job.status, job.error = JobStatus.FAILED, f"{exc}\n\n{traceback.format_exc()}"
        job.message = str(exc)[:300]
        job.finished_at = timezone.now()
        job.save()
        return job
    job.refresh_from_db()
    job.status, job.result, job.finished_at = JobStatus.SUCCEEDED, result, timezone.now()
    job.done = job.total
    job.save()
    return job


def visible_jobs(user):
    recover_interrupted_jobs()
    if permissions.can(user, "core.view_auditentry"):
        return Job.objects.select_related("created_by")
    return Job.objects.filter(created_by=user).select_related("created_by")

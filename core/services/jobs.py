"""Long work as background jobs with progress, and the same work from the command line.

A job handler is a plain function `handler(params, progress) -> dict`. The task runs it with a
progress object that writes to the Job row; the command-line twin runs it with a tqdm bar.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import permissions
from core.choices import JobStatus
from core.exceptions import ServiceError
from core.models import Job

Handler = Callable[[dict[str, Any], "Progress"], dict[str, Any]]
_HANDLERS: dict[str, tuple[str, Handler]] = {}


_BUTTONS: dict[str, str] = {}


def job_handler(kind: str, permission: str, button: str | None = None):
    """Register a handler for jobs of `kind`, started by users holding `permission`.

    With `button`, the job needs no parameters and the jobs page offers it under that label.
    """

    def register(func: Handler) -> Handler:
        _HANDLERS[kind] = (permission, func)
        if button:
            _BUTTONS[kind] = button
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


def execute_job(job_id: int) -> Job:
    """Run a queued job to the end, recording its outcome. Called by the task worker."""
    job = Job.objects.get(pk=job_id)
    if job.is_finished:
        return job
    _permission, handler = _HANDLERS[job.kind]
    job.status, job.started_at = JobStatus.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
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
    if permissions.can(user, "core.view_auditentry"):
        return Job.objects.select_related("created_by")
    return Job.objects.filter(created_by=user).select_related("created_by")

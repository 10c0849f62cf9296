"""A worker that dies in the middle of a job: the job ends failed or runs again, never "running"
forever; and a dropped database connection costs no request (docs/reliability.md)."""

from __future__ import annotations

import contextlib
import fcntl
from unittest import skipUnless

from django.db import close_old_connections, connection
from django.test import TransactionTestCase, override_settings

from core.choices import JobStatus
from core.models import Job
from core.services import jobs
from core.testing import PersonaTestCase, ReferenceDataMixin

RUNS: list[dict] = []


@jobs.job_handler("tests.rerunnable", permission="core.run_demo_job", rerun=True)
def _rerunnable(params, progress):
    RUNS.append(params)
    return {"rows": 3}


@contextlib.contextmanager
def worker_alive(job: Job):
    """Hold the job's lease the way a live worker in another process does."""
    if connection.vendor == "postgresql":
        other = connection.get_new_connection(connection.get_connection_params())
        other.autocommit = True
        try:
            other.execute("SELECT pg_advisory_lock(%s, %s)", [jobs._LEASE_SPACE, job.pk])
            yield
        finally:
            other.close()
        return
    path = jobs._lease_file(job.pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield


class InterruptedJobTests(PersonaTestCase):
    def setUp(self):
        RUNS.clear()

    def _left_running(self, kind: str, attempts: int = 1) -> Job:
        """A job as a worker killed with SIGKILL leaves it: RUNNING, and nobody holds it."""
        return Job.objects.create(
            kind=kind,
            title="导入科技成果",
            status=JobStatus.RUNNING,
            created_by=self.city_admin,
            result={"attempts": attempts},
            done=40,
            total=100,
        )

    def test_jobs_page_shows_a_dead_workers_job_as_failed_and_to_be_started_again(self):
        job = self._left_running("programs.panel")
        self.login(self.city_admin)
        listing = self.client.get("/jobs/")
        self.assertContains(listing, "<td>失败</td>", html=False)
        detail = self.client.get(f"/jobs/{job.pk}/")
        self.assertContains(detail, "任务进程意外退出，任务未完成，请重新发起。")
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.FAILED)
        self.assertIsNotNone(job.finished_at)
        self.assertTrue(job.result["interrupted"])

    def test_a_job_that_may_run_twice_is_run_again_to_the_end(self):
        job = self._left_running("tests.rerunnable")
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(jobs.recover_interrupted_jobs(), [job.pk])
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.SUCCEEDED)
        self.assertEqual(job.result, {"rows": 3})
        self.assertEqual(len(RUNS), 1)

    def test_a_job_that_keeps_killing_its_worker_stops_after_three_attempts(self):
        job = self._left_running("tests.rerunnable", attempts=jobs.MAX_ATTEMPTS)
        with self.captureOnCommitCallbacks(execute=True):
            jobs.recover_interrupted_jobs()
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.FAILED)
        self.assertEqual(RUNS, [])

    def test_a_long_job_of_a_live_worker_is_left_running(self):
        job = self._left_running("tests.rerunnable")
        with worker_alive(job):
            self.assertEqual(jobs.recover_interrupted_jobs(), [])
            # The same task delivered twice does not run beside the live one.
            jobs.execute_job(job.pk)
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.RUNNING)
        self.assertEqual(RUNS, [])

    def test_a_finished_job_is_not_run_again(self):
        job = Job.objects.create(
            kind="tests.rerunnable", title="x", status=JobStatus.QUEUED, created_by=self.city_admin
        )
        jobs.execute_job(job.pk)
        jobs.execute_job(job.pk)
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.SUCCEEDED)
        self.assertEqual(job.result, {"rows": 3})
        self.assertEqual(len(RUNS), 1)


@skipUnless(
    connection.vendor == "postgresql", "a database server drops connections; SQLite does not"
)
@override_settings(ALLOWED_HOSTS=["testserver"])
class DroppedConnectionTests(ReferenceDataMixin, TransactionTestCase):
    """What a PostgreSQL restart does to a web process's kept connection, one connection at a
    time: the server ends it, and the next request must still be served."""

    def _keep_connections(self, health_checks: bool):
        connection.close()
        saved = {k: connection.settings_dict[k] for k in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
        connection.settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=health_checks)
        self.addCleanup(connection.settings_dict.update, saved)
        self.addCleanup(connection.close)

    def _server_drops_our_connection(self):
        pid = connection.connection.info.backend_pid
        other = connection.get_new_connection(connection.get_connection_params())
        other.autocommit = True
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        other.close()

    def _request(self) -> int:
        """A page request as a web server makes it: Django's handler checks kept connections
        before and after each request (the test client leaves that out)."""
        close_old_connections()
        status = self.client.get("/resources/achievements/").status_code
        close_old_connections()
        return status

    def test_next_request_after_the_server_dropped_the_connection_is_served(self):
        self._keep_connections(health_checks=True)
        self.assertEqual(self._request(), 200)
        self._server_drops_our_connection()
        self.assertEqual(self._request(), 200)

    def test_without_health_checks_the_first_request_fails_and_the_next_recovers(self):
        self._keep_connections(health_checks=False)
        self.client.raise_request_exception = False
        self.assertEqual(self._request(), 200)
        self._server_drops_our_connection()
        self.assertEqual(self._request(), 503)
        self.assertEqual(self._request(), 200)

    def test_a_lost_database_is_a_503_to_retry_on_pages_and_in_the_api(self):
        self._keep_connections(health_checks=False)
        self.client.raise_request_exception = False
        for path, body in [
            ("/resources/achievements/", "平台的数据库暂时无法访问"),
            ("/api/resources/achievements/", '"code": "unavailable"'),
        ]:
            close_old_connections()
            self.client.get(path)
            self._server_drops_our_connection()
            response = self.client.get(path)
            close_old_connections()
            self.assertEqual(response.status_code, 503)
            self.assertEqual(response["Retry-After"], "5")
            self.assertIn(body, response.content.decode())

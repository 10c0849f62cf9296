from django_tasks import task

from core.services.jobs import execute_job


@task()
def run_job(job_id: int) -> None:
    execute_job(job_id)

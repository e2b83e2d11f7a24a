from celery import shared_task

from . import services


@shared_task(name="reports.export")
def export_run(job_id: str) -> str | None:
    job = services.export_job_run(job_id=job_id)
    return job.status if job else None


@shared_task(name="reports.purge_exports")
def purge_exports() -> int:
    return services.exports_purge()

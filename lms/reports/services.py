"""Report writes: export files (made in the background, for their owner only, until they expire)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone, translation

from lms.accounts.services import audit_record
from lms.queue import publish_on_commit

from . import exports, filenames, tables
from .models import ExportJob

log = logging.getLogger(__name__)


def _ttl() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "REPORT_EXPORT_HOURS", 24))


def export_job_create(
    *, owner, table: str, fmt: str, query: dict, suppress: bool, language: str = "mn"
) -> ExportJob:
    """Queue an export of one table with the given (already checked) filters."""
    if table not in tables.TABLE_NAMES:
        raise ValueError(table)
    if fmt not in exports.CONTENT_TYPES:
        raise ValueError(fmt)
    now = timezone.now()
    job = ExportJob.objects.create(
        owner=owner,
        table=table,
        format=fmt,
        filters=query,
        suppress=suppress,
        language=language,
        created_at=now,
        expires_at=now + _ttl(),
    )
    audit_record(action="report.exported", actor=owner, obj=job, table=table, format=fmt, filters=query)
    job_id = str(job.pk)
    publish_on_commit("reports.export", job_id)
    return job


def export_job_run(*, job_id) -> ExportJob | None:
    """Write the file (safe to run twice: a finished or expired job is left alone)."""
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None or job.status == ExportJob.Status.DONE or job.expires_at <= timezone.now():
        return job
    with translation.override(job.language):
        return _write(job)


def _write(job: ExportJob) -> ExportJob:
    from .forms import ReportFilterForm

    form = ReportFilterForm(job.filters)
    if not form.is_valid():  # the filters named something deleted since
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=form.errors.as_text()[:300]
        )
        return job
    filters = form.filters()
    table = tables.table(job.table, filters)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, rows_total=table.total or 0, rows_done=0
    )
    name = filenames.report_filename(job.table, job.format, filters)
    storage = ExportJob._meta.get_field("file").storage
    path = f"exports/{job.owner_id}/{str(job.pk)[:8]}/{name}"  # the download is called ``name``
    try:
        with _open_for_write(storage, path) as handle:
            rows = exports.write(
                table,
                job.format,
                handle,
                progress=lambda done: ExportJob.objects.filter(pk=job.pk).update(rows_done=done),
            )
    except Exception:
        log.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error="The file could not be written."
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, rows_done=rows, rows_total=rows, file=path, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def _open_for_write(storage, path):
    import os

    full = storage.path(path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    return open(full, "wb")  # noqa: SIM115 (closed by the caller's with)


def exports_purge(*, now=None) -> int:
    """Delete expired export files and their jobs."""
    now = now or timezone.now()
    expired = list(ExportJob.objects.filter(expires_at__lte=now))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    return len(expired)

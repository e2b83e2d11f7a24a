"""Programme reports in the Wagtail admin: thin views over the selectors, tables and exports."""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from wagtail import hooks

from lms.accounts.models import User

from . import exports, filenames, selectors, services, tables
from .forms import ReportFilterForm
from .models import ExportJob
from .selectors import BREAKDOWNS

PERMISSION = "reports.view_programme_reports"
FILTER_FIELDS = list(ReportFilterForm.base_fields)
SCREEN_ROWS = 100  # a breakdown by organisation can have thousands of rows: the export has them all


def _require(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def guarded(view):
    """Reports live in the Wagtail admin (its menu, language and sign-in), but someone signed in
    without the reports permission gets a plain 403, not the admin's redirect to its sign-in page."""
    from wagtail.admin.auth import require_admin_access

    admin_view = require_admin_access(view)

    @functools.wraps(view)
    def inner(request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(PERMISSION):
            return render(request, "403.html", status=403)
        return admin_view(request, *args, **kwargs)

    return inner


def _filter_query(data) -> dict:
    """The filter fields of a request, as a plain dict (kept with an export job)."""
    return {key: data.get(key) for key in FILTER_FIELDS if data.get(key)}


def _form(data):
    form = ReportFilterForm(data)
    return form, form.is_valid()


def _breakdown(request) -> str:
    by = request.GET.get("by") or "region"
    return by if by in BREAKDOWNS else ""


@require_GET
def dashboard(request):
    _require(request)
    form, valid = _form(request.GET)
    by = _breakdown(request)
    context = {
        "form": form,
        "breakdowns": [(key, label) for key, (label, _path) in BREAKDOWNS.items()],
        "by": by,
        "query": request.GET.urlencode(),
        "filter_query": QueryDict(mutable=True),
    }
    if not valid or not by:
        if not by:
            context["by_error"] = _("Choose a breakdown from the list.")
        return render(request, "reports/dashboard.html", context, status=400)
    filters = form.filters()
    gain_sums = selectors.gains(filters, by)
    courses = selectors.course_table(filters, gain_sums)
    rows = selectors.breakdown_table(filters, by, gain_sums)
    targets = selectors.target_progress(filters)
    filter_query = QueryDict(mutable=True)
    filter_query.update(_filter_query(request.GET))
    context.update(
        filters=filters,
        headline={
            key: selectors.suppressed(value, filters)
            for key, value in selectors.headline_from(courses, rows).items()
        },
        courses=tables.courses_table(filters, courses),
        breakdown=tables.breakdown(filters, by, rows[:SCREEN_ROWS]),
        breakdown_hidden=max(0, len(rows) - SCREEN_ROWS),
        targets=tables.targets_table(filters, targets),
        filter_query=filter_query,
        charts={
            "courses": {
                "labels": [str(row["label"]) for row in courses],
                "trained": [row["people_trained"] for row in courses],
                "completed": [row["completed"] for row in courses],
                "pre": [row["gain"].get("pre_mean") for row in courses],
                "post": [row["gain"].get("post_mean") for row in courses],
            },
            "breakdown": {
                "labels": [str(row["label"]) for row in rows[:20]],
                "enrolled": [row["people_enrolled"] for row in rows[:20]],
                "trained": [row["people_trained"] for row in rows[:20]],
            },
            "targets": {
                "labels": [f"{row['label']} ({row['target'].start:%Y-%m-%d})" for row in targets],
                "target": [row["people"] for row in targets],
                "trained": [row["trained"] for row in targets],
            },
            "suppress": filters.suppress,
            "text": {
                "trained": _("People trained"),
                "completed": _("Completed"),
                "enrolled": _("People enrolled"),
                "pre": _("Pre-test mean (%)"),
                "post": _("Post-test mean (%)"),
                "target": _("Target"),
            },
        },
    )
    if filters.suppress:  # the charts hide what the tables hide
        for chart in ("courses", "breakdown", "targets"):
            for key, values in context["charts"][chart].items():
                if key != "labels":
                    context["charts"][chart][key] = [
                        None if isinstance(v, int) and 0 < v < selectors.SUPPRESS_BELOW else v for v in values
                    ]
    return render(request, "reports/dashboard.html", context)


@require_GET
def roster(request):
    _require(request)
    form, valid = _form(request.GET)
    context = {"form": form, "columns": selectors.ROSTER_COLUMNS}
    if not valid:
        return render(request, "reports/roster.html", context, status=400)
    filters = form.filters()
    page = Paginator(selectors.roster(filters), 50).get_page(request.GET.get("page"))
    filter_query = QueryDict(mutable=True)
    filter_query.update(_filter_query(request.GET))
    context.update(page_obj=page, filter_query=filter_query, total=page.paginator.count)
    return render(request, "reports/roster.html", context)


@require_GET
def transcript(request, user_id: int):
    _require(request)
    person = get_object_or_404(User, pk=user_id, is_active=True)
    context = selectors.transcript(person)
    # Apps above the reports add sections (club delivery: clubs run, review meetings attended)
    # through this hook, so the reports import nothing of theirs.
    context["sections"] = [
        section for hook in hooks.get_hooks("reports_transcript_sections") if (section := hook(person))
    ]
    return render(request, "reports/transcript.html", context)


@require_POST
def export(request):
    """Export one table with the filters it was shown with: small tables at once, rosters in the background."""
    _require(request)
    table, fmt = request.POST.get("table", ""), request.POST.get("format", "")
    if table not in tables.TABLE_NAMES or fmt not in exports.CONTENT_TYPES:
        return HttpResponse(
            _("Unknown table or file format."), status=400, content_type="text/plain; charset=utf-8"
        )
    data = QueryDict(request.POST.get("query", ""))
    form, valid = _form(data)
    if not valid:
        return HttpResponse(
            _("These filters cannot be used: %(errors)s") % {"errors": form.errors.as_text()},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    filters = form.filters()
    if table == "roster":
        job = services.export_job_create(
            owner=request.user,
            table=table,
            fmt=fmt,
            query=_filter_query(data),
            suppress=filters.suppress,
            language=translation.get_language(),
        )
        return redirect("reports_admin:job", job.pk)
    result = tables.table(table, filters)
    filename = filenames.report_filename(table, fmt, filters)
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_stream(result), content_type=exports.CONTENT_TYPES["csv"]
        )
    else:
        response = HttpResponse(exports.xlsx_bytes(result), content_type=exports.CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _own_job(request, job_id) -> ExportJob:
    _require(request)
    job = ExportJob.objects.filter(pk=job_id, owner=request.user).first()
    if job is None:
        raise Http404
    return job


@require_GET
def job(request, job_id):
    job = _own_job(request, job_id)
    expired = job.expires_at <= timezone.now()
    return render(
        request, "reports/job.html", {"job": job, "expired": expired}, status=410 if expired else 200
    )


@require_GET
def download(request, job_id):
    job = _own_job(request, job_id)
    if job.expires_at <= timezone.now():
        return render(request, "reports/job.html", {"job": job, "expired": True}, status=410)
    if job.status != ExportJob.Status.DONE or not job.file:
        return redirect("reports_admin:job", job.pk)
    response = FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1]
    )
    response["Content-Type"] = exports.CONTENT_TYPES[job.format]
    response["Cache-Control"] = "private, no-store"
    return response

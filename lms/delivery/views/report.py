"""The club delivery report in the admin, and its exports (lms.reports' CSV/XLSX writers)."""

from __future__ import annotations

from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lms.reports import exports, filenames

from .. import tables
from ..admin_forms import DeliveryReportForm
from ..selectors import report
from ..selectors.report import BREAKDOWNS

FILTER_FIELDS = list(DeliveryReportForm.base_fields)


def _filter_query(data) -> QueryDict:
    query = QueryDict(mutable=True)
    query.update({key: data.get(key) for key in FILTER_FIELDS if data.get(key)})
    return query


@require_GET
def dashboard(request):
    form = DeliveryReportForm(request.GET)
    by = request.GET.get("by") or "kit"
    context = {
        "form": form,
        "breakdowns": list(BREAKDOWNS.items()),
        "by": by,
        "filter_query": _filter_query(request.GET),
    }
    if not form.is_valid() or by not in BREAKDOWNS:
        if by not in BREAKDOWNS:
            context["by_error"] = _("Choose a breakdown from the list.")
        return render(request, "delivery/admin/report.html", context, status=400)
    filters = form.filters()
    total, tables_by = report.delivery_breakdowns(filters, tuple(dict.fromkeys(["kit", by])))
    by_kit, rows = tables_by["kit"], tables_by[by]
    targets = report.target_progress(filters)
    s = lambda value: report.suppressed(value, filters)  # noqa: E731
    context.update(
        filters=filters,
        headline={
            "clubs_active": total.clubs_active,
            "clubs_registered": total.clubs_registered,
            "sessions": total.sessions,
            "children": s(total.children),
            "attendance_rate": None
            if filters.suppress and 0 < total.children < 5
            else tables.percent(total.attendance_rate),
            "meetings_held": total.meetings_held,
            "meeting_attendances": s(total.meeting_attendances),
        },
        by_kit=tables.figures_table(filters, "kit", by_kit),
        breakdown=None if by == "kit" else tables.figures_table(filters, by, rows),
        targets=tables.targets_table(filters, targets),
    )
    return render(request, "delivery/admin/report.html", context)


@require_POST
def export(request):
    """One table with the filters it was shown with, as CSV or XLSX (small tables: at once)."""
    name, fmt = request.POST.get("table", ""), request.POST.get("format", "")
    if name not in tables.TABLE_NAMES or fmt not in exports.CONTENT_TYPES:
        return HttpResponse(
            _("Unknown table or file format."), status=400, content_type="text/plain; charset=utf-8"
        )
    form = DeliveryReportForm(QueryDict(request.POST.get("query", "")))
    if not form.is_valid():
        return HttpResponse(
            _("These filters cannot be used: %(errors)s") % {"errors": form.errors.as_text()},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    filters = form.filters()
    table = tables.table(name, filters)
    filename = filenames.export_filename(
        name,
        fmt,
        [
            filenames.period_part(filters.start, filters.end),
            filenames.name_part(filters.region),
            filenames.name_part(filters.organisation_kind),
            filenames.name_part(filters.kit),
        ],
    )
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_stream(table), content_type=exports.CONTENT_TYPES["csv"])
    else:
        response = HttpResponse(exports.xlsx_bytes(table), content_type=exports.CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response

"""The delivery report's tables, as lms.reports' Table (columns and rows of plain values): the
screen and the CSV/XLSX exports read the same rows, written by lms.reports.exports."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lms.reports.tables import Table

from .selectors import report
from .selectors.report import BREAKDOWNS, DeliveryFilters, Figures, TargetProgress


def percent(value):
    return None if value is None else round(value * 100, 1)


FIGURE_COLUMNS = [
    _("Clubs registered"),
    _("Clubs active"),
    _("Sessions delivered"),
    _("Girls reached"),
    _("Boys reached"),
    _("Children reached"),
    _("Attendance rate (%)"),
    _("Club-terms without membership"),
    _("Review meetings held"),
    _("Attendances at review meetings"),
]


def figure_cells(figures: Figures, filters: DeliveryFilters) -> list:
    """One row of figures; counts of children and of people are hidden under 5 when asked."""
    s = lambda value: report.suppressed(value, filters)  # noqa: E731
    hide_rate = filters.suppress and 0 < figures.children < 5
    return [
        figures.clubs_registered,
        figures.clubs_active,
        figures.sessions,
        s(figures.girls),
        s(figures.boys),
        s(figures.children),
        None if hide_rate else percent(figures.attendance_rate),
        figures.missing_membership,
        figures.meetings_held,
        s(figures.meeting_attendances),
    ]


def figures_table(filters: DeliveryFilters, by: str, rows: list[Figures] | None = None) -> Table:
    if rows is None:
        _total, rows = report.delivery_figures(filters, by)
    label = BREAKDOWNS[by]
    return Table(
        name=f"delivery-by-{by}",
        title=str(_("Club delivery by %(by)s") % {"by": str(label).lower()}),
        columns=[str(c) for c in [label, *FIGURE_COLUMNS]],
        rows=[[figures.label, *figure_cells(figures, filters)] for figures in rows],
    )


def targets_table(filters: DeliveryFilters, rows: list[TargetProgress] | None = None) -> Table:
    rows = rows if rows is not None else report.target_progress(filters)
    s = lambda value: report.suppressed(value, filters)  # noqa: E731
    return Table(
        name="delivery-targets",
        title=str(_("Delivery targets")),
        columns=[
            str(c)
            for c in [
                _("Kit"),
                _("From"),
                _("To"),
                _("Clubs (target)"),
                _("Clubs active"),
                _("Clubs: progress (%)"),
                _("Children (target)"),
                _("Children reached"),
                _("Children: progress (%)"),
            ]
        ],
        rows=[
            [
                row.target.kit.name,
                row.target.start.isoformat(),
                row.target.end.isoformat(),
                row.target.clubs,
                row.clubs_active,
                percent(row.clubs_share),
                row.target.children,
                s(row.children),
                None if filters.suppress and 0 < row.children < 5 else percent(row.children_share),
            ]
            for row in rows
        ],
    )


TABLE_NAMES = ["delivery-targets", *(f"delivery-by-{key}" for key in BREAKDOWNS)]


def table(name: str, filters: DeliveryFilters) -> Table:
    """A table by its export name; ValueError for an unknown one."""
    if name == "delivery-targets":
        return targets_table(filters)
    if name.startswith("delivery-by-") and name.removeprefix("delivery-by-") in BREAKDOWNS:
        return figures_table(filters, name.removeprefix("delivery-by-"))
    raise ValueError(name)

"""Every report table as columns and rows of plain values: the screen and the exports read the same."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import selectors
from .selectors import BREAKDOWNS, Filters


@dataclass
class Table:
    name: str
    title: str
    columns: list[str]
    rows: Iterable[list]
    total: int | None = None  # rows, when known before writing (progress)


def _percent(value):
    return None if value is None else round(value * 100, 1)


def _gain_cells(gain: dict) -> list:
    return [
        gain.get("learners", 0),
        gain.get("pre_mean"),
        gain.get("post_mean"),
        gain.get("gain"),
        _percent(gain.get("improved_share")),
    ]


GAIN_COLUMNS = [
    _("Learners with pre- and post-test"),
    _("Pre-test mean (%)"),
    _("Post-test mean (%)"),
    _("Gain (points)"),
    _("Improved (%)"),
]


def courses_table(filters: Filters, rows: list[dict] | None = None) -> Table:
    rows = rows if rows is not None else selectors.course_table(filters)
    s = lambda value: selectors.suppressed(value, filters)  # noqa: E731
    return Table(
        name="courses",
        title=str(_("Courses")),
        columns=[
            str(c)
            for c in [
                _("Course"),
                _("Enrolled"),
                _("Started"),
                _("Completed"),
                _("Completion rate (%)"),
                _("Median days to complete"),
                _("People trained"),
                *GAIN_COLUMNS,
            ]
        ],
        rows=[
            [
                str(row["label"]),
                s(row["enrolled"]),
                s(row["started"]),
                s(row["completed"]),
                _percent(row["completion_rate"]),
                row["median_days"],
                s(row["people_trained"]),
                *_gain_cells(row["gain"]),
            ]
            for row in rows
        ],
    )


def breakdown(filters: Filters, by: str, rows: list[dict] | None = None) -> Table:
    rows = rows if rows is not None else selectors.breakdown_table(filters, by)
    s = lambda value: selectors.suppressed(value, filters)  # noqa: E731
    label = BREAKDOWNS[by][0]
    return Table(
        name=f"by-{by}",
        title=str(label),
        columns=[str(c) for c in [label, _("People enrolled"), _("People trained"), *GAIN_COLUMNS]],
        rows=[
            [
                str(row["label"]),
                s(row["people_enrolled"]),
                s(row["people_trained"]),
                *_gain_cells(row["gain"]),
            ]
            for row in rows
        ],
    )


def targets_table(filters: Filters, rows: list[dict] | None = None) -> Table:
    rows = rows if rows is not None else selectors.target_progress(filters)
    s = lambda value: selectors.suppressed(value, filters)  # noqa: E731
    return Table(
        name="targets",
        title=str(_("Targets")),
        columns=[
            str(c)
            for c in [
                _("Course"),
                _("From"),
                _("To"),
                _("Role"),
                _("Target"),
                _("People trained"),
                _("Progress (%)"),
            ]
        ],
        rows=[
            [
                row["label"],
                row["target"].start.isoformat(),
                row["target"].end.isoformat(),
                str(row["target"].get_role_display() or ""),
                row["people"],
                s(row["trained"]),
                _percent(row["share"]),
            ]
            for row in rows
        ],
    )


def roster_table(filters: Filters) -> Table:
    return Table(
        name="roster",
        title=str(_("Roster")),
        columns=[str(label) for _key, label in selectors.ROSTER_COLUMNS],
        rows=selectors.roster_values(filters),
        total=selectors.cohort(filters).count(),
    )


def table(name: str, filters: Filters) -> Table:
    """A table by its export name; ValueError for an unknown one."""
    if name == "courses":
        return courses_table(filters)
    if name == "targets":
        return targets_table(filters)
    if name == "roster":
        return roster_table(filters)
    if name.startswith("by-") and name[3:] in BREAKDOWNS:
        return breakdown(filters, name[3:])
    raise ValueError(name)


TABLE_NAMES = ["courses", "targets", "roster", *(f"by-{key}" for key in BREAKDOWNS)]

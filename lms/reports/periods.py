"""Reporting periods: calendar dates and US federal fiscal-year quarters (October to September).

Fiscal year 2027 runs from 1 October 2026 to 30 September 2027; its Q1 is October to December 2026.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

QUARTER_RE = re.compile(r"^FY(?P<year>\d{4})-Q(?P<quarter>[1-4])$")
# The months each quarter starts in, and whether they fall in the calendar year before the fiscal year.
_QUARTER_START = {1: (10, -1), 2: (1, 0), 3: (4, 0), 4: (7, 0)}


def fiscal_year(day: dt.date) -> int:
    return day.year + 1 if day.month >= 10 else day.year


def fiscal_quarter(day: dt.date) -> tuple[int, int]:
    """(fiscal year, quarter 1-4) of a day."""
    return fiscal_year(day), ((day.month - 10) % 12) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of a fiscal quarter."""
    month, shift = _QUARTER_START[quarter]
    start = dt.date(year + shift, month, 1)
    end_month = month + 3
    following = dt.date(start.year + (end_month > 12), (end_month - 1) % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


def parse_quarter(value: str) -> tuple[dt.date, dt.date]:
    """``FY2027-Q1`` -> (2026-10-01, 2026-12-31); ValueError for anything else."""
    match = QUARTER_RE.match(value or "")
    if not match or not 2000 <= int(match["year"]) <= 2100:
        raise ValueError(value)
    return quarter_bounds(int(match["year"]), int(match["quarter"]))


def quarter_label(year: int, quarter: int) -> str:
    start, end = quarter_bounds(year, quarter)
    return _("FY%(year)s Q%(quarter)s: %(start)s – %(end)s") % {
        "year": year,
        "quarter": quarter,
        "start": f"{start:%Y-%m}",
        "end": f"{end:%Y-%m}",
    }


FIRST_FISCAL_YEAR = 2020  # the programme's reports start here


def quarter_choices(today: dt.date, *, first_year: int = FIRST_FISCAL_YEAR) -> list[tuple[str, str]]:
    """The current fiscal quarter and every one before it back to ``first_year``, newest first."""
    year, quarter = fiscal_quarter(today)
    choices = []
    while year >= first_year:
        choices.append((f"FY{year}-Q{quarter}", quarter_label(year, quarter)))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return choices

"""Export file names name the table and the filters applied, in ASCII, never over 100 characters."""

import datetime as dt

import pytest

from courses.models import CoursePage, CourseRelease
from lms.accounts.models import Organisation, Region
from lms.reports.filenames import ascii_slug, export_filename, period_part, report_filename
from lms.reports.selectors import Filters

TODAY = dt.date(2026, 5, 14)


def test_mongolian_names_are_transliterated():
    assert ascii_slug("Баянзүрх дүүрэг") == "bayanzurkh-duureg"
    assert ascii_slug("Өвөрхангай") == "uvurkhangai"
    assert ascii_slug("1-р сургууль «Шинэ»") == "1-r-surguuli-shine"


def test_the_period_is_a_fiscal_quarter_or_its_dates():
    assert period_part(dt.date(2026, 4, 1), dt.date(2026, 6, 30)) == "fy2026-q3"
    assert period_part(dt.date(2026, 1, 5), dt.date(2026, 2, 1)) == "20260105-20260201"
    assert period_part(dt.date(2026, 1, 5), None) == "from-20260105"
    assert period_part(None, None, today=TODAY) == "to-20260514"


@pytest.mark.django_db  # a new page asks for its default locale
def test_a_report_name_names_every_filter():
    region = Region(code="bayanzurkh", name_mn="Баянзүрх", name_en="Bayanzurkh")
    school = Organisation(name_mn="84-р сургууль", name_en="", region=region)
    course = CoursePage(title="Хүүхэд хамгаалал", slug="child-protection")
    filters = Filters(
        start=dt.date(2026, 4, 1),
        end=dt.date(2026, 6, 30),
        region=region,
        organisation=school,
        role="teacher",
        course=course,
        release=CourseRelease(version="1.2"),
        sex="female",
    )
    assert (
        report_filename("courses", "csv", filters)
        == "cpc-learn-courses-fy2026-q3-bayanzurkh-84-r-surguuli-teacher-child-protection-v1-2-female.csv"
    )
    assert (
        report_filename("by-region", "xlsx", Filters(), today=TODAY) == "cpc-learn-by-region-to-20260514.xlsx"
    )


def test_a_long_name_is_cut_to_100_characters_keeping_its_extension():
    name = export_filename("roster", "xlsx", ["fy2026-q3", ascii_slug("Улаанбаатар хотын " * 10)])
    assert len(name) <= 100 and name.endswith(".xlsx") and name.startswith("cpc-learn-roster-fy2026-q3-")
    assert name.isascii() and "-." not in name

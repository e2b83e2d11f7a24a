"""The report figures against a programme counted by hand (see conftest.py)."""

import datetime as dt

import pytest
from django.utils import translation

from assessments.selectors import knowledge_gain
from lms.reports import periods, selectors
from lms.reports.models import Target
from lms.reports.selectors import Filters

Q1 = {"start": dt.date(2025, 10, 1), "end": dt.date(2025, 12, 31)}


def by_course(rows, built):
    return next(row for row in rows if row["key"] == built.mn.pk)


def test_fiscal_quarters_run_october_to_september():
    assert periods.parse_quarter("FY2026-Q1") == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert periods.parse_quarter("FY2026-Q2") == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert periods.parse_quarter("FY2026-Q4") == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert periods.fiscal_quarter(dt.date(2026, 10, 1)) == (2027, 1)
    assert periods.fiscal_quarter(dt.date(2026, 9, 30)) == (2026, 4)
    assert periods.fiscal_quarter(dt.date(2026, 2, 14)) == (2026, 2)
    for bad in ("FY2026-Q5", "2026-Q1", "FY26-Q1", "", "FY1899-Q1"):
        with pytest.raises(ValueError):
            periods.parse_quarter(bad)
    with translation.override("en"):
        choices = periods.quarter_choices(dt.date(2026, 11, 28), first_year=2026)
    assert [code for code, _label in choices] == [
        "FY2027-Q1",
        "FY2026-Q4",
        "FY2026-Q3",
        "FY2026-Q2",
        "FY2026-Q1",
    ]
    assert choices[-1][1] == "FY2026 Q1: 2025-10 – 2025-12"


def test_course_figures_for_a_quarter(programme):
    rows = selectors.course_table(Filters(**Q1))
    a, b = by_course(rows, programme.a), by_course(rows, programme.b)
    # Cohort: enrolments made in the quarter (u1, u2, u3 on A; u1 on B).
    assert (a["enrolled"], a["started"], a["completed"]) == (3, 3, 2)
    assert a["completion_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert a["median_days"] == 20.0  # 10 and 30 days
    assert (b["enrolled"], b["started"], b["completed"], b["completion_rate"]) == (1, 1, 0, 0)
    # People trained: completed within the quarter, whenever they enrolled (u1, u2, u4).
    assert a["people_trained"] == 3 and b["people_trained"] == 0
    # Gain: first pre-test against first post-test: u1 40 -> 80, u2 60 -> 45 (its retake, 50, does
    # not count); u3 has no post-test.
    assert a["gain"] == {
        "key": programme.a.mn.pk,
        "learners": 2,
        "pre_mean": 50.0,
        "post_mean": 62.5,
        "gain": 12.5,
        "improved_share": 0.5,
    }
    assert selectors.headline(Filters(**Q1)) == {"people_enrolled": 3, "enrolments": 4, "people_trained": 3}


def test_all_time_figures(programme):
    rows = selectors.course_table(Filters())
    a = by_course(rows, programme.a)
    assert (a["enrolled"], a["started"], a["completed"], a["people_trained"]) == (4, 4, 4, 4)
    assert selectors.headline(Filters()) == {"people_enrolled": 5, "enrolments": 6, "people_trained": 4}


def test_the_gain_agrees_with_the_assessments_selector(programme):
    expected = knowledge_gain(course=programme.a.mn)
    row = by_course(selectors.course_table(Filters()), programme.a)["gain"]
    assert (row["learners"], row["pre_mean"], row["post_mean"], row["gain"], row["improved_share"]) == (
        expected.learners,
        expected.pre_mean,
        expected.post_mean,
        expected.gain,
        expected.improved_share,
    )


def test_person_filters(programme):
    district = Filters(**Q1, region=programme.district)
    assert selectors.headline(district) == {"people_enrolled": 2, "enrolments": 3, "people_trained": 3}
    women = Filters(**Q1, sex="female")
    assert selectors.headline(women) == {"people_enrolled": 2, "enrolments": 3, "people_trained": 2}
    police = Filters(**Q1, organisation_kind="police")
    assert selectors.headline(police) == {"people_enrolled": 1, "enrolments": 1, "people_trained": 0}
    # Ages on 2025 (the year the quarter ends): u1 35, u2 45, u3 25, u4 not stated.
    assert selectors.headline(Filters(**Q1, age_band="35_44"))["people_enrolled"] == 1
    assert selectors.headline(Filters(**Q1, age_band="unknown"))["people_trained"] == 1
    assert selectors.headline(Filters(**Q1, role="teacher", course=programme.b.mn)) == {
        "people_enrolled": 1,
        "enrolments": 1,
        "people_trained": 0,
    }


def test_breakdowns(programme):
    by_sex = {row["key"]: row for row in selectors.breakdown_table(Filters(**Q1), "sex")}
    assert (by_sex["female"]["people_enrolled"], by_sex["female"]["people_trained"]) == (2, 2)
    assert (by_sex["male"]["people_enrolled"], by_sex["male"]["people_trained"]) == (1, 1)
    assert by_sex["female"]["gain"]["pre_mean"] == 40.0 and by_sex["male"]["gain"]["post_mean"] == 45.0
    by_age = {row["key"]: row for row in selectors.breakdown_table(Filters(**Q1), "age_band")}
    assert {key: row["people_enrolled"] for key, row in by_age.items()} == {
        "25_34": 1,
        "35_44": 1,
        "45_54": 1,
        "unknown": 0,
    }
    assert by_age["unknown"]["people_trained"] == 1
    by_region = {row["key"]: row for row in selectors.breakdown_table(Filters(**Q1), "region")}
    assert by_region[programme.district.pk]["people_trained"] == 3
    assert by_region[programme.aimag.pk]["people_enrolled"] == 1


def test_targets_show_progress(programme):
    Target.objects.create(
        course=programme.a.mn, start=dt.date(2025, 10, 1), end=dt.date(2026, 9, 30), people=10
    )
    Target.objects.create(
        course=programme.a.mn,
        start=dt.date(2025, 10, 1),
        end=dt.date(2026, 9, 30),
        people=4,
        role="police_investigator",
    )
    Target.objects.create(
        course=programme.b.mn, start=dt.date(2024, 10, 1), end=dt.date(2025, 9, 30), people=5
    )
    rows = selectors.target_progress(Filters(**Q1))
    assert [(row["people"], row["trained"], row["share"]) for row in rows] == [(10, 4, 0.4), (4, 1, 0.25)]


def test_suppression_hides_small_counts():
    assert selectors.suppressed(3, Filters(suppress=True)) == "<5"
    assert selectors.suppressed(0, Filters(suppress=True)) == 0
    assert selectors.suppressed(5, Filters(suppress=True)) == 5
    assert selectors.suppressed(3, Filters()) == 3


def test_a_release_filter_counts_that_version_only(programme):
    from courses import services as releases

    newer = releases.release_publish(course=programme.a.mn, version="1.1")
    assert selectors.headline(Filters(release=newer)) == {
        "people_enrolled": 0,
        "enrolments": 0,
        "people_trained": 0,
    }
    assert selectors.headline(Filters(release=programme.a.release))["people_trained"] == 4


@pytest.mark.parametrize("by", list(selectors.BREAKDOWNS))
@pytest.mark.parametrize(
    "filters", [Filters(), Filters(**Q1), Filters(**Q1, sex="female"), Filters(role="teacher")]
)
def test_totals_summed_from_the_tables_equal_the_counted_ones(programme, by, filters):
    courses, rows = selectors.course_table(filters), selectors.breakdown_table(filters, by)
    assert selectors.headline_from(courses, rows) == selectors.headline(filters)

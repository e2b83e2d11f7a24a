"""The reports area: who may open it, impossible filters, exports that match the screen, expiry."""

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lms.accounts import roles
from lms.reports import services
from lms.reports.models import ExportJob
from tests.factories import UserFactory, staff_client

from .data import enrol

DASHBOARD = "/admin/programme-reports/"
Q1 = "quarter=FY2026-Q1"


@pytest.fixture
def manager(programme):
    return staff_client(roles.MANAGERS)


def _cells(html: str, table: str) -> list[list[str]]:
    body = re.search(rf'data-table="{table}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def _shown(value) -> str:
    """A cell as the screen shows it; numbers compared as numbers (a spreadsheet keeps 20.0 as 20)."""
    if value in (None, ""):
        return "–"
    try:
        return str(float(value))
    except (TypeError, ValueError):
        return str(value)


def test_the_manager_sees_the_figures(manager, programme):
    response = manager.get(f"{DASHBOARD}?{Q1}&region={programme.district.pk}&by=sex")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="people_trained">3<' in html
    rows = {row[0]: row for row in _cells(html, "by-sex")}
    assert rows["Female"][1:3] == ["1", "2"] and rows["Male"][1:3] == ["1", "1"]
    assert 'id="report-charts"' in html and "vendor/chartjs/chart.umd.min.js" in html


def test_the_dashboard_has_a_constant_number_of_queries(manager, programme):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert manager.get(f"{DASHBOARD}?{Q1}").status_code == 200
        return len(queries)

    before = count()
    for _n in range(15):
        enrol(UserFactory(), programme.a, "2025-11-01", "2025-11-02", "2025-11-20")
    assert count() == before


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=2025-12-01&end=2025-10-01", "The end date comes before the start date."),
        ("quarter=FY2026-Q5", "Select a valid choice."),
        ("quarter=FY2026-Q1&start=2025-10-01", "Choose either a fiscal quarter or dates, not both."),
        ("course=999999", "Select a valid choice."),
        ("region=999999", "Select a valid choice."),
        ("organisation=abc", "Select a valid choice."),
        ("start=not-a-date", "Enter a valid date."),
        ("by=favourite_colour", "Choose a breakdown from the list."),
    ],
)
def test_impossible_filters_are_refused(manager, query, message):
    response = manager.get(f"{DASHBOARD}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    # The roster has the same filters but no breakdown: it refuses the same bad filters.
    roster = manager.get(f"{DASHBOARD}roster/?{query}")
    assert roster.status_code == (200 if query.startswith("by=") else 400)


def test_a_version_of_another_course_is_refused(manager, programme):
    response = manager.get(f"{DASHBOARD}?course={programme.a.mn.pk}&release={programme.b.release.pk}")
    assert response.status_code == 400
    assert "This version belongs to another course." in response.content.decode()


@pytest.mark.parametrize("group", [None, roles.EDITORS, roles.REVIEWERS, roles.JUSTICE_LEARNERS])
def test_nobody_else_opens_reports(programme, client, group):
    if group is None:
        client.force_login(UserFactory())
    else:
        client = staff_client(group)
    learner = programme.people.u1
    for url in (DASHBOARD, f"{DASHBOARD}roster/", f"{DASHBOARD}people/{learner.pk}/"):
        response = client.get(url)
        assert response.status_code == 403, (url, response.status_code)
        assert "Сараа" not in response.content.decode()
    response = client.post(f"{DASHBOARD}export/", {"table": "roster", "format": "csv", "query": ""})
    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, programme):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_managers_never_see_quiz_answers(manager, programme):
    transcript = manager.get(f"{DASHBOARD}people/{programme.people.u2.pk}/")
    assert transcript.status_code == 200
    html = transcript.content.decode()
    assert "Post-test" in html and "50.0" in html  # the score
    assert "Question?" not in html  # the question (and so its answers) is not there
    results = manager.get(reverse("assessments_admin:quiz_results", args=[programme.post.pk]))
    assert results.status_code in (302, 403)


def test_a_table_exports_as_csv_and_xlsx_matching_the_screen(manager, programme):
    html = manager.get(f"{DASHBOARD}?{Q1}").content.decode()
    screen = _cells(html, "courses")
    query = Q1
    response = manager.post(f"{DASHBOARD}export/", {"table": "courses", "format": "csv", "query": query})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="cpc-learn-courses-fy2026-q1.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Course"
    screen = [[_shown(v) for v in row] for row in screen]
    assert [[_shown(v) for v in row] for row in rows[1:]] == screen
    response = manager.post(f"{DASHBOARD}export/", {"table": "courses", "format": "xlsx", "query": query})
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    values = [[_shown(v) for v in row] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == screen


def test_suppression_in_exports(manager, programme):
    response = manager.post(
        f"{DASHBOARD}export/",
        {"table": "by-sex", "format": "csv", "query": f"{Q1}&suppress=on&region={programme.district.pk}"},
    )
    assert 'filename="cpc-learn-by-sex-fy2026-q1-test-district.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    female = next(row for row in rows if row[0] == "Female")
    assert female[1:3] == ["<5", "<5"]


@pytest.mark.parametrize(
    "data",
    [
        {"table": "passwords", "format": "csv", "query": ""},
        {"table": "courses", "format": "exe", "query": ""},
        {"table": "courses", "format": "csv", "query": "start=2025-12-01&end=2025-01-01"},
    ],
)
def test_bad_exports_are_refused(manager, data):
    assert manager.post(f"{DASHBOARD}export/", data).status_code == 400
    assert not ExportJob.objects.exists()


def test_a_roster_export_is_made_in_the_background_for_its_owner_only(
    manager, programme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"{DASHBOARD}export/", {"table": "roster", "format": "csv", "query": Q1})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports_admin:job", args=[job.pk])
    page = manager.get(response["Location"])  # the task ran (inline in tests): the file is ready
    assert "The file is ready: 4 rows." in page.content.decode()
    download = manager.get(reverse("reports_admin:download", args=[job.pk]))
    assert download.status_code == 200
    assert 'filename="cpc-learn-roster-fy2026-q1.csv"' in download["Content-Disposition"]
    lines = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 5 and lines[0].startswith("Name,Role,Organisation")
    assert any(line.startswith("Сараа,") for line in lines)

    other = staff_client(roles.MANAGERS)
    assert other.get(reverse("reports_admin:download", args=[job.pk])).status_code == 404
    assert other.get(reverse("reports_admin:job", args=[job.pk])).status_code == 404

    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = manager.get(reverse("reports_admin:download", args=[job.pk]))
    assert expired.status_code == 410 and "has expired" in expired.content.decode()
    job.refresh_from_db()
    path = Path(job.file.path)
    assert path.exists()
    assert services.exports_purge() == 1
    assert not ExportJob.objects.exists() and not path.exists()


def test_the_roster_lists_where_people_are(manager, programme):
    response = manager.get(f"{DASHBOARD}roster/?{Q1}&organisation={programme.school.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 enrolments" in html and "Сараа" in html and "Бат" in html and "Оюун" not in html


def test_a_running_export_shows_its_progress_and_no_link_yet(manager):
    now = timezone.now()
    job = ExportJob.objects.create(
        owner=manager.user,
        table="roster",
        format="xlsx",
        status=ExportJob.Status.RUNNING,
        rows_done=5000,
        rows_total=20000,
        created_at=now,
        expires_at=now + dt.timedelta(hours=1),
    )
    page = manager.get(reverse("reports_admin:job", args=[job.pk])).content.decode()
    assert "Writing the file: 5000 of 20000 rows" in page and 'value="25"' in page
    assert 'http-equiv="refresh"' in page and "data-download" not in page
    early = manager.get(reverse("reports_admin:download", args=[job.pk]))
    assert early.status_code == 302 and early["Location"] == reverse("reports_admin:job", args=[job.pk])

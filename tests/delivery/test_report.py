"""The delivery report: counted by hand on a small programme (children once per club and term,
never per session), small counts hidden, the same numbers on screen and in the exports."""

import csv
import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lms.accounts import roles
from lms.accounts.models import Organisation
from lms.delivery.models import DeliveryTarget, MeetingParticipant, ReviewMeeting
from lms.delivery.selectors.report import DeliveryFilters, delivery_figures, target_progress
from lms.delivery.services import clubs as club_services
from lms.delivery.services import meetings as meeting_services
from lms.reports.periods import fiscal_quarter
from tests.factories import staff_client

from . import data


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


@pytest.fixture
def programme(kit, terms, trained):
    """Three clubs of the kit; worked out by hand below."""
    school = data.place("School 1", region_code="bayanzurkh")
    tvet = data.place("TVET 1", region_code="chingeltei", kind=Organisation.Kind.TVET)
    c1 = data.club(kit, trained, school, terms.previous, members={"girls_12_14": 7, "boys_12_14": 5})  # 12
    club_services.membership_record(
        club=c1, term=terms.current, counts={"girls_12_14": 10, "boys_12_14": 10}, by=trained
    )  # 20
    c2 = data.club(kit, trained, tvet, terms.current, members={"girls_15_17": 2, "boys_15_17": 1})  # 3
    c3 = data.club(
        kit, trained, data.place("School 3", region_code="bayanzurkh"), terms.current, members=None
    )
    s = kit.sessions
    # Club 1: three sessions this term (10, 15 and 20 children came), one last term (6 came).
    data.log(c1, trained, s[0], days_ago(1), girls=5, boys=5)
    data.log(c1, trained, s[1], days_ago(2), girls=8, boys=7)
    data.log(c1, trained, s[2], days_ago(3), girls=10, boys=10)
    data.log(c1, trained, s[0], days_ago(100), girls=3, boys=3)
    data.log(c2, trained, s[0], days_ago(1), girls=2, boys=1)  # all three members
    data.log(c3, trained, s[0], days_ago(1), girls=4, boys=4)  # no membership recorded this term
    organiser = data.manager()
    held = meeting_services.meeting_schedule(
        by=organiser,
        kit=kit.kit,
        region=school.region,
        mode="in_person",
        venue="Hall",
        starts_at=timezone.now() + dt.timedelta(days=1),
    )
    ReviewMeeting.objects.filter(pk=held.pk).update(starts_at=timezone.now() - dt.timedelta(days=5))
    MeetingParticipant.objects.create(
        meeting=held, person=trained, invited_at=timezone.now(), attended_at=timezone.now()
    )
    MeetingParticipant.objects.create(meeting=held, person=organiser, invited_at=timezone.now())
    meeting_services.meeting_schedule(  # coming up: not held yet
        by=organiser,
        kit=kit.kit,
        region=school.region,
        mode="in_person",
        venue="Hall",
        starts_at=timezone.now() + dt.timedelta(days=10),
    )
    cancelled = meeting_services.meeting_schedule(
        by=organiser,
        kit=kit.kit,
        region=tvet.region,
        mode="in_person",
        venue="Hall",
        starts_at=timezone.now() + dt.timedelta(days=1),
    )
    meeting_services.meeting_cancel(meeting=cancelled, by=organiser)
    ReviewMeeting.objects.filter(pk=cancelled.pk).update(starts_at=timezone.now() - dt.timedelta(days=3))
    return SimpleNamespace(c1=c1, c2=c2, c3=c3, school=school, tvet=tvet, kit=kit, terms=terms)


def test_children_are_counted_once_per_club_and_term_not_per_session(programme):
    total, by_kit = delivery_figures(DeliveryFilters(), "kit")
    assert total.sessions == 6 and total.clubs_active == 3 and total.clubs_registered == 3
    # Club 1: 12 last term + 20 this term; club 2: 3; club 3: no membership, so nobody counted.
    assert total.children == 35 and (total.girls, total.boys) == (19, 16)
    assert total.missing_membership == 1
    # Summing the sessions' attendance would give 10 + 15 + 20 + 6 + 3 + 8 = 62.
    assert total.children != 62
    # Attendance: (10 + 15 + 20) of 3 x 20 places, 6 of 12, 3 of 3 (club 3 has no membership).
    assert total.attendance_rate == round(54 / 75, 4)
    assert (total.meetings_held, total.meeting_attendances, total.meeting_invited) == (1, 1, 2)
    assert [(row.label, row.children) for row in by_kit] == [(programme.kit.kit.name, 35)]


def test_a_period_counts_the_terms_of_the_sessions_in_it(programme):
    recent = DeliveryFilters(start=days_ago(10), end=timezone.localdate())
    total, _rows = delivery_figures(recent)
    assert total.sessions == 5 and total.children == 23  # club 1 this term (20) and club 2 (3)
    assert total.meetings_held == 1
    last_term = DeliveryFilters(end=days_ago(50))
    total, _rows = delivery_figures(last_term)
    assert total.sessions == 1 and total.children == 12 and total.meetings_held == 0


def test_breakdowns_by_district_organisation_type_and_quarter(programme):
    _total, by_region = delivery_figures(DeliveryFilters(), "region")
    rows = {row.key: row for row in by_region}
    bayanzurkh, chingeltei = programme.school.region_id, programme.tvet.region_id
    assert (rows[bayanzurkh].children, rows[bayanzurkh].sessions, rows[bayanzurkh].clubs_registered) == (
        32,
        5,
        2,
    )
    assert (rows[chingeltei].children, rows[chingeltei].meetings_held) == (3, 0)
    assert rows[bayanzurkh].meetings_held == 1
    _total, by_kind = delivery_figures(DeliveryFilters(), "organisation_kind")
    kinds = {row.key: row for row in by_kind}
    assert kinds["tvet"].children == 3 and kinds["school"].children == 32
    assert kinds["school"].meetings_held is None  # meetings have no organisation
    _total, by_quarter = delivery_figures(DeliveryFilters(), "quarter")
    session_days = [days_ago(1), days_ago(2), days_ago(3), days_ago(100)]
    meeting_day = timezone.localtime(timezone.now() - dt.timedelta(days=5)).date()
    expected = {"FY{}-Q{}".format(*fiscal_quarter(day)) for day in [*session_days, meeting_day]}
    assert {row.key for row in by_quarter} == expected
    assert sum(row.meetings_held for row in by_quarter) == 1
    assert sum(row.sessions for row in by_quarter) == 6


def test_filters_narrow_every_figure(programme):
    total, _rows = delivery_figures(DeliveryFilters(region=programme.tvet.region))
    assert (total.sessions, total.children, total.clubs_registered, total.meetings_held) == (1, 3, 1, 0)
    total, _rows = delivery_figures(DeliveryFilters(organisation_kind="school"))
    assert (total.sessions, total.children, total.clubs_registered) == (5, 32, 2)


def test_targets_show_progress_in_their_own_window(programme):
    DeliveryTarget.objects.create(
        kit=programme.kit.kit,
        start=programme.terms.current.start,
        end=programme.terms.current.end,
        clubs=4,
        children=50,
    )
    [row] = target_progress(DeliveryFilters())
    assert (row.clubs_active, row.children) == (3, 23)
    assert (row.clubs_share, row.children_share) == (0.75, 0.46)


def test_the_page_hides_small_counts_when_asked(programme):
    client = staff_client(roles.MANAGERS)
    shown = client.get(reverse("delivery_admin:report"), {"by": "region"})
    assert shown.status_code == 200
    rows = {row[0]: row for row in shown.context["breakdown"].rows}
    chingeltei = programme.tvet.region.name_en
    # columns: label, registered, active, sessions, girls, boys, children, rate, missing, meetings, attendances
    assert rows[chingeltei][4:7] == [2, 1, 3]
    hidden = client.get(reverse("delivery_admin:report"), {"by": "region", "suppress": "on"})
    rows = {row[0]: row for row in hidden.context["breakdown"].rows}
    assert rows[chingeltei][4:8] == ["<5", "<5", "<5", None]
    assert rows[chingeltei][3] == 1  # sessions are not people: shown
    assert hidden.context["headline"]["children"] == 35


def test_the_page_refuses_impossible_filters(programme):
    client = staff_client(roles.MANAGERS)
    assert (
        client.get(
            reverse("delivery_admin:report"), {"quarter": "FY2026-Q1", "start": "2025-10-01"}
        ).status_code
        == 400
    )
    assert (
        client.get(reverse("delivery_admin:report"), {"start": "2026-01-02", "end": "2026-01-01"}).status_code
        == 400
    )
    assert client.get(reverse("delivery_admin:report"), {"by": "shoe_size"}).status_code == 400
    assert client.get(reverse("delivery_admin:report"), {"kit": "999999"}).status_code == 400
    assert (
        client.post(reverse("delivery_admin:export"), {"table": "roster", "format": "csv"}).status_code == 400
    )


def test_exports_hold_the_numbers_on_the_screen(programme):
    client = staff_client(roles.MANAGERS)
    page = client.get(reverse("delivery_admin:report"), {"by": "region", "suppress": "on"})
    table = page.context["breakdown"]
    query = "by=region&suppress=on"
    response = client.post(
        reverse("delivery_admin:export"), {"table": table.name, "format": "csv", "query": query}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="cpc-learn-{table.name}-to-{timezone.localdate():%Y%m%d}.csv"'
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == table.columns
    assert rows[1:] == [["" if cell is None else str(cell) for cell in row] for row in table.rows]
    response = client.post(
        reverse("delivery_admin:export"), {"table": table.name, "format": "xlsx", "query": query}
    )
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    xlsx = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert xlsx[1:] == [list(row) for row in table.rows]


def test_an_export_file_names_its_filters(programme):
    client = staff_client(roles.MANAGERS)
    query = f"start=2026-01-05&end=2026-02-01&region={programme.school.region_id}&organisation_kind=school"
    response = client.post(
        reverse("delivery_admin:export"), {"table": "delivery-by-kit", "format": "xlsx", "query": query}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="cpc-learn-delivery-by-kit-20260105-20260201-bayanzurkh-school.xlsx"'
    )


def test_report_queries_do_not_grow_with_the_programme(programme, trained):
    client = staff_client(roles.MANAGERS)
    url = reverse("delivery_admin:report")

    def count():
        client.get(url, {"by": "quarter"})  # warm caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"by": "quarter"}).status_code == 200
        return len(queries)

    before = count()
    for n in range(6):  # six more clubs with sessions in two terms
        extra = data.club(programme.kit, trained, data.place(f"More {n}"), programme.terms.previous)
        club_services.membership_record(
            club=extra, term=programme.terms.current, counts={"boys_12_14": 9}, by=trained
        )
        data.log(extra, trained, programme.kit.sessions[1], days_ago(4), girls=1, boys=1)
        data.log(extra, trained, programme.kit.sessions[1], days_ago(120), girls=2, boys=2)
    assert before > 5, before  # the report was really counted
    assert count() == before

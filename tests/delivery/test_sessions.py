"""Logging sessions: counts only, checked; a safeguarding flag alerts the lead without details."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from lms.accounts import roles
from lms.accounts.models import AuditEvent
from lms.delivery import tasks
from lms.delivery.errors import DeliveryError
from lms.delivery.models import SafeguardingAlert, SessionLog
from lms.delivery.services import alerts as alert_services
from lms.delivery.services import sessions as session_services
from tests.factories import UserFactory

from . import data

YESTERDAY = lambda: timezone.localdate() - dt.timedelta(days=1)  # noqa: E731


@pytest.fixture
def club(kit, terms, school, trained):
    return data.club(kit, trained, school, terms.current)


@pytest.fixture
def lead(site):
    person = UserFactory(email="lead@example.mn", full_name="Safeguarding Lead")
    person.groups.add(Group.objects.get(name=roles.SAFEGUARDING_LEADS))
    return person


def test_a_logged_session_keeps_the_plan_the_term_and_the_counts(kit, terms, club, trained):
    entry = data.log(
        club, trained, kit.sessions[2], YESTERDAY(), girls=7, boys=6, note="Role play went well."
    )
    assert (entry.lesson_key, entry.plan_index, entry.release_id) == (
        kit.sessions[2].lesson_key,
        1,
        kit.course.release.pk,
    )
    assert entry.term == terms.current and entry.attended == 13
    assert AuditEvent.objects.filter(action="session.logged", object_id=str(entry.pk)).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"held_on": "tomorrow"}, "held_on"),  # resolved when the test runs, not when collected
        ({"girls": 0, "boys": 0}, "girls"),
        ({"girls": 15, "boys": 6}, "girls"),  # 21 attended, the club has 20 members
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"girls": 301}, "girls"),
        ({"note": "Her mother's phone is 9911 2233"}, "note"),
    ],
)
def test_impossible_sessions_are_refused_with_the_field_to_fix(kit, club, trained, change, field):
    values = {"held_on": YESTERDAY(), "girls": 5, "boys": 5, **change}
    if values["held_on"] == "tomorrow":
        values["held_on"] = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(DeliveryError) as refused:
        data.log(club, trained, kit.sessions[0], values.pop("held_on"), **values)
    assert refused.value.field == field
    assert SessionLog.objects.count() == 0


def test_a_day_no_term_covers_is_refused(kit, terms, school, trained):
    from lms.delivery.models import Term

    today = timezone.localdate()
    old = Term.objects.create(
        name_mn="Хуучин",
        name_en="Old",
        start=today - dt.timedelta(days=400),
        end=today - dt.timedelta(days=370),
    )
    club = data.club(kit, trained, school, old, members={"girls_12_14": 3})
    with pytest.raises(DeliveryError, match="No school term"):
        data.log(club, trained, kit.sessions[0], today - dt.timedelta(days=300), girls=1, boys=1)


def test_the_same_session_on_the_same_day_is_logged_once(kit, club, trained):
    data.log(club, trained, kit.sessions[0], YESTERDAY())
    with pytest.raises(DeliveryError, match="already logged"):
        data.log(club, trained, kit.sessions[0], YESTERDAY())
    data.log(club, trained, kit.sessions[1], YESTERDAY())  # another session that day is fine
    assert SessionLog.objects.count() == 2


def test_a_safeguarding_flag_emails_the_lead_without_the_note(
    kit, club, trained, lead, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.SAFEGUARDING_ALERT_EMAILS = ["desk@example.mn"]
    with django_capture_on_commit_callbacks(execute=True):
        entry = data.log(
            club,
            trained,
            kit.sessions[0],
            YESTERDAY(),
            note="The discussion on trust was hard.",
            safeguarding_concern=True,
        )
    alert = SafeguardingAlert.objects.get(session=entry)
    assert alert.emailed_at is not None and alert.status == SafeguardingAlert.Status.OPEN
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["lead@example.mn", "desk@example.mn"]
    assert trained.email in message.body and str(club) in message.body
    assert "trust" not in message.body  # the note stays in the log
    assert "108" in message.body
    assert " / " in message.subject  # Mongolian and English
    assert tasks.safeguarding_alert_email(alert.pk) is False  # safe to run twice
    assert len(mailoutbox) == 1


def test_with_nobody_to_tell_the_alert_waits_for_the_sweep(
    kit, club, trained, mailoutbox, site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry = data.log(club, trained, kit.sessions[0], YESTERDAY(), safeguarding_concern=True)
    alert = entry.alert
    assert alert.emailed_at is None and mailoutbox == []
    lead = UserFactory(email="late-lead@example.mn")
    lead.groups.add(Group.objects.get(name=roles.SAFEGUARDING_LEADS))
    SafeguardingAlert.objects.filter(pk=alert.pk).update(raised_at=timezone.now() - dt.timedelta(minutes=5))
    assert tasks.safeguarding_alerts_sweep() == 1
    assert [m.to for m in mailoutbox] == [["late-lead@example.mn"]]
    assert tasks.safeguarding_alerts_sweep() == 0


def test_an_alert_stays_once_raised(kit, club, trained, lead):
    entry = data.log(club, trained, kit.sessions[0], YESTERDAY(), safeguarding_concern=True)
    with pytest.raises(DeliveryError, match="stays"):
        session_services.session_log_delete(log=entry, by=trained)
    session_services.session_log_update(
        log=entry,
        by=trained,
        session=kit.sessions[0],
        held_on=YESTERDAY(),
        duration_minutes=45,
        girls=5,
        boys=5,
    )
    entry.refresh_from_db()
    assert entry.safeguarding_concern and entry.duration_minutes == 45
    assert SafeguardingAlert.objects.count() == 1


def test_flagging_a_logged_session_later_raises_the_alert(
    kit, club, trained, lead, mailoutbox, django_capture_on_commit_callbacks
):
    entry = data.log(club, trained, kit.sessions[0], YESTERDAY())
    with django_capture_on_commit_callbacks(execute=True):
        session_services.session_log_update(
            log=entry,
            by=trained,
            session=kit.sessions[0],
            held_on=YESTERDAY(),
            duration_minutes=60,
            girls=5,
            boys=5,
            safeguarding_concern=True,
        )
    assert SafeguardingAlert.objects.filter(session=entry).exists() and len(mailoutbox) == 1


def test_the_lead_follows_up_in_the_admin(client, kit, club, trained, lead):
    from tests.factories import with_two_factor

    entry = data.log(club, trained, kit.sessions[0], YESTERDAY(), safeguarding_concern=True)
    with_two_factor(lead)
    client.force_login(lead)
    page = client.get(reverse("delivery_admin:alerts"))
    assert page.status_code == 200 and trained.email.encode() in page.content
    assert client.post(reverse("delivery_admin:alert_follow_up", args=[entry.alert.pk])).status_code == 302
    entry.alert.refresh_from_db()
    assert entry.alert.status == SafeguardingAlert.Status.FOLLOWED_UP and entry.alert.followed_up_by == lead
    with pytest.raises(DeliveryError):
        alert_services.alert_follow_up(alert=entry.alert, by=lead)
    # The lead sees alerts, not the programme's figures.
    assert client.get(reverse("delivery_admin:report")).status_code == 403


def test_log_page_on_a_phone_in_one_post(client, kit, club, trained):
    client.force_login(trained)
    page = client.get(reverse("delivery:session_new", args=[club.pk]))
    assert page.status_code == 200
    assert b'id="session-durations"' in page.content
    response = client.post(
        reverse("delivery:session_new", args=[club.pk]),
        {
            "session": kit.sessions[1].key,
            "held_on": YESTERDAY().isoformat(),
            "duration_minutes": "60",
            "girls": "8",
            "boys": "9",
            "note": "",
        },
    )
    assert response.status_code == 302
    entry = SessionLog.objects.get()
    assert (entry.girls, entry.boys, entry.plan_index) == (8, 9, 0)
    again = client.post(
        reverse("delivery:session_new", args=[club.pk]),
        {
            "session": "1:not-a-key",
            "held_on": "yesterday",
            "duration_minutes": "sixty",
            "girls": "",
            "boys": "-1",
        },
    )
    assert again.status_code == 400
    assert set(again.context["form"].errors) >= {"session", "held_on", "duration_minutes", "girls", "boys"}
    assert SessionLog.objects.count() == 1


def test_a_session_from_another_kit_is_refused(client, kit, club, trained, site):
    other = data.build_kit(slug="other-kit", name="Voice Up")
    client.force_login(trained)
    response = client.post(
        reverse("delivery:session_new", args=[club.pk]),
        {
            "session": other.sessions[0].key,
            "held_on": YESTERDAY().isoformat(),
            "duration_minutes": "60",
            "girls": "1",
            "boys": "1",
        },
    )
    assert response.status_code == 400 and "session" in response.context["form"].errors

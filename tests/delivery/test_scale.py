"""generate_scale_data, extended with club delivery: consistent clubs, sessions and meetings that
the report counts, removed with the people."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from lms.delivery.models import Club, ClubMembership, MeetingParticipant, ReviewMeeting, SessionLog
from lms.delivery.selectors.report import DeliveryFilters, delivery_figures
from lms.reports.scale import DOMAIN

from . import data


def test_scale_clubs_sessions_and_meetings_are_consistent(site, capsys):
    data.build_kit(slug="smart-navigator")
    data.terms()
    call_command(
        "generate_scale_data",
        "--learners",
        "150",
        "--clubs",
        "8",
        "--sessions",
        "120",
        "--meetings",
        "4",
        "--seed",
        "3",
    )
    assert "club delivery: 8 clubs" in capsys.readouterr().out
    clubs = Club.objects.all()
    assert clubs.count() == 8 and not clubs.exclude(facilitator__email__endswith="@" + DOMAIN).exists()
    sessions = SessionLog.objects.all()
    assert 100 <= sessions.count() <= 120
    assert not sessions.filter(held_on__lt=F("term__start")).exists()
    assert not sessions.filter(held_on__gt=F("term__end")).exists()
    assert not sessions.filter(held_on__lt=F("club__first_term__start")).exists()
    # Every session's club has its membership for the term, and no more children came than it has.
    members = {(m.club_id, m.term_id): m.total for m in ClubMembership.objects.all()}
    for entry in sessions:
        assert entry.attended <= members[(entry.club_id, entry.term_id)]
    total, _rows = delivery_figures(DeliveryFilters())
    pairs = set(sessions.values_list("club", "term"))
    assert total.children == sum(members[pair] for pair in pairs)
    assert total.sessions == sessions.count() and total.missing_membership == 0
    assert ReviewMeeting.objects.count() == 4 and total.meetings_held == 4
    assert total.meeting_attendances == MeetingParticipant.objects.filter(attended_at__isnull=False).count()

    with pytest.raises(CommandError, match="already here"):
        call_command("generate_scale_data", "--delivery-only", "--clubs", "2")
    call_command("generate_scale_data", "--remove")
    assert (
        not Club.objects.exists() and not SessionLog.objects.exists() and not ReviewMeeting.objects.exists()
    )


def test_without_a_kit_the_learners_are_made_and_club_delivery_is_skipped(site, capsys):
    from tests.factories import build_course

    build_course(lessons=2, slug="not-a-kit")
    call_command("generate_scale_data", "--learners", "20")
    assert "club delivery skipped" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No club kit"):
        call_command("generate_scale_data", "--delivery-only")

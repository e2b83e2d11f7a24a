"""`make run`'s club delivery demo: made once, on the shipped Smart Navigator, in demo mode only."""

import pytest
from django.core.management import CommandError, call_command

from curricula.loader import curricula_load
from lms.delivery.models import Club, MeetingParticipant, ReviewMeeting, SessionLog
from lms.delivery.selectors.report import DeliveryFilters, delivery_figures


def test_the_demo_is_made_once_and_only_in_demo_mode(site, settings, capsys):
    with pytest.raises(CommandError, match="demo mode"):
        call_command("create_delivery_demo")
    settings.DEMO_MODE = True
    call_command("create_demo_accounts")
    with pytest.raises(CommandError, match="load_curricula"):
        call_command("create_delivery_demo")
    curricula_load(only=["smart-navigator"])
    call_command("create_delivery_demo")
    clubs = Club.objects.filter(facilitator__email="facilitator@demo.cpclearn.mn")
    assert clubs.count() == 2
    assert clubs.filter(co_facilitators__email="teacher@demo.cpclearn.mn").count() == 1
    sessions = SessionLog.objects.count()
    assert sessions >= 5
    held = ReviewMeeting.objects.filter(minutes__gt="").get()
    assert MeetingParticipant.objects.filter(meeting=held, attended_at__isnull=False).count() == 1
    total, _rows = delivery_figures(DeliveryFilters())
    assert total.children > 0 and total.meetings_held == 1 and total.missing_membership == 0
    call_command("create_delivery_demo")
    assert "already there" in capsys.readouterr().out
    assert Club.objects.count() == 2 and SessionLog.objects.count() == sessions

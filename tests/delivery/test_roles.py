"""Facilitators see and change only their clubs; co-facilitators share them; managers see all;
everyone else gets nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.accounts import roles
from lms.delivery.models import SessionLog
from tests.factories import UserFactory, staff_client

from . import data


@pytest.fixture
def clubs(kit, terms, school, trained):
    """Two facilitators, each with a club; the second shares hers with a colleague."""
    other = data.facilitator(kit, "other@example.mn", full_name="Other Facilitator")
    colleague = UserFactory(email="colleague@example.mn", full_name="Colleague")
    mine = data.club(kit, trained, school, terms.current)
    theirs = data.club(kit, other, data.place("School 2"), terms.current, co=[colleague])
    entry = data.log(theirs, other, kit.sessions[0], timezone.localdate() - dt.timedelta(days=1))
    return mine, theirs, other, colleague, entry


def _pages(club, entry):
    return [
        reverse("delivery:club", args=[club.pk]),
        reverse("delivery:club_edit", args=[club.pk]),
        reverse("delivery:membership", args=[club.pk]),
        reverse("delivery:session_new", args=[club.pk]),
        reverse("delivery:session_edit", args=[club.pk, entry.pk]),
    ]


def test_a_facilitator_never_sees_another_facilitators_club(client, clubs, trained):
    mine, theirs, _other, _colleague, entry = clubs
    client.force_login(trained)
    home = client.get(reverse("delivery:home"))
    assert [c.pk for c in home.context["clubs"]] == [mine.pk]
    for url in _pages(theirs, entry):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("delivery:session_delete", args=[theirs.pk, entry.pk])).status_code == 404
    assert (
        client.post(reverse("delivery:club_status", args=[theirs.pk]), {"action": "close"}).status_code == 404
    )
    # Another club's session under my club's address is not found either.
    assert client.get(reverse("delivery:session_edit", args=[mine.pk, entry.pk])).status_code == 404
    assert SessionLog.objects.filter(pk=entry.pk).exists()


def test_a_co_facilitator_shares_the_club(client, kit, clubs):
    _mine, theirs, _other, colleague, entry = clubs
    client.force_login(colleague)
    assert [c.pk for c in client.get(reverse("delivery:home")).context["clubs"]] == [theirs.pk]
    for url in _pages(theirs, entry):
        assert client.get(url).status_code == 200, url
    response = client.post(
        reverse("delivery:session_new", args=[theirs.pk]),
        {
            "session": kit.sessions[1].key,
            "held_on": timezone.localdate().isoformat(),
            "duration_minutes": "50",
            "girls": "3",
            "boys": "4",
        },
    )
    assert response.status_code == 302
    assert SessionLog.objects.filter(club=theirs, logged_by=colleague).exists()


def test_managers_see_every_club_in_the_admin_but_change_none(client, clubs):
    mine, theirs, _other, _colleague, entry = clubs
    manager = staff_client(roles.MANAGERS)
    listing = manager.get(reverse("delivery_admin:clubs"))
    assert listing.status_code == 200
    assert {c.pk for c in listing.context["page_obj"]} == {mine.pk, theirs.pk}
    assert manager.get(reverse("delivery_admin:club", args=[theirs.pk])).status_code == 200
    assert manager.get(reverse("delivery_admin:report")).status_code == 200
    assert manager.get(reverse("delivery_admin:meetings")).status_code == 200
    assert (
        manager.get(reverse("delivery:club_edit", args=[theirs.pk])).status_code == 404
    )  # not theirs to change


def test_people_without_the_permission_get_a_403_in_the_admin(clubs, trained):
    learner = staff_client(roles.LEARNERS)
    editor = staff_client(roles.EDITORS)
    for client in (learner, editor):
        for name in ("report", "clubs", "meetings", "alerts", "meeting_new"):
            assert client.get(reverse(f"delivery_admin:{name}")).status_code == 403, name


def test_signed_out_visitors_are_sent_to_sign_in(client, clubs):
    mine, *_rest = clubs
    for url in (
        reverse("delivery:home"),
        reverse("delivery:club", args=[mine.pk]),
        reverse("delivery:check_in"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("delivery_admin:report")).status_code == 302  # the admin's own sign-in

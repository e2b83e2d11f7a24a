"""Registering clubs and recording their membership, through the services and the facilitators' pages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.accounts.models import AuditEvent, Organisation
from lms.delivery.errors import DeliveryError, NotAllowed, NotFound
from lms.delivery.models import Club, ClubMembership
from lms.delivery.services import clubs as club_services
from tests.factories import UserFactory

from . import data


def test_only_a_facilitator_who_completed_the_kit_course_registers_a_club(kit, terms, school):
    untrained = UserFactory(email="untrained@example.mn")
    with pytest.raises(NotAllowed):
        data.club(kit, untrained, school, terms.current)
    assert Club.objects.count() == 0


def test_a_registered_club_takes_its_district_from_the_school_and_is_audited(kit, terms, school, trained):
    colleague = UserFactory(email="colleague@example.mn")
    club = data.club(kit, trained, school, terms.current, co=[colleague, trained])
    assert club.region == school.region
    assert list(club.co_facilitators.all()) == [colleague]  # the facilitator is not their own co-facilitator
    assert club.memberships.get(term=terms.current).total == 20
    actions = list(
        AuditEvent.objects.filter(object_type="delivery.club", object_id=str(club.pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["club.membership_recorded", "club.registered"]


def test_clubs_run_in_schools_and_tvet_centres_of_the_chosen_district(kit, terms, school, trained):
    police = data.place("Police", kind=Organisation.Kind.POLICE)
    with pytest.raises(DeliveryError) as refused:
        data.club(kit, trained, police, terms.current)
    assert refused.value.field == "organisation"
    other_district = data.place("School 2", region_code="chingeltei")
    with pytest.raises(DeliveryError):
        club_services.club_register(
            facilitator=trained,
            kit=kit.kit,
            organisation=other_district,
            region=school.region,
            first_term=terms.current,
        )


def test_two_clubs_of_a_kit_at_one_school_are_numbered(kit, terms, school, trained):
    first = data.club(kit, trained, school, terms.current)
    second = data.club(kit, trained, school, terms.current)
    assert (first.number, second.number) == (1, 2)
    assert str(second).endswith("· 2")


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({}, "at least one group"),
        ({"girls_12_14": 501}, "0 to 500"),
        ({"girls_12_14": 300, "boys_12_14": 300}, "more than a club can have"),
        ({"girls_12_14": -1}, "0 to 500"),
    ],
)
def test_membership_counts_are_checked(kit, terms, school, trained, counts, message):
    club = data.club(kit, trained, school, terms.current)
    with pytest.raises(DeliveryError, match=message):
        club_services.membership_record(club=club, term=terms.current, counts=counts, by=trained)
    assert club.memberships.get(term=terms.current).total == 20  # unchanged


def test_membership_is_one_row_per_club_and_term_and_a_future_term_is_refused(kit, terms, school, trained):
    club = data.club(kit, trained, school, terms.previous)
    club_services.membership_record(club=club, term=terms.current, counts={"boys_15_17": 12}, by=trained)
    club_services.membership_record(club=club, term=terms.current, counts={"boys_15_17": 14}, by=trained)
    assert ClubMembership.objects.filter(club=club, term=terms.current).get().total == 14
    with pytest.raises(DeliveryError, match="not started"):
        club_services.membership_record(club=club, term=terms.next, counts={"boys_15_17": 1}, by=trained)


def test_register_page_and_form(client, kit, terms, school, trained):
    client.force_login(trained)
    page = client.get(reverse("delivery:register"))
    assert page.status_code == 200
    assert b'name="show_schools"' in page.content
    # "Show its schools" re-draws the form with the district's schools, saving nothing.
    shown = client.post(reverse("delivery:register"), {"region": school.region_id, "show_schools": "1"})
    assert shown.status_code == 200
    assert f'value="{school.pk}"'.encode() in shown.content
    assert Club.objects.count() == 0
    response = client.post(
        reverse("delivery:register"),
        {
            "kit": kit.kit.pk,
            "region": school.region_id,
            "organisation": school.pk,
            "first_term": terms.current.pk,
            "co_facilitators": "",
            "girls_12_14": "7",
            "boys_12_14": "8",
        },
    )
    club = Club.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("delivery:club", args=[club.pk])
    assert club.memberships.get().total == 15


def test_register_form_answers_bad_input_with_a_400_and_the_reason(client, kit, terms, school, trained):
    client.force_login(trained)
    response = client.post(
        reverse("delivery:register"),
        {
            "kit": kit.kit.pk,
            "region": school.region_id,
            "organisation": school.pk,
            "first_term": terms.current.pk,
            "co_facilitators": "nobody@example.mn, not-an-address",
            "girls_12_14": "x",
        },
    )
    assert response.status_code == 400
    assert Club.objects.count() == 0
    form = response.context["form"]
    assert "co_facilitators" in form.errors and "girls_12_14" in form.errors


def test_someone_not_trained_is_told_how_to_become_a_facilitator(client, site):
    client.force_login(UserFactory(email="learner@example.mn"))
    assert client.get(reverse("delivery:register")).status_code == 403
    home = client.get(reverse("delivery:home"))
    assert home.status_code == 200 and home.context["kits"] == []


def test_closing_and_reopening_a_club(client, kit, terms, school, trained):
    club = data.club(kit, trained, school, terms.current)
    client.force_login(trained)
    assert (
        client.post(reverse("delivery:club_status", args=[club.pk]), {"action": "close"}).status_code == 302
    )
    club.refresh_from_db()
    assert club.status == Club.Status.CLOSED and club.closed_on == timezone.localdate()
    assert client.get(reverse("delivery:session_new", args=[club.pk])).status_code == 409
    with pytest.raises(DeliveryError, match="closed"):
        data.log(club, trained, kit.sessions[0], timezone.localdate())
    assert (
        client.post(reverse("delivery:club_status", args=[club.pk]), {"action": "explode"}).status_code == 400
    )
    assert (
        client.post(reverse("delivery:club_status", args=[club.pk]), {"action": "reopen"}).status_code == 302
    )
    club.refresh_from_db()
    assert club.is_active


def test_club_changes_are_audited_with_what_changed(kit, terms, school, trained):
    club = data.club(kit, trained, school, terms.current)
    colleague = UserFactory(email="colleague@example.mn")
    club_services.club_update(
        club=club,
        by=trained,
        organisation=school,
        region=None,
        first_term=terms.previous,
        co_facilitators=[colleague],
    )
    event = AuditEvent.objects.get(action="club.changed")
    assert set(event.details) == {"first_term", "co_facilitators"}
    assert event.details["co_facilitators"] == [[], [colleague.pk]]
    stranger = UserFactory(email="stranger@example.mn")
    with pytest.raises(NotFound):
        club_services.club_update(
            club=club, by=stranger, organisation=school, region=None, first_term=terms.current
        )


def test_day_before_the_first_term_is_refused(kit, terms, school, trained):
    club = data.club(kit, trained, school, terms.current)
    with pytest.raises(DeliveryError, match="before it"):
        data.log(club, trained, kit.sessions[0], terms.current.start - dt.timedelta(days=1))

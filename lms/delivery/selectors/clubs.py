"""Clubs, terms, memberships and session logs as facilitators and managers read them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from lms.accounts.models import Organisation

from ..models import Club, ClubMembership, SessionLog, Term
from . import access, catalogue

# Clubs run in schools and TVET centres (the organisation list decides which exist).
CLUB_ORGANISATION_KINDS = (Organisation.Kind.SCHOOL, Organisation.Kind.TVET)


def term_for(day: dt.date) -> Term | None:
    return Term.objects.filter(start__lte=day, end__gte=day).first()


def current_term() -> Term | None:
    return term_for(timezone.localdate())


def terms_until_today() -> QuerySet[Term]:
    """Terms a membership can be recorded for: the ones that have started."""
    return Term.objects.filter(start__lte=timezone.localdate()).order_by("-start")


def club_organisations(region=None) -> QuerySet[Organisation]:
    organisations = Organisation.objects.filter(kind__in=CLUB_ORGANISATION_KINDS).select_related("region")
    if region is not None:
        organisations = organisations.filter(region=region)
    return organisations.order_by("name_mn")


def _with_facts(clubs: QuerySet[Club]) -> QuerySet[Club]:
    return (
        clubs.select_related("kit", "organisation", "region", "facilitator", "first_term")
        .prefetch_related("co_facilitators")
        .annotate(session_count=Count("sessions", distinct=True), last_session=Max("sessions__held_on"))
    )


def clubs_for_user(user) -> list[Club]:
    """The clubs a facilitator runs (led or shared), running ones first."""
    return list(_with_facts(access.clubs_of(user)).order_by("status", "kit__sort_order", "created_at"))


def all_clubs(*, kit=None, region=None, status: str = "") -> QuerySet[Club]:
    """Every club, for managers (filters optional)."""
    clubs = Club.objects.all()
    if kit is not None:
        clubs = clubs.filter(kit=kit)
    if region is not None:
        clubs = clubs.filter(region=region)
    if status:
        clubs = clubs.filter(status=status)
    return _with_facts(clubs).order_by(
        "kit__sort_order", "region__name_mn", "organisation__name_mn", "number"
    )


@dataclass
class LoggedSession:
    log: SessionLog
    session: catalogue.KitSession | None

    @property
    def title(self) -> str:
        return self.session.label if self.session else "–"


def sessions_with_titles(logs) -> list[LoggedSession]:
    logs = list(logs)
    lookup = catalogue.session_lookup(log.release_id for log in logs)
    return [LoggedSession(log, lookup.get((log.release_id, log.lesson_key, log.plan_index))) for log in logs]


@dataclass
class ClubPage:
    club: Club
    memberships: list[ClubMembership]
    current_membership: ClubMembership | None
    current_term: Term | None
    sessions: list[LoggedSession]
    session_count: int
    sessions_delivered: int  # distinct session plans delivered at least once
    sessions_in_kit: int


def club_page(club: Club, *, recent: int = 20) -> ClubPage:
    """What a club's page shows: membership per term, the latest sessions, coverage of the kit."""
    term = current_term()
    memberships = list(club.memberships.select_related("term").order_by("-term__start"))
    logs = (
        SessionLog.objects.filter(club=club)
        .select_related("term", "alert")
        .order_by("-held_on", "-logged_at")
    )
    delivered = {
        (lesson_key, index)
        for lesson_key, index in SessionLog.objects.filter(club=club).values_list("lesson_key", "plan_index")
    }
    sessions = catalogue.kit_sessions(club.kit)
    return ClubPage(
        club=club,
        memberships=memberships,
        current_membership=next((m for m in memberships if term and m.term_id == term.pk), None),
        current_term=term,
        sessions=sessions_with_titles(logs[:recent]),
        session_count=logs.count(),
        sessions_delivered=sum(1 for s in sessions if (s.lesson_key, s.plan_index) in delivered),
        sessions_in_kit=len(sessions),
    )


def membership_for(club: Club, term: Term) -> ClubMembership | None:
    return ClubMembership.objects.filter(club=club, term=term).first()

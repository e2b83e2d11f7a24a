"""Registering and changing clubs, and recording their membership per term (counts only)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.accounts.models import Organisation, Region, User
from lms.accounts.services import audit_record

from ..errors import DeliveryError, NotAllowed, NotFound
from ..models import MAX_CLUB_MEMBERS, MEMBERSHIP_FIELDS, Club, ClubMembership, Kit, Term
from ..selectors import access
from ..selectors.clubs import CLUB_ORGANISATION_KINDS


def _check_place(organisation: Organisation, region: Region | None) -> None:
    if organisation.kind not in CLUB_ORGANISATION_KINDS:
        raise DeliveryError(
            _("Clubs run in schools and TVET centres: choose one of them."), field="organisation"
        )
    if region is not None and organisation.region_id != region.pk:
        raise DeliveryError(
            _("%(organisation)s is in %(region)s: choose that district or another school.")
            % {"organisation": organisation.name, "region": organisation.region.name},
            field="organisation",
        )


def _check_co_facilitators(co_facilitators, lead) -> list[User]:
    people = []
    for person in co_facilitators:
        if person.pk == lead.pk:
            continue  # the facilitator is not their own co-facilitator
        if not person.is_active:
            raise DeliveryError(
                _("%(person)s cannot sign in any more and cannot share the club.") % {"person": person},
                field="co_facilitators",
            )
        people.append(person)
    return people


def _next_number(kit: Kit, organisation: Organisation) -> int:
    highest = Club.objects.filter(kit=kit, organisation=organisation).aggregate(n=Max("number"))["n"]
    return (highest or 0) + 1


def club_register(
    *,
    facilitator: User,
    kit: Kit,
    organisation: Organisation,
    region: Region | None,
    first_term: Term,
    co_facilitators=(),
    membership: dict[str, int] | None = None,
) -> Club:
    """Register a club run by a facilitator trained on the kit; optionally with its first membership."""
    if kit not in access.kits_for_registration(facilitator):
        raise NotAllowed(_("You can register a club for a kit once you have completed its course."))
    _check_place(organisation, region)
    people = _check_co_facilitators(co_facilitators, facilitator)
    now = timezone.now()
    for _attempt in range(3):  # two registrations at one school at once: the loser takes the next number
        try:
            with transaction.atomic():
                club = Club.objects.create(
                    kit=kit,
                    organisation=organisation,
                    region=organisation.region,
                    facilitator=facilitator,
                    first_term=first_term,
                    number=_next_number(kit, organisation),
                    created_at=now,
                    updated_at=now,
                )
                club.co_facilitators.set(people)
                audit_record(
                    action="club.registered",
                    actor=facilitator,
                    obj=club,
                    kit=kit.name_mn,
                    organisation=organisation.name_mn,
                    first_term=first_term.name_mn,
                    co_facilitators=[p.pk for p in people],
                )
                if membership is not None:
                    membership_record(club=club, term=first_term, counts=membership, by=facilitator)
                return club
        except IntegrityError:
            continue
    raise DeliveryError(_("The club could not be registered just now. Please try again."))


def _require_runner(club: Club, by: User) -> None:
    if not access.may_change_club(by, club):
        raise NotFound()


@transaction.atomic
def club_update(
    *,
    club: Club,
    by: User,
    organisation: Organisation,
    region: Region | None,
    first_term: Term,
    co_facilitators=(),
) -> Club:
    """Change where a club runs, its first term and who shares it (its kit stays: sessions follow it)."""
    _require_runner(club, by)
    _check_place(organisation, region)
    people = _check_co_facilitators(co_facilitators, club.facilitator)
    before = {
        "organisation": club.organisation.name_mn,
        "first_term": club.first_term.name_mn,
        "co_facilitators": sorted(club.co_facilitators.values_list("pk", flat=True)),
    }
    if organisation.pk != club.organisation_id:
        club.number = _next_number(club.kit, organisation)
    club.organisation, club.region, club.first_term = organisation, organisation.region, first_term
    club.updated_at = timezone.now()
    club.save(update_fields=["organisation", "region", "first_term", "number", "updated_at"])
    club.co_facilitators.set(people)
    after = {
        "organisation": organisation.name_mn,
        "first_term": first_term.name_mn,
        "co_facilitators": sorted(p.pk for p in people),
    }
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changed:
        audit_record(action="club.changed", actor=by, obj=club, **changed)
    return club


@transaction.atomic
def club_close(*, club: Club, by: User, closed_on=None) -> Club:
    """A club that stopped meeting: it stays in the reports for the terms it ran."""
    _require_runner(club, by)
    if not club.is_active:
        raise DeliveryError(_("This club is already closed."))
    club.status, club.closed_on = Club.Status.CLOSED, closed_on or timezone.localdate()
    club.updated_at = timezone.now()
    club.save(update_fields=["status", "closed_on", "updated_at"])
    audit_record(action="club.closed", actor=by, obj=club, closed_on=club.closed_on.isoformat())
    return club


@transaction.atomic
def club_reopen(*, club: Club, by: User) -> Club:
    _require_runner(club, by)
    if club.is_active:
        raise DeliveryError(_("This club is already running."))
    club.status, club.closed_on, club.updated_at = Club.Status.ACTIVE, None, timezone.now()
    club.save(update_fields=["status", "closed_on", "updated_at"])
    audit_record(action="club.reopened", actor=by, obj=club)
    return club


def _clean_counts(counts: dict[str, int]) -> dict[str, int]:
    cleaned = {}
    for name in MEMBERSHIP_FIELDS:
        value = counts.get(name) or 0
        if not isinstance(value, int) or value < 0 or value > MAX_CLUB_MEMBERS:
            raise DeliveryError(
                _("Each count is a whole number from 0 to %(most)s.") % {"most": MAX_CLUB_MEMBERS}, field=name
            )
        cleaned[name] = value
    total = sum(cleaned.values())
    if total == 0:
        raise DeliveryError(_("Give the number of children in at least one group."))
    if total > MAX_CLUB_MEMBERS:
        raise DeliveryError(
            _("%(total)s children is more than a club can have (at most %(most)s): check the numbers.")
            % {"total": total, "most": MAX_CLUB_MEMBERS}
        )
    return cleaned


@transaction.atomic
def membership_record(*, club: Club, term: Term, counts: dict[str, int], by: User) -> ClubMembership:
    """Record (or correct) how many children a club has in a term, by sex and age band."""
    _require_runner(club, by)
    cleaned = _clean_counts(counts)
    if term.start > timezone.localdate():
        raise DeliveryError(_("This term has not started yet."), field="term")
    if term.end < club.first_term.start:
        raise DeliveryError(_("The club was not running yet in this term."), field="term")
    existing = ClubMembership.objects.select_for_update().filter(club=club, term=term).first()
    before = {name: getattr(existing, name) for name in MEMBERSHIP_FIELDS} if existing else None
    membership, _created = ClubMembership.objects.update_or_create(
        club=club, term=term, defaults={**cleaned, "recorded_by": by, "updated_at": timezone.now()}
    )
    if before != cleaned:
        audit_record(
            action="club.membership_recorded",
            actor=by,
            obj=club,
            term=term.name_mn,
            total=membership.total,
            before_total=sum(before.values()) if before else None,
        )
    return membership

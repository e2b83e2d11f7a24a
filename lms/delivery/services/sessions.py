"""Logging the sessions a club delivers: counts of who came, a short note, a safeguarding flag."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.accounts.models import User
from lms.accounts.services import audit_record

from ..errors import Conflict, DeliveryError, NotFound
from ..models import Club, ClubMembership, SessionLog
from ..privacy import refuse_contact_details
from ..selectors import access
from ..selectors.catalogue import KitSession
from ..selectors.clubs import term_for
from . import alerts

MAX_ATTENDANCE = 300  # per sex and session: more is a typing mistake
DURATION_RANGE = (10, 480)  # minutes


def _check(
    *,
    club: Club,
    session: KitSession,
    held_on: dt.date,
    duration_minutes: int,
    girls: int,
    boys: int,
    note: str,
):
    if session is None or session.release_id is None:
        raise DeliveryError(_("Choose a session of the kit from the list."), field="session")
    if held_on > timezone.localdate():
        raise DeliveryError(
            _("The date is in the future: log a session once it has taken place."), field="held_on"
        )
    if held_on < club.first_term.start:
        raise DeliveryError(
            _("The club starts in %(term)s: this date is before it.") % {"term": club.first_term.name},
            field="held_on",
        )
    if club.closed_on and held_on > club.closed_on:
        raise DeliveryError(_("The club was closed on this date."), field="held_on")
    term = term_for(held_on)
    if term is None:
        raise DeliveryError(
            _("No school term covers this date. Ask the programme team to add the term."), field="held_on"
        )
    low, high = DURATION_RANGE
    if not low <= duration_minutes <= high:
        raise DeliveryError(
            _("A session lasts from %(low)s to %(high)s minutes.") % {"low": low, "high": high},
            field="duration_minutes",
        )
    for name, value in (("girls", girls), ("boys", boys)):
        if value < 0 or value > MAX_ATTENDANCE:
            raise DeliveryError(_("Give a number from 0 to %(most)s.") % {"most": MAX_ATTENDANCE}, field=name)
    if girls + boys == 0:
        raise DeliveryError(_("Give how many girls and boys attended (at least one child)."), field="girls")
    membership = ClubMembership.objects.filter(club=club, term=term).first()
    if membership is not None and girls + boys > membership.total:
        raise DeliveryError(
            _(
                "%(attended)s children attended, but the club has %(members)s members in %(term)s: "
                "correct the attendance, or update the membership first."
            )
            % {"attended": girls + boys, "members": membership.total, "term": term.name},
            field="girls",
        )
    try:
        refuse_contact_details(note)
    except ValidationError as error:
        raise DeliveryError(error.messages[0], field="note") from None
    return term


def session_log_create(
    *,
    club: Club,
    by: User,
    session: KitSession,
    held_on: dt.date,
    duration_minutes: int,
    girls: int,
    boys: int,
    needs_support: bool = False,
    note: str = "",
    safeguarding_concern: bool = False,
) -> SessionLog:
    """Log a session the club delivered; a safeguarding concern alerts the safeguarding lead."""
    if not access.may_change_club(by, club):
        raise NotFound()
    if not club.is_active:
        raise Conflict(_("This club is closed: reopen it to log sessions."))
    note = (note or "").strip()
    term = _check(
        club=club,
        session=session,
        held_on=held_on,
        duration_minutes=duration_minutes,
        girls=girls,
        boys=boys,
        note=note,
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            log = SessionLog.objects.create(
                club=club,
                term=term,
                release_id=session.release_id,
                lesson_key=session.lesson_key,
                plan_index=session.plan_index,
                held_on=held_on,
                duration_minutes=duration_minutes,
                girls=girls,
                boys=boys,
                needs_support=needs_support,
                note=note,
                safeguarding_concern=safeguarding_concern,
                logged_by=by,
                logged_at=now,
                updated_at=now,
            )
            audit_record(
                action="session.logged",
                actor=by,
                obj=log,
                club=club.pk,
                held_on=held_on.isoformat(),
                session=session.number,
                attended=girls + boys,
                safeguarding_concern=safeguarding_concern or None,
            )
            if safeguarding_concern:
                alerts.alert_raise(session=log, by=by)
    except IntegrityError:
        raise Conflict(
            _("This session is already logged for this date. Open it from the club's page to correct it."),
            field="session",
        ) from None
    return log


def session_log_update(
    *,
    log: SessionLog,
    by: User,
    session: KitSession,
    held_on: dt.date,
    duration_minutes: int,
    girls: int,
    boys: int,
    needs_support: bool = False,
    note: str = "",
    safeguarding_concern: bool = False,
) -> SessionLog:
    """Correct a logged session. A safeguarding alert, once raised, stays with the lead."""
    club = log.club
    if not access.may_change_club(by, club):
        raise NotFound()
    note = (note or "").strip()
    term = _check(
        club=club,
        session=session,
        held_on=held_on,
        duration_minutes=duration_minutes,
        girls=girls,
        boys=boys,
        note=note,
    )
    fields = {
        "term": term,
        "release_id": session.release_id,
        "lesson_key": session.lesson_key,
        "plan_index": session.plan_index,
        "held_on": held_on,
        "duration_minutes": duration_minutes,
        "girls": girls,
        "boys": boys,
        "needs_support": needs_support,
        "note": note,
    }
    had_alert = hasattr(log, "alert") if log.pk else False
    changed = [name for name, value in fields.items() if getattr(log, name) != value]
    raise_alert = safeguarding_concern and not log.safeguarding_concern and not had_alert
    if raise_alert:
        changed.append("safeguarding_concern")
        fields["safeguarding_concern"] = True
    if not changed:
        return log
    for name, value in fields.items():
        setattr(log, name, value)
    log.updated_at = timezone.now()
    try:
        with transaction.atomic():
            log.save(update_fields=[*fields, "updated_at"])
            audit_record(
                action="session.changed",
                actor=by,
                obj=log,
                club=club.pk,
                fields=sorted(name.removesuffix("_id") for name in changed),
            )
            if raise_alert:
                alerts.alert_raise(session=log, by=by)
    except IntegrityError:
        raise Conflict(
            _("This session is already logged for this date. Open it from the club's page to correct it."),
            field="session",
        ) from None
    return log


@transaction.atomic
def session_log_delete(*, log: SessionLog, by: User) -> None:
    """Remove a session logged by mistake (not one that raised a safeguarding alert)."""
    if not access.may_change_club(by, log.club):
        raise NotFound()
    if hasattr(log, "alert"):
        raise DeliveryError(
            _("This session raised a safeguarding alert, so it stays. Correct it instead."), field=None
        )
    audit_record(
        action="session.deleted",
        actor=by,
        obj=log,
        club=log.club_id,
        held_on=log.held_on.isoformat(),
        attended=log.attended,
    )
    log.delete()

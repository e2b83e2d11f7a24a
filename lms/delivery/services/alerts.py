"""Safeguarding alerts: a flag on a session reaches the programme's safeguarding lead by email and
in the admin. Nothing about the child is written: the lead calls the facilitator."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from lms import outbox
from lms.accounts.models import User
from lms.accounts.services import audit_record
from lms.queue import publish_on_commit

from ..errors import DeliveryError
from ..models import SafeguardingAlert, SessionLog
from ..selectors.alerts import alert_recipients

log = logging.getLogger(__name__)

SWEEP_AFTER = dt.timedelta(minutes=2)  # an alert's own task normally sends it at once


def alert_raise(*, session: SessionLog, by: User) -> SafeguardingAlert:
    """Raise the alert of a session (inside the caller's transaction); emailed after the commit."""
    alert = SafeguardingAlert.objects.create(session=session, raised_by=by, raised_at=timezone.now())
    audit_record(action="safeguarding.alert_raised", actor=by, obj=alert, club=session.club_id)
    alert_id = alert.pk
    # A broker outage must not lose the log: publish logs it and the sweep sends the email.
    publish_on_commit("delivery.safeguarding_alert_email", alert_id)
    return alert


def _email(alert: SafeguardingAlert, recipients: list[str]) -> EmailMessage:
    session = alert.session
    club = session.club
    parts, subjects = [], []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            context = {
                "alert": alert,
                "club": club,
                "session": session,
                "facilitator": alert.raised_by,
                "admin_url": settings.SITE_URL + reverse("delivery_admin:alerts"),
            }
            subjects.append(render_to_string("delivery/email/alert_subject.txt", context).strip())
            parts.append(render_to_string("delivery/email/alert_body.txt", context).strip())
    return EmailMessage(subject=" / ".join(subjects), body="\n\n— — —\n\n".join(parts), to=recipients)


def alert_email_send(*, alert_id: int) -> bool:
    """Email the safeguarding lead(s) about an alert, once; True when it was sent now.

    Safe to run twice: claimed, sent, then marked sent (``lms.outbox``), so an alert is never
    marked emailed unsent; a claim whose worker died is sent by the sweep after its lease. With
    nobody to tell, it stays unsent and the sweep tries again: the alert is in the admin meanwhile.
    """
    alert = (
        SafeguardingAlert.objects.select_related(
            "session",
            "session__club",
            "session__club__kit",
            "session__club__organisation",
            "session__club__region",
            "raised_by",
        )
        .filter(pk=alert_id)
        .first()
    )
    if alert is None or alert.emailed_at is not None:
        return False
    recipients = alert_recipients()
    if not recipients:
        log.error(
            "safeguarding alert %s: nobody receives safeguarding alerts (add someone to the "
            "Safeguarding leads group or set SAFEGUARDING_ALERT_EMAILS)",
            alert_id,
        )
        return False
    return outbox.send_once(
        model=SafeguardingAlert,
        pk=alert_id,
        sent_field="emailed_at",
        claimed_field="email_claimed_at",
        build=lambda: _email(alert, recipients),
    )


def alerts_unsent(now=None):
    """Alerts whose email was not sent and is not being sent, raised long enough ago that their own
    task had its chance."""
    now = now or timezone.now()
    return outbox.due(
        SafeguardingAlert.objects.filter(raised_at__lte=now - SWEEP_AFTER),
        sent_field="emailed_at",
        claimed_field="email_claimed_at",
    )


@transaction.atomic
def alert_follow_up(*, alert: SafeguardingAlert, by: User) -> SafeguardingAlert:
    """The lead contacted the facilitator and took it from there."""
    alert = SafeguardingAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == SafeguardingAlert.Status.FOLLOWED_UP:
        raise DeliveryError(_("This alert was already followed up."))
    alert.status, alert.followed_up_by, alert.followed_up_at = (
        SafeguardingAlert.Status.FOLLOWED_UP,
        by,
        timezone.now(),
    )
    alert.save(update_fields=["status", "followed_up_by", "followed_up_at"])
    audit_record(action="safeguarding.alert_followed_up", actor=by, obj=alert)
    return alert

"""Emails tied to a database row (a completion, a certificate), sent once even when workers die.

Each such row carries two timestamps: ``claimed`` (a lease: someone is sending it now) and ``sent``
(the mail server accepted it). Sending is

1. **claim**: one conditional UPDATE sets ``claimed`` when the email is not sent and nobody holds
   a live claim (none, or older than ``EMAIL_CLAIM_LEASE_SECONDS``). Of two workers, one wins;
2. **send** the message;
3. **mark**: set ``sent`` (and drop the claim). If sending fails, the claim is given back at once.

A worker that dies between 1 and 3 leaves a claim without a sent mark: once the lease expires,
the periodic sweep claims it again and sends it. The lease is longer than a task's hard time
limit, so a claim whose worker is still alive never expires under it.

The one window left: a worker that dies after the mail server accepted the message and before
step 3 is written. That email is sent a second time after the lease expires (at most one extra
copy per such crash). Nothing is ever marked sent without having been sent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Model, Q, QuerySet
from django.utils import timezone


def claim_lease() -> timedelta:
    return timedelta(seconds=settings.EMAIL_CLAIM_LEASE_SECONDS)


def unclaimed_q(claimed_field: str, now=None) -> Q:
    """Rows nobody is sending now: never claimed, or the claim's lease expired (its worker died)."""
    now = now or timezone.now()
    return Q(**{f"{claimed_field}__isnull": True}) | Q(**{f"{claimed_field}__lt": now - claim_lease()})


def due(queryset: QuerySet, *, sent_field: str, claimed_field: str) -> QuerySet:
    """The rows of ``queryset`` whose email is not sent and not being sent."""
    return queryset.filter(**{f"{sent_field}__isnull": True}).filter(unclaimed_q(claimed_field))


def send_once(
    *,
    model: type[Model],
    pk: int,
    sent_field: str,
    claimed_field: str,
    build: Callable[[], EmailMessage],
    only: Q | None = None,
) -> bool:
    """Claim the row's email, send what ``build`` makes, mark it sent; True when it was sent now.

    ``only`` narrows which rows may be sent at all (a completed enrolment, a valid certificate).
    A failure while building or sending gives the claim back and is raised to the caller.
    """
    now = timezone.now()
    rows = due(model.objects.filter(pk=pk), sent_field=sent_field, claimed_field=claimed_field)
    if only is not None:
        rows = rows.filter(only)
    if not rows.update(**{claimed_field: now}):
        return False
    try:
        build().send()
    except Exception:
        # Only our own claim is given back (not one another worker took after our lease expired).
        model.objects.filter(pk=pk, **{claimed_field: now}).update(**{claimed_field: None})
        raise
    model.objects.filter(pk=pk).update(**{sent_field: timezone.now(), claimed_field: None})
    return True

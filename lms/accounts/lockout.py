"""The sign-in lockout (django-axes), counted per account and per address separately.

Failures are counted twice: against the account that was named (from any address), and against
the address they came from (for any account). An account is locked after ``AXES_FAILURE_LIMIT``
failures, so one person's typos lock out nobody else behind the same address; an address is
locked after ``AXES_ADDRESS_FAILURE_LIMIT`` failures across all accounts, which stops password
stuffing from one place. Both unlock ``AXES_COOLOFF_TIME`` hours after the last failure.
"""

from __future__ import annotations

import ipaddress
import math

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# The fields a sign-in form or authenticate() call may name the account with: allauth passes
# `email` to authenticate(), its form posts `login`; Django's own forms use `username`.
ACCOUNT_FIELDS = ("email", "login", "username")


def username_from_credentials(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The account a sign-in attempt names, as one lower-case key (AXES_USERNAME_CALLABLE)."""
    sources = [credentials] if credentials else []
    sources.append(getattr(request, "POST", None) or {})
    for source in sources:
        for field in ACCOUNT_FIELDS:
            value = source.get(field)
            if isinstance(value, str) and value.strip():
                return value.strip().lower()
    return None


def client_address(request: HttpRequest) -> str | None:
    """The visitor's address (AXES_CLIENT_IP_CALLABLE): REMOTE_ADDR, or behind N reverse proxies
    (TRUSTED_PROXY_COUNT, set from the AXES_PROXY_COUNT variable) the address the outermost one
    saw, the N-th entry from the right of X-Forwarded-For. Entries further left were written by
    the visitor and are never trusted."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler with separate limits for the account and for the address."""

    def get_failures(self, request, credentials=None) -> int:
        """Failures that count against this attempt, on the account limit's scale.

        The account's own failures are returned as they are; when the address has reached its
        own (higher) limit, the result is raised to the account limit, so axes locks the attempt.
        """
        attempts = AccessAttempt.objects.all()
        if get_cool_off(request) is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        account = _failures(attempts.filter(username=username)) if username else 0
        address = _failures(attempts.filter(ip_address=request.axes_ip_address))
        if address >= address_failure_limit():
            return max(account, get_failure_limit(request, credentials))
        return account

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful sign-in forgives that account's failures only, never the address's:
        otherwise an attacker could clear the address count by signing in to their own account."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def address_failure_limit() -> int:
    return int(getattr(settings, "AXES_ADDRESS_FAILURE_LIMIT", 30))


def is_locked_out(request: HttpRequest, *, email: str) -> bool:
    """Whether sign-in to this account, from this request's address, is paused."""
    return not AxesProxyHandler.is_allowed(request, {"email": email})


def count_failure(request: HttpRequest, *, email: str) -> None:
    """Count a failed sign-in step that is not a password (a wrong two-factor code) against the
    account, through the same signal Django sends for a wrong password."""
    user_login_failed.send(sender=__name__, credentials={"email": email}, request=request)


def lockout_response(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """What a locked-out person sees (AXES_LOCKOUT_CALLABLE): 429 and a page in their language."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)

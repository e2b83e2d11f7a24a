"""The managers' pages in the Wagtail admin: every club, review meetings, safeguarding alerts.

Thin: parse, call a service or selector, render. Each view names the permission it needs
(``guard``); someone signed in without it gets a plain 403.
"""

from __future__ import annotations

import functools
import io

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lms.accounts.models import Region

from ..admin_forms import AttendanceForm, AttendeeForm, InviteForm, MeetingForm, MinutesForm
from ..errors import DeliveryError
from ..models import Club, Kit, ReviewMeeting, SafeguardingAlert
from ..selectors import access
from ..selectors import alerts as alert_selectors
from ..selectors import clubs as club_selectors
from ..selectors import meetings as meeting_selectors
from ..services import alerts as alert_services
from ..services import meetings as meeting_services
from .common import apply_error

VIEW_ALERTS = "delivery.view_safeguardingalert"


def guard(permission: str):
    """In the Wagtail admin (its menu, language and sign-in), but a 403 for anyone signed in
    without ``permission`` rather than the admin's redirect to its sign-in page."""

    def decorator(view):
        from wagtail.admin.auth import require_admin_access

        admin_view = require_admin_access(view)

        @functools.wraps(view)
        def inner(request, *args, **kwargs):
            if request.user.is_authenticated and not request.user.has_perm(permission):
                return render(request, "403.html", status=403)
            return admin_view(request, *args, **kwargs)

        return inner

    return decorator


def _check_in_url(request) -> str:
    """The facilitators' check-in page, in the default language (Mongolian first; its own switcher)."""
    with translation.override(settings.LANGUAGE_CODE):
        return request.build_absolute_uri(reverse("delivery:check_in"))


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


# --- clubs -------------------------------------------------------------------------------------------


@require_GET
def clubs(request):
    kit = Kit.objects.filter(pk=_int(request.GET.get("kit"))).first()
    region = Region.objects.filter(pk=_int(request.GET.get("region"))).first()
    status = request.GET.get("status", "")
    status = status if status in Club.Status.values else ""
    page = Paginator(club_selectors.all_clubs(kit=kit, region=region, status=status), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page_obj": page,
        "kits": Kit.objects.all(),
        "regions": Region.objects.filter(clubs__isnull=False).distinct(),
        "statuses": Club.Status.choices,
        "chosen": {"kit": kit, "region": region, "status": status},
        "query": query.urlencode(),
    }
    return render(request, "delivery/admin/clubs.html", context)


@require_GET
def club(request, club_id: int):
    found = club_selectors.all_clubs().filter(pk=club_id).first()
    if found is None:
        raise Http404
    return render(
        request,
        "delivery/admin/club.html",
        {"club": found, "page_data": club_selectors.club_page(found, recent=100)},
    )


# --- review meetings ---------------------------------------------------------------------------------


@require_GET
def meetings(request):
    return render(
        request,
        "delivery/admin/meetings.html",
        {
            "upcoming": meeting_selectors.meetings_list(upcoming=True),
            "past": meeting_selectors.meetings_list(upcoming=False)[:100],
        },
    )


def _meeting_fields(data: dict) -> dict:
    return {
        "mode": data["mode"],
        "starts_at": data["starts_at"],
        "duration_minutes": data["duration_minutes"],
        "venue": data.get("venue") or "",
        "online_link": data.get("online_link") or "",
    }


@require_http_methods(["GET", "POST"])
def meeting_new(request):
    status = 200
    if request.method == "POST":
        form = MeetingForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                meeting = meeting_services.meeting_schedule(
                    by=request.user,
                    kit=form.cleaned_data["kit"],
                    region=form.cleaned_data["region"],
                    **_meeting_fields(form.cleaned_data),
                )
            except DeliveryError as error:
                status = apply_error(form, error)
            else:
                messages.success(request, _("The meeting is scheduled. Now invite the facilitators."))
                return redirect("delivery_admin:meeting", meeting.pk)
    else:
        form = MeetingForm(initial={"mode": ReviewMeeting.Mode.IN_PERSON, "duration_minutes": 120})
    return render(request, "delivery/admin/meeting_form.html", {"form": form}, status=status)


def _meeting(meeting_id: int) -> ReviewMeeting:
    meeting = ReviewMeeting.objects.select_related("kit", "region", "organiser").filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    return meeting


def _meeting_page(request, meeting: ReviewMeeting, *, status: int = 200, **forms):
    participants = meeting_selectors.participants(meeting)
    candidates = meeting_selectors.invite_candidates(meeting) if not meeting.is_cancelled else []
    invite_form = forms.get("invite_form") or InviteForm(candidates=candidates)
    if invite_form.is_bound:
        invite_checked = {int(pk) for pk in invite_form.data.getlist("people") if str(pk).isdigit()}
    else:  # everyone the meeting is for, ticked: untick who should not come
        invite_checked = {candidate.person.pk for candidate in candidates}
    context = {
        "meeting": meeting,
        "invite_checked": invite_checked,
        "participants": participants,
        "attended_count": sum(1 for p in participants if p.attended_at),
        "candidates": candidates,
        "check_in_open": meeting_selectors.check_in_open(meeting),
        "check_in_window": meeting_selectors.check_in_window(meeting),
        "invite_form": invite_form,
        "attendance_form": forms.get("attendance_form")
        or AttendanceForm(
            participants=participants,
            initial={"present": [p.person_id for p in participants if p.attended_at]},
        ),
        "attendee_form": forms.get("attendee_form") or AttendeeForm(),
        "minutes_form": forms.get("minutes_form") or MinutesForm(initial={"minutes": meeting.minutes}),
        "check_in_url": _check_in_url(request),
    }
    return render(request, "delivery/admin/meeting.html", context, status=status)


@require_GET
def meeting(request, meeting_id: int):
    return _meeting_page(request, _meeting(meeting_id))


@require_http_methods(["GET", "POST"])
def meeting_edit(request, meeting_id: int):
    meeting = _meeting(meeting_id)
    status = 200
    if request.method == "POST":
        form = MeetingForm(request.POST, editing=True)
        status = 400
        if form.is_valid():
            try:
                meeting_services.meeting_update(
                    meeting=meeting, by=request.user, **_meeting_fields(form.cleaned_data)
                )
            except DeliveryError as error:
                status = apply_error(form, error)
            else:
                messages.success(
                    request, _("The meeting is saved; the people invited are told of the change.")
                )
                return redirect("delivery_admin:meeting", meeting.pk)
    else:
        form = MeetingForm(
            editing=True,
            initial={
                "mode": meeting.mode,
                "starts_at": meeting.starts_at,
                "duration_minutes": meeting.duration_minutes,
                "venue": meeting.venue,
                "online_link": meeting.online_link,
            },
        )
    return render(
        request, "delivery/admin/meeting_form.html", {"form": form, "meeting": meeting}, status=status
    )


@require_POST
def meeting_invite(request, meeting_id: int):
    meeting = _meeting(meeting_id)
    form = InviteForm(request.POST, candidates=meeting_selectors.invite_candidates(meeting))
    if not form.is_valid():
        return _meeting_page(request, meeting, status=400, invite_form=form)
    try:
        count = meeting_services.meeting_invite(
            meeting=meeting, by=request.user, people=form.cleaned_data["people"]
        )
    except DeliveryError as error:
        status = apply_error(form, error)
        return _meeting_page(request, meeting, status=status, invite_form=form)
    messages.success(request, _("%(count)s people invited by email.") % {"count": count})
    return redirect("delivery_admin:meeting", meeting.pk)


@require_POST
def meeting_attendance(request, meeting_id: int):
    meeting = _meeting(meeting_id)
    form = AttendanceForm(request.POST, participants=meeting_selectors.participants(meeting))
    if not form.is_valid():
        return _meeting_page(request, meeting, status=400, attendance_form=form)
    try:
        changed = meeting_services.attendance_set(
            meeting=meeting, by=request.user, attended_ids={p.pk for p in form.cleaned_data["present"]}
        )
    except DeliveryError as error:
        status = apply_error(form, error)
        return _meeting_page(request, meeting, status=status, attendance_form=form)
    messages.success(
        request,
        _("Attendance saved: %(marked)s marked present, %(unmarked)s marked absent.") % changed,
    )
    return redirect("delivery_admin:meeting", meeting.pk)


@require_POST
def meeting_attendee(request, meeting_id: int):
    meeting = _meeting(meeting_id)
    form = AttendeeForm(request.POST)
    if not form.is_valid():
        return _meeting_page(request, meeting, status=400, attendee_form=form)
    try:
        meeting_services.attendance_add(meeting=meeting, by=request.user, person=form.person)
    except DeliveryError as error:
        status = apply_error(form, error)
        return _meeting_page(request, meeting, status=status, attendee_form=form)
    messages.success(request, _("%(person)s is marked present.") % {"person": form.person})
    return redirect("delivery_admin:meeting", meeting.pk)


@require_POST
def meeting_minutes(request, meeting_id: int):
    meeting = _meeting(meeting_id)
    form = MinutesForm(request.POST)
    if not form.is_valid():
        return _meeting_page(request, meeting, status=400, minutes_form=form)
    try:
        meeting_services.minutes_save(meeting=meeting, by=request.user, minutes=form.cleaned_data["minutes"])
    except DeliveryError as error:
        status = apply_error(form, error)
        return _meeting_page(request, meeting, status=status, minutes_form=form)
    messages.success(request, _("The minutes are saved."))
    return redirect("delivery_admin:meeting", meeting.pk)


@require_POST
def meeting_cancel(request, meeting_id: int):
    meeting = _meeting(meeting_id)
    try:
        meeting_services.meeting_cancel(meeting=meeting, by=request.user)
    except DeliveryError as error:
        messages.error(request, str(error.message))
        return _meeting_page(request, meeting, status=error.status)
    messages.success(request, _("The meeting is cancelled; the people invited are told."))
    return redirect("delivery_admin:meeting", meeting.pk)


@require_GET
def meeting_code(request, meeting_id: int):
    """The check-in code, large, with a QR code: for a projector or a shared screen."""
    meeting = _meeting(meeting_id)
    return render(
        request,
        "delivery/admin/meeting_code.html",
        {"meeting": meeting, "check_in_url": _check_in_url(request)},
    )


@require_GET
def meeting_qr(request, meeting_id: int):
    """The QR code of the check-in page with the meeting's code filled in (SVG)."""
    import qrcode
    import qrcode.image.svg

    meeting = _meeting(meeting_id)
    url = _check_in_url(request) + f"?code={meeting.check_in_code}"
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=20, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


# --- safeguarding alerts -----------------------------------------------------------------------------


@require_GET
def alerts(request):
    status = request.GET.get("status", SafeguardingAlert.Status.OPEN)
    status = (
        status
        if status in SafeguardingAlert.Status.values or status == "all"
        else SafeguardingAlert.Status.OPEN
    )
    page = Paginator(alert_selectors.alerts_list(status="" if status == "all" else status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "delivery/admin/alerts.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": [*SafeguardingAlert.Status.choices, ("all", _("All"))],
            "may_follow_up": request.user.has_perm(access.FOLLOW_UP_ALERTS),
        },
    )


@require_POST
def alert_follow_up(request, alert_id: int):
    if not request.user.has_perm(access.FOLLOW_UP_ALERTS):
        return render(request, "403.html", status=403)
    alert = SafeguardingAlert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    try:
        alert_services.alert_follow_up(alert=alert, by=request.user)
    except DeliveryError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The alert is marked as followed up."))
    return redirect("delivery_admin:alerts")

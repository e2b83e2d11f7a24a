"""The facilitators' pages: their clubs, registering one, membership, sessions, checking in.

Thin: parse, call a service or selector, render. A facilitator sees only the clubs they run (or
share); any other club is the same 404 as one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lms.ratelimit import allow

from ..errors import DeliveryError
from ..forms import CheckInForm, ClubForm, MembershipForm, SessionLogForm
from ..models import MEMBERSHIP_FIELDS, Club, SessionLog, Term
from ..selectors import access, catalogue
from ..selectors import clubs as club_selectors
from ..selectors import meetings as meeting_selectors
from ..services import clubs as club_services
from ..services import meetings as meeting_services
from ..services import sessions as session_services
from .common import apply_error

CHECK_IN_TRIES = (10, 600)  # tries per person per ten minutes: codes are short


def _own_club(request, club_id: int) -> Club:
    club = (
        Club.objects.select_related(
            "kit", "kit__course", "organisation", "region", "facilitator", "first_term"
        )
        .filter(pk=club_id)
        .first()
    )
    if club is None or not access.may_change_club(request.user, club):
        raise Http404(_("Page not found."))
    return club


@login_required
@require_GET
def home(request):
    """My clubs: the clubs I run, what I may register, my review meetings."""
    context = {
        "clubs": club_selectors.clubs_for_user(request.user),
        "kits": access.kits_for_registration(request.user),
        "meetings": meeting_selectors.meetings_for_person(request.user),
        "now": timezone.now(),
    }
    return render(request, "delivery/home.html", context)


def _club_initial(request, kits) -> dict:
    user = request.user
    organisation = (
        user.organisation
        if user.organisation and user.organisation.kind in club_selectors.CLUB_ORGANISATION_KINDS
        else None
    )
    chosen = request.GET.get("kit", "")
    kit = next((k for k in kits if str(k.pk) == chosen), kits[0] if kits else None)
    term = club_selectors.current_term()
    return {
        "kit": kit.pk if kit else None,
        "region": (organisation.region_id if organisation else user.region_id),
        "organisation": organisation.pk if organisation else None,
        "first_term": term.pk if term else None,
    }


def _redisplay(request, form_class, **kwargs):
    """The form again with what was typed, without checking it (the "Show its schools" button)."""
    return form_class(
        initial={key: value for key, value in request.POST.items() if key != "csrfmiddlewaretoken"}, **kwargs
    )


@login_required
@require_http_methods(["GET", "POST"])
def club_register(request):
    kits = access.kits_for_registration(request.user)
    if not kits:
        return render(request, "delivery/not_trained.html", status=403)
    status = 200
    if request.method == "POST" and "show_schools" in request.POST:
        form = _redisplay(request, ClubForm, kits=kits)
    elif request.method == "POST":
        form = ClubForm(request.POST, kits=kits)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                club = club_services.club_register(
                    facilitator=request.user,
                    kit=data["kit"],
                    organisation=data["organisation"],
                    region=data["region"],
                    first_term=data["first_term"],
                    co_facilitators=data["co_facilitators"],
                    membership=form.counts() if form.membership_given() else None,
                )
            except DeliveryError as error:
                status = apply_error(form, error)
            else:
                messages.success(request, _("Your club is registered. Log its sessions here after each one."))
                return redirect("delivery:club", club.pk)
    else:
        form = ClubForm(initial=_club_initial(request, kits), kits=kits)
    return render(request, "delivery/club_form.html", {"form": form, "editing": False}, status=status)


@login_required
@require_GET
def club_detail(request, club_id: int):
    club = _own_club(request, club_id)
    return render(request, "delivery/club.html", {"page_data": club_selectors.club_page(club), "club": club})


@login_required
@require_http_methods(["GET", "POST"])
def club_edit(request, club_id: int):
    club = _own_club(request, club_id)
    status = 200
    if request.method == "POST" and "show_schools" in request.POST:
        form = _redisplay(request, ClubForm, editing=True)
    elif request.method == "POST":
        form = ClubForm(request.POST, editing=True)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                club_services.club_update(
                    club=club,
                    by=request.user,
                    organisation=data["organisation"],
                    region=data["region"],
                    first_term=data["first_term"],
                    co_facilitators=data["co_facilitators"],
                )
            except DeliveryError as error:
                status = apply_error(form, error)
            else:
                messages.success(request, _("The club is saved."))
                return redirect("delivery:club", club.pk)
    else:
        form = ClubForm(
            initial={
                "region": club.region_id,
                "organisation": club.organisation_id,
                "first_term": club.first_term_id,
                "co_facilitators": ", ".join(club.co_facilitators.values_list("email", flat=True)),
            },
            editing=True,
        )
    return render(
        request, "delivery/club_form.html", {"form": form, "editing": True, "club": club}, status=status
    )


@login_required
@require_POST
def club_status(request, club_id: int):
    club = _own_club(request, club_id)
    action = request.POST.get("action")
    if action not in ("close", "reopen"):
        return render(
            request, "delivery/refused.html", {"message": _("Unknown action."), "club": club}, status=400
        )
    try:
        if action == "close":
            club_services.club_close(club=club, by=request.user)
            messages.success(request, _("The club is closed. Its sessions stay in the reports."))
        else:
            club_services.club_reopen(club=club, by=request.user)
            messages.success(request, _("The club is running again."))
    except DeliveryError as error:
        return render(
            request, "delivery/refused.html", {"message": error.message, "club": club}, status=error.status
        )
    return redirect("delivery:club", club.pk)


@login_required
@require_http_methods(["GET", "POST"])
def membership(request, club_id: int):
    club = _own_club(request, club_id)
    status = 200
    if request.method == "POST":
        form = MembershipForm(request.POST, club=club)
        status = 400
        if form.is_valid():
            try:
                club_services.membership_record(
                    club=club, term=form.cleaned_data["term"], counts=form.counts(), by=request.user
                )
            except DeliveryError as error:
                status = apply_error(form, error)
            else:
                messages.success(request, _("The membership is saved."))
                return redirect("delivery:club", club.pk)
    else:
        asked = request.GET.get("term", "")
        term = Term.objects.filter(pk=int(asked)).first() if asked.isdigit() else None
        term = term or club_selectors.current_term()
        initial = {"term": term.pk if term else None}
        existing = club_selectors.membership_for(club, term) if term else None
        if existing is not None:
            initial.update({name: getattr(existing, name) or None for name in MEMBERSHIP_FIELDS})
        form = MembershipForm(initial=initial, club=club)
    return render(request, "delivery/membership_form.html", {"form": form, "club": club}, status=status)


def _session_form(request, club: Club, *, log: SessionLog | None = None, data=None):
    sessions = catalogue.kit_sessions(club.kit)
    if log is not None and not any(s.release_id == log.release_id for s in sessions):
        own = catalogue.session_lookup([log.release_id]).get((log.release_id, log.lesson_key, log.plan_index))
        if own is not None:  # logged from an older version of the kit: keep it choosable
            sessions = [own, *sessions]
    alert_raised = log is not None and hasattr(log, "alert")
    if data is not None:
        return SessionLogForm(data, sessions=sessions, alert_raised=alert_raised)
    if log is None:
        initial = {"held_on": timezone.localdate(), "girls": None, "boys": None}
    else:
        key = next(
            (
                s.key
                for s in sessions
                if (s.release_id, s.lesson_key, s.plan_index)
                == (log.release_id, log.lesson_key, log.plan_index)
            ),
            "",
        )
        initial = {
            "session": key,
            "held_on": log.held_on,
            "duration_minutes": log.duration_minutes,
            "girls": log.girls,
            "boys": log.boys,
            "needs_support": log.needs_support,
            "note": log.note,
            "safeguarding_concern": log.safeguarding_concern,
        }
    return SessionLogForm(initial=initial, sessions=sessions, alert_raised=alert_raised)


def _session_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "session": form.chosen_session(),
        "held_on": data["held_on"],
        "duration_minutes": data["duration_minutes"],
        "girls": data["girls"],
        "boys": data["boys"],
        "needs_support": data["needs_support"],
        "note": data["note"],
        "safeguarding_concern": data["safeguarding_concern"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request, club_id: int):
    club = _own_club(request, club_id)
    if not club.is_active:
        return render(
            request,
            "delivery/refused.html",
            {"message": _("This club is closed: reopen it to log sessions."), "club": club},
            status=409,
        )
    status = 200
    if request.method == "POST":
        form = _session_form(request, club, data=request.POST)
        status = 400
        if form.is_valid():
            try:
                log = session_services.session_log_create(club=club, by=request.user, **_session_fields(form))
            except DeliveryError as error:
                status = apply_error(form, error)
            else:
                if log.safeguarding_concern:
                    messages.warning(
                        request,
                        _(
                            "The session is logged and the safeguarding lead is alerted: they will contact you."
                        ),
                    )
                else:
                    messages.success(request, _("The session is logged. Thank you!"))
                return redirect("delivery:club", club.pk)
    else:
        form = _session_form(request, club)
    return render(request, "delivery/session_form.html", {"form": form, "club": club}, status=status)


def _own_log(request, club: Club, log_id: int) -> SessionLog:
    log = SessionLog.objects.filter(pk=log_id, club=club).first()
    if log is None:
        raise Http404(_("Page not found."))
    return log


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, club_id: int, log_id: int):
    club = _own_club(request, club_id)
    log = _own_log(request, club, log_id)
    status = 200
    if request.method == "POST":
        form = _session_form(request, club, log=log, data=request.POST)
        status = 400
        if form.is_valid():
            fields = _session_fields(form)
            if form.fields["safeguarding_concern"].disabled:
                fields["safeguarding_concern"] = True
            try:
                session_services.session_log_update(log=log, by=request.user, **fields)
            except DeliveryError as error:
                status = apply_error(form, error)
            else:
                messages.success(request, _("The session is saved."))
                return redirect("delivery:club", club.pk)
    else:
        form = _session_form(request, club, log=log)
    return render(
        request, "delivery/session_form.html", {"form": form, "club": club, "log": log}, status=status
    )


@login_required
@require_POST
def session_delete(request, club_id: int, log_id: int):
    club = _own_club(request, club_id)
    log = _own_log(request, club, log_id)
    try:
        session_services.session_log_delete(log=log, by=request.user)
    except DeliveryError as error:
        return render(
            request, "delivery/refused.html", {"message": error.message, "club": club}, status=error.status
        )
    messages.success(request, _("The session is removed."))
    return redirect("delivery:club", club.pk)


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request):
    """Check in at a review meeting with the code shown there (a QR code fills it in)."""
    status = 200
    limited = False
    if request.method == "POST":
        form = CheckInForm(request.POST)
        status = 400
        if not allow(
            f"delivery-check-in:{request.user.pk}", limit=CHECK_IN_TRIES[0], seconds=CHECK_IN_TRIES[1]
        ):
            limited = True
            status = 429
        elif form.is_valid():
            try:
                participant = meeting_services.meeting_check_in(
                    code=form.cleaned_data["code"], person=request.user
                )
            except DeliveryError as error:
                status = apply_error(form, error)
            else:
                messages.success(
                    request,
                    _("You are checked in at the %(kit)s review meeting. Thank you for coming!")
                    % {"kit": participant.meeting.kit.name},
                )
                return redirect("delivery:home")
    else:
        form = CheckInForm(initial={"code": meeting_selectors.normalise_code(request.GET.get("code", ""))})
    return render(request, "delivery/check_in.html", {"form": form, "limited": limited}, status=status)

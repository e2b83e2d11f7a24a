"""The H5P player's requests. Thin: check who asks (the lesson's audience, the learner's
release), parse, call a service, answer.

Two kinds of URL. The sandboxed frame (``…/h5p/play/<token>/…``: its page, the package's files)
cannot send the session cookie, so its token names the person, and each request asks the access
decision again for them (see ``assessments.h5p.frame``). The lesson page's own requests
(``…/h5p/<lesson>/<activity>/<signature>/…``: xAPI statements, saved state, a player's failure)
carry the learner's session and CSRF token. Either way an activity is reachable only where the
lesson, as the person's release has it, shows it; anyone else gets a 404, exactly as for the
lesson page itself.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.models import Locale, Page

from courses.errors import CourseActionError
from courses.models import LessonPage
from courses.selectors import Access, access_for

from . import files, frame, selectors, services
from .models import H5PActivity, H5PLibrary, H5PUserState
from .xapi import TooDeep, parse_json

_LIBRARY_RE = re.compile(r"^(.+)-(\d{1,5})\.(\d{1,5})$")


def _lesson_type() -> ContentType:
    return ContentType.objects.get_for_model(LessonPage)  # cached by Django after the first call


def _lesson(lesson_id: int) -> LessonPage:
    """The lesson page's place and revisions (one query), or 404."""
    found = Page.objects.filter(pk=lesson_id, content_type=_lesson_type()).values_list(
        "path",
        "depth",
        "translation_key",
        "live",
        "live_revision_id",
        "latest_revision_id",
        "locale_id",
        "locale__language_code",
    )[:1]
    if not found:
        raise Http404
    path, depth, translation_key, live, live_revision, latest_revision, locale_id, language = found[0]
    return LessonPage(
        pk=lesson_id,
        id=lesson_id,
        path=path,
        depth=depth,
        translation_key=translation_key,
        live=live,
        live_revision_id=live_revision,
        latest_revision_id=latest_revision,
        locale=Locale(pk=locale_id, language_code=language),
        content_type=_lesson_type(),
    )


def _placed(user, lesson: LessonPage, activity_id: int) -> tuple[H5PActivity, selectors.Placement]:
    """The activity and where this person's lesson shows it, or 404 for anyone who may not see it."""
    # The player's requests are not pages to be sent to two-factor set-up: any refusal is a 404.
    if access_for(user=user, page=lesson) is not Access.ALLOWED:
        raise Http404
    # Signed once, a URL is good only while the lesson, as this person's release has it, shows
    # the activity (a learner moved to a release that replaced it can no longer use it).
    placement = selectors.activity_placement(user=user, lesson=lesson, activity_id=activity_id)
    if placement is None:
        raise Http404
    activity = H5PActivity.objects.filter(pk=activity_id).first()
    if activity is None:
        raise Http404
    return activity, placement


def _target(
    request, lesson_id: int, activity_id: int, signature: str
) -> tuple[LessonPage, H5PActivity, selectors.Placement]:
    """The lesson, the activity and its placement a lesson page's request is about, or 404."""
    if not selectors.player_signature_valid(
        lesson_id=lesson_id, activity_id=activity_id, signature=signature
    ):
        raise Http404
    lesson = _lesson(lesson_id)
    activity, placement = _placed(request.user, lesson, activity_id)
    return lesson, activity, placement


def _error(message, status: int) -> JsonResponse:
    return JsonResponse({"success": False, "error": str(message)}, status=status)


# --- the sandboxed frame: its page, the package's files, its runtime ---------------------------------


def _frame_target(player_token: str):
    """(token, activity, package revision) of a frame URL, asking the access decision again for
    the person it was made for; 404 for anything else."""
    token = frame.token_read(player_token)
    if token is None:
        raise Http404
    user = selectors.player_user(token)
    if user is None:
        raise Http404
    lesson = _lesson(token.lesson_id)
    activity, placement = _placed(user, lesson, token.activity_id)
    revision = selectors.package_revision(activity=activity, number=placement.revision)
    if revision is None or revision.number != token.revision:
        raise Http404  # the file changed since the page was made: reloading the page fixes it
    return token, activity, revision


def _shared(response):
    """Files fetched by the frame (an opaque origin) need CORS; the URL itself is the key."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _parent_origin(request) -> str:
    """The lesson pages' origin: this site's (the frame's own when it is served from here)."""
    return (
        frame.origin_of(settings.SITE_URL)
        if settings.H5P_ORIGIN
        else f"{request.scheme}://{request.get_host()}"
    )


@xframe_options_exempt
@require_http_methods(["GET", "HEAD"])
def player(request, player_token: str):
    """The frame's page: h5p-standalone and the bridge to the lesson page, under a policy of its own."""
    token, activity, revision = _frame_target(player_token)
    parent = _parent_origin(request)
    options = selectors.frame_options(
        activity=activity,
        revision=revision,
        token=player_token,
        dom_id=f"h5p-{activity.pk}",
        parent_origin=parent,
    )
    runtime = frame.runtime_base()
    response = render(
        request,
        "assessments/h5p/frame.html",
        {"activity": activity, "options": options, "runtime": runtime},
    )
    parents = [parent, *(frame.origin_of(o) for o in settings.CSRF_TRUSTED_ORIGINS)]
    response["Content-Security-Policy"] = frame.frame_policy(
        own_origin=f"{request.scheme}://{request.get_host()}",
        parent_origins=[o for o in dict.fromkeys(parents) if o],
        allowed_hosts=settings.H5P_ALLOWED_HOSTS,
    )
    response["Cache-Control"] = "private, no-cache"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "HEAD"])
def package_file(request, player_token: str, path: str):
    """``h5p.json`` and ``content/...`` of the package revision the person's release plays."""
    _token, _activity, revision = _frame_target(player_token)
    if not (path == "h5p.json" or path.startswith("content/")):
        raise Http404
    found = files.resolve(services.h5p_root() / revision.content_folder, path)
    return _shared(files.file_response(request, found, cache_control=files.CONTENT_CACHE))


@require_http_methods(["GET", "HEAD"])
def library_file(request, player_token: str, libraries_token: str, library: str, path: str):
    """A file of one of the package revision's libraries (shared code)."""
    _token, _activity, revision = _frame_target(player_token)
    match = _LIBRARY_RE.match(library)
    if not match:
        raise Http404
    name, major, minor = match.group(1), int(match.group(2)), int(match.group(3))
    folder = (
        H5PLibrary.objects.filter(package_revisions=revision, machine_name=name, major=major, minor=minor)
        .values_list("folder", flat=True)
        .first()
    )
    if folder is None:
        raise Http404
    found = files.resolve(services.h5p_root() / folder, path)
    cache = files.LIBRARY_CACHE if libraries_token == revision.libraries_token else files.NO_CACHE
    return _shared(files.file_response(request, found, cache_control=cache))


@require_http_methods(["GET", "HEAD"])
def runtime_file(request, version: str, path: str):
    """The player's own files (h5p-standalone from npm, the frame's scripts): public, like static
    files, but with CORS for the frame and from the H5P origin when there is one."""
    found = frame.runtime_path(path)
    if found is None:
        raise Http404
    found = files.resolve(found.parent, found.name)
    cache = files.RUNTIME_CACHE if version == frame.runtime_version() else files.NO_CACHE
    return _shared(files.file_response(request, found, cache_control=cache))


@require_POST
def xapi(request, lesson_id: int, activity_id: int, signature: str):
    """Statements from the player: one statement or a list of them, as JSON."""
    lesson, activity, placement = _target(request, lesson_id, activity_id, signature)
    if not request.user.is_authenticated:
        return _error(_("Sign in to record your results."), 401)
    if len(request.body) > settings.H5P_MAX_STATEMENTS_BYTES:
        return _error(_("Too much data in one request."), 413)
    try:
        payload = parse_json(request.body)
    except TooDeep:
        return _error(_("The statements are nested too deeply."), 400)
    except (ValueError, UnicodeDecodeError):
        return _error(_("The statements are not valid JSON."), 400)
    statements = payload if isinstance(payload, list) else [payload]
    if not statements:
        return _error(_("No statements were sent."), 400)
    if len(statements) > settings.H5P_MAX_STATEMENTS:
        return _error(_("Too many statements in one request."), 413)
    try:
        recorded = services.statements_record(
            user=request.user,
            activity=activity,
            lesson_key=lesson.translation_key,
            statements=statements,
            rule=placement.rule,
            package_revision=placement.revision or activity.revision,
        )
    except CourseActionError as error:
        return _error(error.message, error.status)
    return JsonResponse(
        {
            "success": True,
            "stored": recorded.stored,
            "attempts": [
                {"number": a.number, "scaled": a.scaled, "success": a.success} for a in recorded.attempts
            ],
            "lesson_completed": recorded.lesson_completed,
        }
    )


_STATE_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@require_http_methods(["GET", "POST"])
def state(request, lesson_id: int, activity_id: int, signature: str, data_type: str, sub_content_id: str):
    """H5P's contentUserData: GET answers ``{"success": true, "data": "<json>" | false}``; POST
    (form-encoded ``data``, ``preload``, ``invalidate``) saves it, ``data=0`` deletes it."""
    lesson, activity, _placement = _target(request, lesson_id, activity_id, signature)
    if not request.user.is_authenticated:
        return _error(_("Sign in to save your place."), 401)
    if not (_STATE_NAME_RE.match(data_type) and _STATE_NAME_RE.match(sub_content_id)):
        return _error(_("The saved state is not valid."), 400)
    if request.method == "GET":
        data = (
            H5PUserState.objects.filter(
                activity=activity, user=request.user, data_type=data_type, sub_content_id=sub_content_id
            )
            .values_list("data", flat=True)
            .first()
        )
        return JsonResponse({"success": True, "data": data if data is not None else False})
    if "data" not in request.POST:
        return _error(_("The saved state is not valid."), 400)
    try:
        services.state_save(
            user=request.user,
            activity=activity,
            lesson_key=lesson.translation_key,
            data_type=data_type,
            sub_content_id=sub_content_id,
            data=request.POST["data"],
            preload=request.POST.get("preload") in ("1", "true"),
            invalidate=request.POST.get("invalidate") in ("1", "true"),
        )
    except CourseActionError as error:
        return _error(error.message, error.status)
    return JsonResponse({"success": True})


@require_POST
def failure(request, lesson_id: int, activity_id: int, signature: str):
    """The lesson page reports that a player did not start in the learner's browser (for staff)."""
    _lesson_page, activity, placement = _target(request, lesson_id, activity_id, signature)
    if not request.user.is_authenticated:
        return _error(_("Sign in to record your results."), 401)
    message = request.POST.get("message", "")
    if not message.strip():
        return _error(_("Say what went wrong."), 400)
    services.player_error_record(
        user=request.user,
        activity=activity,
        package_revision=placement.revision or activity.revision,
        message=message[:2000],
        user_agent=request.headers.get("User-Agent", ""),
    )
    return JsonResponse({"success": True})


# --- offline play (only on H5P_ORIGIN) ---------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def offline_worker(request):
    """The H5P origin's service worker: it serves the frames a learner downloaded when there is no
    connection. Only on the H5P origin: a frame from the site itself is sandboxed into an opaque
    origin, which no service worker may serve."""
    if not frame.on_h5p_origin(request):
        raise Http404
    found = finders.find(frame.OFFLINE_WORKER)
    if not found:
        raise Http404
    response = HttpResponse(Path(found).read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@xframe_options_exempt
@require_http_methods(["GET", "HEAD"])
def offline_helper(request):
    """A hidden page of the H5P origin that lesson pages of the site ask (by message) to keep, drop
    or forget a learner's downloaded activities in this origin's cache."""
    if not frame.on_h5p_origin(request):
        raise Http404
    parents = frame.parent_origins()
    runtime = frame.runtime_base()
    response = render(
        request,
        "assessments/h5p/offline_helper.html",
        {
            "helper": {
                "parents": parents,
                "worker": reverse("assessments:h5p_offline_worker"),
            },
            "runtime": runtime,
        },
    )
    response["Content-Security-Policy"] = frame.helper_policy(parents)
    response["Cache-Control"] = "no-cache"
    response["Referrer-Policy"] = "no-referrer"
    return response

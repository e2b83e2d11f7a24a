"""The H5P player's requests: package files, xAPI statements and saved state. Thin: check who
asks (the lesson's audience, the learner's enrolment), parse, call a service, answer.

Every URL names a lesson and an activity with a signature the lesson page made, so a file or
statement can only concern an activity some lesson really shows; whoever may not see that
lesson gets a 404, exactly as for the lesson page itself.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.models import Locale, Page

from courses.models import LessonPage
from courses.selectors import Access, access_for
from courses.services import CourseActionError

from . import files, selectors, services
from .models import H5PActivity, H5PLibrary, H5PUserState
from .xapi import TooDeep, parse_json

_LIBRARY_RE = re.compile(r"^(.+)-(\d{1,5})\.(\d{1,5})$")


def _lesson_type() -> ContentType:
    return ContentType.objects.get_for_model(LessonPage)  # cached by Django after the first call


def _target(request, lesson_id: int, activity_id: int, signature: str) -> tuple[LessonPage, H5PActivity]:
    """The lesson and the activity a request is about, or 404 for anyone who may not see them."""
    if not selectors.player_signature_valid(
        lesson_id=lesson_id, activity_id=activity_id, signature=signature
    ):
        raise Http404
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
    lesson = LessonPage(
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
    # The player's requests are not pages to be sent to two-factor set-up: any refusal is a 404.
    if access_for(user=request.user, page=lesson) is not Access.ALLOWED:
        raise Http404
    # Signed once, a URL is good only while the lesson, as this person's release has it, shows
    # the activity (a learner moved to a release that replaced it can no longer use it).
    if not selectors.activity_shown_to(user=request.user, lesson=lesson, activity_id=activity_id):
        raise Http404
    activity = H5PActivity.objects.filter(pk=activity_id).first()
    if activity is None:
        raise Http404
    return lesson, activity


def _error(message, status: int) -> JsonResponse:
    return JsonResponse({"success": False, "error": str(message)}, status=status)


@require_http_methods(["GET", "HEAD"])
def content_file(request, lesson_id: int, activity_id: int, signature: str, revision: int, path: str):
    """``h5p.json`` and ``content/...`` of the activity's current revision."""
    _lesson, activity = _target(request, lesson_id, activity_id, signature)
    if not (path == "h5p.json" or path.startswith("content/")):
        raise Http404
    found = files.resolve(services.h5p_root() / activity.content_folder, path)
    # An old revision's URL (a page opened before the file was replaced) is answered uncached.
    cache = files.CONTENT_CACHE if revision == activity.revision else files.NO_CACHE
    return files.file_response(request, found, cache_control=cache)


@require_http_methods(["GET", "HEAD"])
def library_file(
    request, lesson_id: int, activity_id: int, signature: str, token: str, library: str, path: str
):
    """A file of one of the activity's libraries (shared code: cached for a long time)."""
    _lesson, activity = _target(request, lesson_id, activity_id, signature)
    match = _LIBRARY_RE.match(library)
    if not match:
        raise Http404
    name, major, minor = match.group(1), int(match.group(2)), int(match.group(3))
    folder = (
        H5PLibrary.objects.filter(activities=activity, machine_name=name, major=major, minor=minor)
        .values_list("folder", flat=True)
        .first()
    )
    if folder is None:
        raise Http404
    found = files.resolve(services.h5p_root() / folder, path)
    cache = files.LIBRARY_CACHE if token == activity.libraries_token else files.NO_CACHE
    return files.file_response(request, found, cache_control=cache)


@require_POST
def xapi(request, lesson_id: int, activity_id: int, signature: str):
    """Statements from the player: one statement or a list of them, as JSON."""
    lesson, activity = _target(request, lesson_id, activity_id, signature)
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
            user=request.user, activity=activity, lesson_key=lesson.translation_key, statements=statements
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
    lesson, activity = _target(request, lesson_id, activity_id, signature)
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

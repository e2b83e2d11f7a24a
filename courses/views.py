"""Learner actions (enrol, complete, time) and the "My learning" dashboard. Thin: parse, call, render."""

from __future__ import annotations

import mimetypes
import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import Locale, Page
from wagtail.utils.sendfile import sendfile

from . import errors as course_errors
from . import selectors, services
from .models import CoursePage, Enrollment, LessonPage
from .responses import refusal


def _page_or_404(request, page_id: int, model: type[Page]) -> Page:
    """The page, if the one access decision lets this person act on it; else its refusal (the
    404 of a page that does not exist, or the way to two-factor set-up), with nothing changed."""
    page = model.objects.filter(pk=page_id).first()
    if page is None:
        raise Http404(_("Page not found."))
    selectors.access_for(user=request.user, page=page).enforce()
    return page


@login_required
@require_GET
def dashboard(request):
    """My learning: every enrolment with percent done and where to continue."""
    entries = selectors.dashboard_for_user(user=request.user, locale=Locale.get_active())
    return render(request, "courses/dashboard.html", {"entries": entries})


@login_required
@require_POST
def enrol(request, page_id: int):
    course = _page_or_404(request, page_id, CoursePage)
    try:
        services.enrollment_create(user=request.user, course=course)
    except course_errors.CourseActionError as error:
        return refusal(request, error, course.get_url(request))
    messages.success(request, _("You are enrolled. Welcome to %(course)s!") % {"course": course.title})
    outline = selectors.course_outline_for_user(course=course, user=request.user)
    target = outline.resume_lesson.get_url(request) if outline.resume_lesson else course.get_url(request)
    return redirect(target)


@login_required
@require_POST
def lesson_complete(request, page_id: int):
    lesson = _page_or_404(request, page_id, LessonPage)
    try:
        progress = services.lesson_complete(user=request.user, lesson_key=lesson.translation_key)
    except course_errors.CourseActionError as error:
        return refusal(request, error, lesson.get_url(request))
    enrollment = progress.enrollment
    if enrollment.is_completed and enrollment.completed_at == progress.completed_at:
        messages.success(request, _("Congratulations! You have completed the course."))
        return redirect("courses:dashboard")
    messages.success(request, _("Lesson completed."))
    state = selectors.lesson_state_for_user(lesson=lesson, user=request.user)
    return redirect(state.next_lesson.get_url(request) if state.next_lesson else lesson.get_url(request))


@login_required
@require_POST
def lesson_time(request, page_id: int):
    """Reading time reported by the lesson page (navigator.sendBeacon)."""
    lesson = _page_or_404(request, page_id, LessonPage)
    try:
        seconds = int(request.POST.get("seconds", ""))
    except ValueError:
        return JsonResponse({"error": _("'seconds' must be a whole number.")}, status=400)
    if seconds < 0:
        return JsonResponse({"error": _("'seconds' must not be negative.")}, status=400)
    try:
        added = services.lesson_time_add(user=request.user, lesson=lesson, seconds=seconds)
    except course_errors.CourseActionError as error:
        return JsonResponse({"error": str(error.message)}, status=error.status)
    return JsonResponse({"added": added})


@require_GET
def search(request):
    """Search courses and lessons in the current language (restricted courses only for their audience)."""
    query = request.GET.get("q", "")
    results = selectors.search_pages(query=query, user=request.user, locale=Locale.get_active())
    return render(request, "courses/search.html", {"query": query[:100], "results": results})


@login_required
@require_POST
def move(request, page_id: int):
    """A learner on an older release moves to the current one (or takes its changes as a refresher)."""
    course = _page_or_404(request, page_id, CoursePage)
    enrollment = Enrollment.objects.filter(
        user=request.user, course__translation_key=course.translation_key
    ).first()
    current = selectors.current_release(course)
    if enrollment is None or current is None:
        return refusal(request, course_errors.NotEnrolled(), course.get_url(request))
    try:
        services.enrollment_move(enrollment=enrollment, to=current, by=request.user)
    except course_errors.CourseActionError as error:
        return refusal(request, error, course.get_url(request))
    messages.success(
        request,
        _("You are now on version %(version)s. Lessons that changed are open again.")
        % {"version": current.version},
    )
    return redirect(course.get_url(request))


@require_GET
def restricted_file(request, name: str):
    """An image (original or rendition) or document of a restricted course, for whoever the
    access decision lets in; the same 404 as a missing file for everyone else."""
    owner = selectors.restricted_file_owner(name)
    if owner is None:
        raise Http404
    kind, object_id = owner
    selectors.file_access(user=request.user, kind=kind, object_id=object_id, stored_private=True).enforce()
    path = default_storage.path(name)
    if not os.path.exists(path):
        raise Http404
    response = sendfile(request, path, mimetype=mimetypes.guess_type(path)[0] or "application/octet-stream")
    # Only this person's browser keeps it; shared caches never do.
    response["Cache-Control"] = "private, max-age=3600"
    patch_vary_headers(response, ["Cookie"])
    return response

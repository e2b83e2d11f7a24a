"""Offline learning over HTTP: the service worker and web app manifest, a course download's list,
the quiz paper page, what a device may keep, and the one sync endpoint. Thin: parse, call, answer."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from wagtail.documents import get_document_model

from assessments import selectors as quiz_selectors
from assessments.h5p import frame as h5p_frame
from assessments.models import QuizAttempt
from courses.models import CoursePage, LessonPage
from courses.selectors import access_for

from . import app, selectors, services
from .models import OfflinePaper

MAX_SYNC_BYTES = 2 * 1024 * 1024


def _json_login_required(view):
    """A script's request from someone signed out gets JSON 401 (not the sign-in page)."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"error": _("Sign in to use your courses offline.")}, status=401)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_GET
def service_worker(request):
    """The service worker, at the site's root so that it can serve every page of the site."""
    response = HttpResponse(app.service_worker_script(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def web_manifest(request):
    """The installable app's manifest in the language asked for (``?lang=mn|en``)."""
    language = request.GET.get("lang", "")
    response = JsonResponse(app.web_manifest(language), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def offline_page(request):
    """What a page that is not on the device shows offline (kept by the service worker for every
    visitor alike: it shows nobody's data; the script lists the courses on the device)."""
    request.user = AnonymousUser()
    return render(request, "offline/offline.html")


@never_cache
@require_GET
def status(request):
    """Which offline copies this person may keep (their courses, their release now)."""
    return JsonResponse(
        {
            "user": app.user_key(request.user),
            "courses": {
                str(pk): release for pk, release in selectors.offline_courses(user=request.user).items()
            },
        }
    )


@_json_login_required
@require_POST
def download(request, page_id: int):
    """The list of what a course download holds for this learner, its size, and quiz papers."""
    course = CoursePage.objects.filter(pk=page_id).first()
    if course is None:
        raise Http404(_("Page not found."))
    access_for(user=request.user, page=course).enforce()
    plan = selectors.download_plan(course=course, user=request.user)
    if plan is None:
        return JsonResponse({"error": _("Enrol in this course to use it offline.")}, status=403)
    papers = services.papers_issue(plan=plan)
    documents = get_document_model().objects.in_bulk(list(plan.documents))
    return JsonResponse(
        {
            "user": app.user_key(request.user),
            "course": course.pk,
            "title": course.title,
            "language": translation.get_language(),
            "release": plan.release.pk,
            "version": plan.release.version,
            "pages": [course.get_url(request)] + [item.page.get_url(request) for item in plan.lessons],
            "lessons": [{"id": item.page.pk, "url": item.page.get_url(request)} for item in plan.lessons],
            "documents": [{"url": doc.url, "bytes": plan.documents[pk]} for pk, doc in documents.items()],
            "papers": [
                {
                    "quiz": quiz.pk,
                    "lesson": lesson.pk,
                    "url": reverse("offline:paper", args=[paper.token]),
                    "token": paper.token,
                }
                for lesson, quiz, paper in papers
            ],
            "online_only": [
                {"lesson": lesson.pk, "title": activity.title} for lesson, activity in plan.online_only
            ],
            "h5p": _offline_activities(plan),
            "estimated_bytes": plan.estimated_bytes,
        }
    )


def _offline_activities(plan) -> dict | None:
    """The activities of a download its frames can play offline (``H5P_ORIGIN`` only): each one's
    files relative to its frame's page (the page finds the frame in the lesson it keeps), the
    player's runtime files, and the helper page of the H5P origin that keeps them."""
    if not plan.activities:
        return None
    origin = settings.H5P_ORIGIN
    runtime = h5p_frame.runtime_base()
    return {
        "origin": origin,
        "helper": origin + reverse("assessments:h5p_offline_helper"),
        "runtime": [origin + f"{runtime}/{name}" for name, _size in plan.runtime],
        "activities": [
            {
                "lesson": item.lesson.pk,
                "activity": item.activity.pk,
                "title": item.activity.title,
                "files": [path for path, _size in item.files],
                "bytes": sum(size for _path, size in item.files),
            }
            for item in plan.activities
        ],
    }


@login_required
@require_GET
def paper(request, paper_token: str):
    """A quiz to take offline: the questions of a paper drawn for this learner, no answers."""
    found = OfflinePaper.objects.select_related("quiz").filter(token=paper_token, user=request.user).first()
    if found is None:
        raise Http404(_("Quiz not found."))
    language = translation.get_language()
    lessons = sorted(
        LessonPage.objects.filter(translation_key=found.lesson_key).select_related("locale"),
        key=lambda page: page.locale.language_code != language,
    )
    if not lessons:
        raise Http404(_("Quiz not found."))
    access_for(user=request.user, page=lessons[0]).enforce()
    sitting = QuizAttempt(quiz=found.quiz, layout=found.layout)  # not stored: the paper's questions
    return render(
        request,
        "offline/paper.html",
        {
            "paper": found,
            "quiz": found.quiz,
            "lesson": lessons[0],
            "questions": quiz_selectors.attempt_questions(sitting),
            "used": found.attempt_id is not None,
        },
    )


@_json_login_required
@require_POST
def sync(request):
    """Work done offline, sent in order: ``{"items": [{"id", "kind", "at", …}]}`` → one outcome per
    item (``done`` or ``refused`` with the reason), and which offline copies may stay."""
    if len(request.body) > MAX_SYNC_BYTES:
        return JsonResponse({"error": _("Too much at once: send fewer items.")}, status=413)
    try:
        payload = json.loads(request.body or b"")
    except ValueError:
        return JsonResponse({"error": _("The request is not valid JSON.")}, status=400)
    items = payload.get("items") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        return JsonResponse({"error": _('Send {"items": [...]}.')}, status=400)
    if len(items) > services.MAX_ITEMS:
        return JsonResponse(
            {"error": _("At most %(count)d items at once.") % {"count": services.MAX_ITEMS}}, status=400
        )
    results = services.items_sync(user=request.user, items=items)
    return JsonResponse(
        {
            "results": results,
            "courses": {
                str(pk): release for pk, release in selectors.offline_courses(user=request.user).items()
            },
        }
    )

"""Learner quiz pages: start, answer (autosave), submit, result. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from courses.errors import CourseActionError
from courses.models import CoursePage, LessonPage
from courses.responses import refusal
from courses.selectors import access_for, lesson_state_for_user

from . import selectors, services
from .forms import answers_from_post
from .models import Quiz, QuizAttempt


def _own_attempt(request, attempt_id: int) -> tuple[QuizAttempt, LessonPage]:
    """The person's own attempt and its lesson (in the page's language where it has one), if the
    access decision still lets them into that lesson; an audience left, two-factor sign-in not
    set up or a lesson outside their release is refused like the lesson page itself."""
    attempt = QuizAttempt.objects.select_related("quiz").filter(pk=attempt_id, user=request.user).first()
    if attempt is None or attempt.lesson_key is None:
        raise Http404(_("Attempt not found."))  # another learner's attempt looks like a missing one
    language = translation.get_language()
    lessons = sorted(
        LessonPage.objects.filter(translation_key=attempt.lesson_key).select_related("locale"),
        key=lambda page: page.locale.language_code != language,
    )
    if not lessons:
        raise Http404(_("Attempt not found."))
    access_for(user=request.user, page=lessons[0]).enforce()
    return attempt, lessons[0]


@login_required
@require_POST
def start(request, quiz_id: int):
    quiz = Quiz.objects.filter(pk=quiz_id, live=True).first()
    lesson_id = request.POST.get("lesson", "")
    # Not only live lessons: a lesson removed from the current release is still in older ones.
    lesson = LessonPage.objects.filter(pk=lesson_id).first() if lesson_id.isdigit() else None
    if quiz is None or lesson is None:
        raise Http404(_("Quiz not found."))
    access_for(user=request.user, page=lesson).enforce()
    if not _lesson_shows_quiz(lesson, quiz):
        raise Http404(_("Quiz not found."))
    try:
        attempt = services.attempt_start(user=request.user, quiz=quiz, lesson=lesson)
    except CourseActionError as error:
        return refusal(request, error, lesson.url)
    return redirect("assessments:attempt", attempt.pk)


def _lesson_shows_quiz(lesson: LessonPage, quiz: Quiz) -> bool:
    return any(
        block.block_type == "quiz" and block.value["quiz"] and block.value["quiz"].pk == quiz.pk
        for block in lesson.body
    )


@login_required
@require_GET
def attempt(request, attempt_id: int):
    attempt, lesson = _own_attempt(request, attempt_id)
    if not attempt.is_submitted and services.attempts_expire_due(user=request.user, quiz=attempt.quiz):
        attempt.refresh_from_db()
    if attempt.is_submitted:
        return redirect("assessments:result", attempt.pk)
    attempt = services.attempt_tokens_ensure(attempt=attempt)  # an attempt from before tokens
    return render(
        request,
        "assessments/attempt.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "questions": selectors.attempt_questions(attempt),
            "lesson": lesson,
        },
    )


@login_required
@require_POST
def answer(request, attempt_id: int):
    """Autosave: answers for one or more questions, as the learner gives them."""
    attempt, _lesson = _own_attempt(request, attempt_id)
    try:
        saved = services.responses_save(
            user=request.user, attempt_id=attempt.pk, answers=answers_from_post(attempt, request.POST)
        )
    except CourseActionError as error:
        return JsonResponse({"error": str(error.message)}, status=error.status)
    return JsonResponse({"saved": saved})


@login_required
@require_POST
def submit(request, attempt_id: int):
    attempt, lesson = _own_attempt(request, attempt_id)
    try:
        services.attempt_submit(
            user=request.user, attempt_id=attempt.pk, answers=answers_from_post(attempt, request.POST)
        )
    except CourseActionError as error:
        return refusal(request, error, lesson.url)
    return redirect("assessments:result", attempt.pk)


@login_required
@require_GET
def result(request, attempt_id: int):
    attempt, lesson = _own_attempt(request, attempt_id)
    if not attempt.is_submitted:
        return redirect("assessments:attempt", attempt.pk)
    quiz = attempt.quiz
    state = selectors.quiz_state_for_user(quiz=quiz, user=request.user)
    show_feedback = selectors.review_allowed(quiz.show_feedback, state)
    show_answers = selectors.review_allowed(quiz.show_correct_answers, state)
    lesson_state = lesson_state_for_user(lesson=lesson, user=request.user)
    enrollment = lesson_state.enrollment
    course_complete = bool(enrollment and enrollment.is_completed)
    return render(
        request,
        "assessments/result.html",
        {
            "attempt": attempt,
            "quiz": quiz,
            "state": state,
            "show_feedback": show_feedback,
            "show_answers": show_answers,
            "questions": selectors.attempt_questions(
                attempt, reveal=show_answers, with_feedback=show_feedback
            ),
            "lesson": lesson,
            # The next step: the next lesson once this one is done, the course page (and its
            # certificate) once the course is complete.
            "next_lesson": lesson_state.next_lesson if state.passed and not course_complete else None,
            "course_complete": course_complete,
            "course": CoursePage.objects.ancestor_of(lesson).first() if course_complete else None,
        },
    )

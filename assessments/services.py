"""Writes for quizzes: starting attempts, saving answers, submitting and grading (regrading:
``assessments.regrading``).

Grading happens here and only here, on the server, from the answer keys of the question
revisions an attempt showed. Completing the lesson goes through ``courses.services`` — the
one completion path.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Revision

from courses import errors as course_errors
from courses import selectors as course_selectors
from courses import services as course_services
from courses.models import Enrollment, LessonPage

from . import grading, pairing
from . import layout as attempt_layout
from .models import Question, Quiz, QuizAttempt, QuizResponse

# A request that left the browser just before the deadline may arrive a little after it.
DEADLINE_GRACE = timedelta(seconds=15)


class QuizActionError(course_errors.CourseActionError):
    """A quiz action that cannot be done; carries an HTTP status and a readable message."""


class AttemptNotFound(QuizActionError):
    status = 404
    message = _("Attempt not found.")


class NoAttemptsLeft(QuizActionError):
    status = 409
    message = _("You have used all the attempts this quiz allows.")


class AttemptClosed(QuizActionError):
    status = 409
    message = _("This attempt has already been submitted; it cannot be changed.")


class TimeUp(QuizActionError):
    status = 409
    message = _("The time for this attempt is over; answers can no longer be changed.")


class QuestionNotInAttempt(QuizActionError):
    status = 400
    message = _("That question is not part of this attempt.")


class BadAnswer(QuizActionError):
    status = 400


class QuizUnavailable(QuizActionError):
    status = 409
    message = _("This quiz has no published questions yet.")


# --- grade arithmetic ----------------------------------------------------------------------------


# A learner's grade for a quiz from their submitted attempts' scores (by attempt number).
quiz_grade = grading.attempts_grade


def _passes(quiz: Quiz, grade: float | None, pass_mark: int | None = None) -> bool:
    if quiz.is_pre_test:
        return grade is not None  # a pre-test is done once it is submitted, whatever the score
    mark = quiz.pass_mark if pass_mark is None else pass_mark
    return grading.reaches_pass_mark(grade, mark)


def _user_scores(quiz_id: int, user_id: int) -> dict[int, float]:
    return dict(
        QuizAttempt.objects.filter(
            quiz_id=quiz_id, user_id=user_id, status=QuizAttempt.Status.SUBMITTED
        ).values_list("number", "score")
    )


# --- building quizzes -------------------------------------------------------------------------------


def quiz_parallel_form_check(*, quiz: Quiz) -> None:
    """Refuse, with a ValidationError naming the shared questions, a post-test that could show a
    question its pre-test could show, or a pre-test that could show one of its post-tests'.

    Call it on a quiz as built in memory (its fixed questions and random rules assigned) before
    saving it; the admin's quiz form applies the same rule (``assessments.admin_forms``).
    """
    pairing.check(quiz=quiz)


# --- starting an attempt ---------------------------------------------------------------------------


def _revision_contents(revision_ids) -> dict[int, dict]:
    return dict(Revision.objects.filter(pk__in=list(revision_ids)).values_list("pk", "content"))


def _released_quiz(quiz: Quiz, enrollment: Enrollment) -> tuple[Quiz, int | None, dict[int, int]]:
    """The quiz as the learner's release pinned it (its revision and its questions' revisions),
    else as it is published now."""
    pin = (enrollment.release.quiz_pins or {}).get(str(quiz.pk)) if enrollment.release_id else None
    if not pin:
        return quiz, quiz.live_revision_id, {}
    pinned = Revision.objects.get(pk=pin["revision"]).as_object()
    return pinned, pin["revision"], {int(qid): revision for qid, revision in pin.get("questions", {}).items()}


def _draw_questions(quiz: Quiz, rng: random.Random, pinned: dict[int, int]) -> list[tuple[int, int, int]]:
    """(question id, revision id, points) for one attempt, in the order they will be shown."""
    rows = sorted(quiz.fixed_questions.all(), key=lambda row: row.sort_order or 0)
    live = dict(
        Question.objects.filter(pk__in=[row.question_id for row in rows], live=True)
        .exclude(live_revision=None)
        .values_list("pk", "live_revision_id")
    )
    drawn = [
        (row.question_id, pinned.get(row.question_id) or live[row.question_id], row.points)
        for row in rows
        if pinned.get(row.question_id) or row.question_id in live
    ]
    chosen = {question_id for question_id, _revision, _points in drawn}
    for rule in sorted(quiz.random_rules.all(), key=lambda rule: rule.sort_order or 0):
        pool = list(
            Question.objects.filter(category_id=rule.category_id, live=True)
            .exclude(live_revision=None)
            .exclude(pk__in=chosen)
            .values_list("pk", "live_revision_id")
        )
        picked = rng.sample(pool, min(rule.count, len(pool)))
        chosen.update(question_id for question_id, _revision in picked)
        drawn.extend((question_id, revision, 1) for question_id, revision in picked)
    if quiz.shuffle_questions:
        rng.shuffle(drawn)
    return drawn


def _lesson_enrollment(*, user, lesson: LessonPage, lock: bool = False) -> Enrollment:
    enrollments = course_selectors.enrollment_for_lesson(
        user=user, lesson_key=lesson.translation_key
    ).select_related("release")
    if lock:
        enrollments = enrollments.select_for_update(of=("self",))
    enrollment = enrollments.first()
    if enrollment is None:
        raise course_errors.NotEnrolled()
    return enrollment


@transaction.atomic
def attempt_start(*, user, quiz: Quiz, lesson: LessonPage, rng: random.Random | None = None) -> QuizAttempt:
    """Open a new attempt (or return the one still open) for a learner enrolled in the lesson."""
    enrollment = _lesson_enrollment(user=user, lesson=lesson, lock=True)  # serialises concurrent starts
    open_attempt = QuizAttempt.objects.filter(
        quiz=quiz, user=user, status=QuizAttempt.Status.IN_PROGRESS
    ).first()
    if open_attempt is not None:
        if not _expired(open_attempt):
            return open_attempt
        _submit(open_attempt)
    used = QuizAttempt.objects.filter(quiz=quiz, user=user).count()
    if quiz.max_attempts and used >= quiz.max_attempts:
        raise NoAttemptsLeft()
    drawn = layout_draw(quiz=quiz, enrollment=enrollment, rng=rng)
    now = timezone.now()
    return QuizAttempt.objects.create(
        quiz=quiz,
        quiz_revision_id=drawn.quiz_revision_id,
        user=user,
        enrollment=enrollment,
        lesson_key=lesson.translation_key,
        number=used + 1,
        layout=drawn.layout,
        started_at=now,
        pass_mark=drawn.pass_mark,
        deadline=now + timedelta(minutes=drawn.time_limit_minutes) if drawn.time_limit_minutes else None,
    )


@dataclass(frozen=True)
class DrawnPaper:
    """The questions of one sitting of a quiz, as the learner's release has the quiz."""

    layout: list[dict]
    quiz_revision_id: int | None
    pass_mark: int | None
    time_limit_minutes: int | None


def layout_draw(*, quiz: Quiz, enrollment: Enrollment, rng: random.Random | None = None) -> DrawnPaper:
    """Draw the questions (and option tokens) of one sitting: an attempt, or a paper taken offline."""
    rng = rng or random.SystemRandom()
    released, quiz_revision_id, pinned = _released_quiz(quiz, enrollment)
    drawn = _draw_questions(released, rng, pinned)
    if not drawn:
        raise QuizUnavailable()
    contents = _revision_contents(revision for _question, revision, _points in drawn)
    layout = [
        attempt_layout.entry_build(
            question_id=question_id,
            revision=revision,
            points=points,
            key=grading.answer_key_from_revision(contents[revision]),
            shuffle_options=released.shuffle_options,
            rng=rng,
        )
        for question_id, revision, points in drawn
    ]
    return DrawnPaper(
        layout=layout,
        quiz_revision_id=quiz_revision_id,
        pass_mark=released.pass_mark,
        time_limit_minutes=released.time_limit_minutes,
    )


def _expired(attempt: QuizAttempt, now=None) -> bool:
    return attempt.deadline is not None and (now or timezone.now()) > attempt.deadline + DEADLINE_GRACE


# --- answering --------------------------------------------------------------------------------------


def _locked_attempt(*, user, attempt_id) -> QuizAttempt:
    attempt = (
        QuizAttempt.objects.select_for_update(of=("self",))
        .select_related("quiz")
        .filter(pk=attempt_id, user=user)
        .first()
    )
    if attempt is None:
        raise AttemptNotFound()  # another learner's attempt looks exactly like a missing one
    return attempt


def attempt_tokens_ensure(*, attempt: QuizAttempt, rng: random.Random | None = None) -> QuizAttempt:
    """Give an open attempt started before per-attempt tokens its tokens, once, before its page
    is shown; its saved responses keep the real option ids and stay as they are. No query for
    an attempt that has them."""
    if attempt.is_submitted or not attempt_layout.needs_tokens(attempt.layout):
        return attempt
    with transaction.atomic():
        locked = _locked_attempt(user=attempt.user_id, attempt_id=attempt.pk)
        if not locked.is_submitted and attempt_layout.needs_tokens(locked.layout):
            rng = rng or random.SystemRandom()
            locked.layout = [attempt_layout.with_tokens(entry, rng) for entry in locked.layout]
            locked.save(update_fields=["layout"])
    return locked


def _layout_entry(attempt: QuizAttempt, question_id) -> dict:
    for entry in attempt.layout:
        if str(entry["question"]) == str(question_id):
            return entry
    raise QuestionNotInAttempt()


def _save_answers(attempt: QuizAttempt, answers: dict) -> list[QuizResponse]:
    """Validate and store answers on a locked, open attempt (all or none); return all its responses."""
    if attempt.is_submitted:
        raise AttemptClosed()
    if _expired(attempt):
        raise TimeUp()
    cleaned = {}
    for question_id, answer in answers.items():
        entry = _layout_entry(attempt, question_id)
        try:
            cleaned[entry["question"]] = grading.clean_answer(
                {"kind": entry["kind"]}, answer, entry["options"]
            )
        except grading.InvalidAnswer as error:
            raise BadAnswer(str(error)) from None
    responses = {response.question_id: response for response in attempt.responses.all()}
    if not cleaned:
        return list(responses.values())
    now = timezone.now()
    changed, new = [], []
    for question_id, answer in cleaned.items():
        response = responses.get(question_id)
        if response is not None:
            response.answer, response.saved_at = answer, now
            changed.append(response)
        else:
            response = QuizResponse(attempt=attempt, question_id=question_id, answer=answer, saved_at=now)
            responses[question_id] = response
            new.append(response)
    if changed:
        QuizResponse.objects.bulk_update(changed, ["answer", "saved_at"])
    if new:
        QuizResponse.objects.bulk_create(new)
    return list(responses.values())


@transaction.atomic
def responses_save(*, user, attempt_id, answers: dict) -> int:
    """Save answers ({question id: answer}) to an open attempt as they are given; all or none."""
    attempt = _locked_attempt(user=user, attempt_id=attempt_id)
    _save_answers(attempt, answers)
    return len(answers)


# --- submitting and grading -------------------------------------------------------------------------


@dataclass
class GradedAttempt:
    points: float
    max_points: float
    score: float
    fractions: dict[int, float] = field(default_factory=dict)


def _grade_layout(layout: list[dict], answers: dict[int, dict], contents: dict[int, dict]) -> GradedAttempt:
    fractions, points, max_points = {}, 0.0, 0.0
    for entry in layout:
        key = grading.answer_key_from_revision(contents[entry["revision"]])
        fraction = grading.grade(key, answers.get(entry["question"]))
        fractions[entry["question"]] = fraction
        points += fraction * entry["points"]
        max_points += entry["points"]
    score = round(100 * points / max_points, 2) if max_points else 0.0
    return GradedAttempt(points=round(points, 4), max_points=max_points, score=score, fractions=fractions)


def _submit(attempt: QuizAttempt, responses: list[QuizResponse] | None = None, at=None) -> QuizAttempt:
    """Grade and close a locked, open attempt; complete the lesson when the quiz is passed.
    ``at``: when the learner submitted (an attempt taken offline), else now."""
    if responses is None:
        responses = list(attempt.responses.all())
    contents = _revision_contents(entry["revision"] for entry in attempt.layout)
    graded = _grade_layout(attempt.layout, {r.question_id: r.answer for r in responses}, contents)
    for response in responses:
        response.fraction = graded.fractions.get(response.question_id)
    if responses:
        QuizResponse.objects.bulk_update(responses, ["fraction"])
    quiz = attempt.quiz
    attempt.status = QuizAttempt.Status.SUBMITTED
    attempt.submitted_at = at or timezone.now()
    attempt.points, attempt.max_points, attempt.score = graded.points, graded.max_points, graded.score
    attempt.passed = _passes(quiz, graded.score, attempt.pass_mark)
    attempt.save(update_fields=["status", "submitted_at", "points", "max_points", "score", "passed"])
    scores = _user_scores(quiz.pk, attempt.user_id)
    if _passes(quiz, quiz_grade(scores, quiz.grading_method), attempt.pass_mark):
        _complete_lesson(attempt, at=at)
    return attempt


def _complete_lesson(attempt: QuizAttempt, at=None) -> bool:
    """Complete the attempt's lesson through the courses completion path; False if it already was."""
    if attempt.lesson_key is None:
        return False
    try:
        course_services.lesson_complete(
            user=attempt.user_id, lesson_key=attempt.lesson_key, by_activity=True, at=at
        )
    except (course_errors.AlreadyCompleted, course_errors.NotEnrolled):
        return False
    return True


@transaction.atomic
def attempt_submit(*, user, attempt_id, answers: dict | None = None) -> QuizAttempt:
    """Save any final answers, then grade and close the attempt. A second submit is refused."""
    attempt = _locked_attempt(user=user, attempt_id=attempt_id)
    if attempt.is_submitted:
        raise AttemptClosed()
    responses = _save_answers(attempt, answers) if answers and not _expired(attempt) else None
    return _submit(attempt, responses)


@transaction.atomic
def attempt_submit_taken_offline(
    *, user, quiz: Quiz, lesson: LessonPage, paper: DrawnPaper, answers_of, started_at, at
) -> QuizAttempt:
    """Grade a sitting the learner took offline on a paper drawn earlier: it becomes their next
    attempt, started and submitted when they did it. ``answers_of(attempt)`` reads the answers
    (they name the paper's option tokens). Raises NoAttemptsLeft, NotEnrolled, BadAnswer; nothing
    is written then."""
    enrollment = _lesson_enrollment(user=user, lesson=lesson, lock=True)
    used = QuizAttempt.objects.filter(quiz=quiz, user=user).count()
    if quiz.max_attempts and used >= quiz.max_attempts:
        raise NoAttemptsLeft()
    # Stored closed from the start (an attempt open online may exist beside it); graded below.
    attempt = QuizAttempt.objects.create(
        quiz=quiz,
        quiz_revision_id=paper.quiz_revision_id,
        user=user,
        enrollment=enrollment,
        lesson_key=lesson.translation_key,
        number=used + 1,
        layout=paper.layout,
        started_at=min(started_at, at),
        submitted_at=at,
        status=QuizAttempt.Status.SUBMITTED,
        pass_mark=paper.pass_mark,
    )
    attempt.status = QuizAttempt.Status.IN_PROGRESS  # in memory only: let the answers be saved
    responses = _save_answers(attempt, answers_of(attempt))
    return _submit(attempt, responses, at=at)


def attempts_expire_due(*, user, quiz: Quiz) -> int:
    """Submit a learner's open attempt whose time ran out (it is graded on what was saved)."""
    with transaction.atomic():
        due = [
            attempt
            for attempt in QuizAttempt.objects.select_for_update(of=("self",))
            .select_related("quiz")
            .filter(quiz=quiz, user=user, status=QuizAttempt.Status.IN_PROGRESS, deadline__isnull=False)
            if _expired(attempt)
        ]
        for attempt in due:
            _submit(attempt)
    return len(due)


# --- bulk loads (generated scale data, imports): rows already graded, nothing announced ---------


def attempts_bulk_create(attempts: list[QuizAttempt]) -> int:
    """Insert submitted attempts in batches; returns how many."""
    QuizAttempt.objects.bulk_create(attempts, batch_size=5000)
    return len(attempts)


def attempts_bulk_remove(people) -> None:
    """Delete every attempt of people (a queryset), with their responses."""
    QuizAttempt.objects.filter(user__in=people).delete()

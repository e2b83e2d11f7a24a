"""Regrading: when an editor corrects a question's answer key, every submitted attempt that
showed it is graded again (a plan first, shown to the editor; then applied, all or none), and
lessons completed or lost by the new scores follow."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import services as course_services
from courses.models import LessonProgress
from lms.accounts.services import audit_record

from . import grading
from .models import Question, QuizAttempt, QuizResponse, RegradeLog
from .services import (
    QuizActionError,
    _complete_lesson,
    _grade_layout,
    _passes,
    _revision_contents,
    _user_scores,
    quiz_grade,
)


@dataclass
class RegradeRow:
    """How one submitted attempt, and its learner's completion, would change."""

    attempt: QuizAttempt
    old_score: float
    new_score: float
    old_passed: bool
    new_passed: bool
    completion_change: str = ""  # "" | "completed" | "reopened"

    @property
    def changes(self) -> bool:
        return abs(self.old_score - self.new_score) > 1e-9 or self.old_passed != self.new_passed


@dataclass
class RegradePlan:
    question: Question
    revision_id: int
    rows: list[RegradeRow]

    @property
    def changed(self) -> list[RegradeRow]:
        return [row for row in self.rows if row.changes or row.completion_change]

    @property
    def completions_lost(self) -> list[RegradeRow]:
        return [row for row in self.rows if row.completion_change == "reopened"]

    @property
    def completions_gained(self) -> list[RegradeRow]:
        return [row for row in self.rows if row.completion_change == "completed"]


def regrade_plan(*, question: Question) -> RegradePlan:
    """What regrading every submitted attempt that showed this question, with its current published
    answer key, would change. Writes nothing."""
    revision_id = Question.objects.filter(pk=question.pk).values_list("live_revision_id", flat=True).first()
    if revision_id is None:
        raise QuizActionError(_("Publish the corrected question before regrading."))
    attempts = [
        attempt
        for attempt in QuizAttempt.objects.filter(status=QuizAttempt.Status.SUBMITTED)
        .select_related("quiz", "user")
        .order_by("quiz_id", "user_id", "number")
        if any(entry["question"] == question.pk for entry in attempt.layout)
    ]
    revision_ids = {entry["revision"] for attempt in attempts for entry in attempt.layout} | {revision_id}
    contents = _revision_contents(revision_ids)
    answers: dict[int, dict[int, dict]] = {}
    for response in QuizResponse.objects.filter(attempt__in=attempts):
        answers.setdefault(response.attempt_id, {})[response.question_id] = response.answer
    rows, new_scores = [], {}
    for attempt in attempts:
        layout = [
            {**entry, "revision": revision_id} if entry["question"] == question.pk else entry
            for entry in attempt.layout
        ]
        graded = _grade_layout(layout, answers.get(attempt.pk, {}), contents)
        rows.append(
            RegradeRow(
                attempt=attempt,
                old_score=attempt.score or 0.0,
                new_score=graded.score,
                old_passed=bool(attempt.passed),
                new_passed=_passes(attempt.quiz, graded.score, attempt.pass_mark),
            )
        )
        new_scores[attempt.pk] = graded.score
    _plan_completion_changes(rows, new_scores)
    return RegradePlan(question=question, revision_id=revision_id, rows=rows)


def _plan_completion_changes(rows: list[RegradeRow], new_scores: dict[int, float]) -> None:
    """Mark, per learner and quiz, whether their lesson would be completed or reopened."""
    by_learner: dict[tuple[int, int], list[RegradeRow]] = {}
    for row in rows:
        by_learner.setdefault((row.attempt.quiz_id, row.attempt.user_id), []).append(row)
    lesson_keys = {row.attempt.lesson_key for row in rows if row.attempt.lesson_key}
    completed = set(
        LessonProgress.objects.filter(lesson_key__in=lesson_keys, completed_at__isnull=False).values_list(
            "enrollment__user_id", "lesson_key"
        )
    )
    for (quiz_id, user_id), learner_rows in by_learner.items():
        quiz = learner_rows[0].attempt.quiz
        scores = _user_scores(quiz_id, user_id)
        mark = learner_rows[-1].attempt.pass_mark
        before = _passes(quiz, quiz_grade(scores, quiz.grading_method), mark)
        after_scores = {**scores, **{row.attempt.number: new_scores[row.attempt.pk] for row in learner_rows}}
        after = _passes(quiz, quiz_grade(after_scores, quiz.grading_method), mark)
        lesson_key = learner_rows[-1].attempt.lesson_key
        is_complete = (user_id, lesson_key) in completed
        change = ""
        if after and not is_complete:
            change = "completed"
        elif before and not after and is_complete:
            change = "reopened"
        if change:
            learner_rows[-1].completion_change = change


@transaction.atomic
def regrade_apply(*, question: Question, by, expected_changes: int | None = None) -> RegradePlan:
    """Regrade with the question's published answer key; results and completions follow; logged.

    ``expected_changes`` is the number of changes the editor was shown: if the data moved on
    since the preview, nothing is applied and the editor must look again.
    """
    plan = regrade_plan(question=question)
    if expected_changes is not None and expected_changes != len(plan.changed):
        raise QuizActionError(
            _("Results changed since the preview. Review the regrade again before applying it.")
        )
    now = timezone.now()
    logs = []
    for row in plan.rows:
        attempt = row.attempt
        attempt.layout = [
            {**entry, "revision": plan.revision_id} if entry["question"] == question.pk else entry
            for entry in attempt.layout
        ]
        if row.changes:
            attempt.score, attempt.passed = row.new_score, row.new_passed
            attempt.points = round(row.new_score * (attempt.max_points or 0) / 100, 4)
        attempt.save(update_fields=["layout", "score", "passed", "points"])
        if row.changes or row.completion_change:
            logs.append(
                RegradeLog(
                    attempt=attempt,
                    question=question,
                    question_revision_id=plan.revision_id,
                    old_score=row.old_score,
                    new_score=row.new_score,
                    old_passed=row.old_passed,
                    new_passed=row.new_passed,
                    completion_change=row.completion_change,
                    by=by,
                    at=now,
                )
            )
    contents = _revision_contents([plan.revision_id])
    key = grading.answer_key_from_revision(contents[plan.revision_id])
    responses = list(
        QuizResponse.objects.filter(attempt__in=[row.attempt for row in plan.rows], question=question)
    )
    for response in responses:
        response.fraction = grading.grade(key, response.answer)
    QuizResponse.objects.bulk_update(responses, ["fraction"])
    RegradeLog.objects.bulk_create(logs)
    for log in logs:
        audit_record(
            action="attempt.regraded",
            actor=by,
            subject=log.attempt.user,
            obj=log.attempt,
            question=question.pk,
            old_score=log.old_score,
            new_score=log.new_score,
            completion=log.completion_change or None,
        )
    for row in plan.rows:
        if row.completion_change == "completed":
            _complete_lesson(row.attempt)
        elif row.completion_change == "reopened":
            _reopen_lesson(row.attempt, by=by)
    return plan


def _reopen_lesson(attempt: QuizAttempt, *, by=None) -> None:
    if attempt.enrollment_id and attempt.lesson_key:
        course_services.lesson_reopen(
            enrollment_id=attempt.enrollment_id,
            lesson_key=attempt.lesson_key,
            by=by,
            reason=f"regrade of quiz {attempt.quiz_id}",
        )

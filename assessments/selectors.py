"""Reads for quizzes: what a learner sees, results for staff, item analysis, knowledge gain."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Avg, Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from wagtail.models import Revision

from courses.models import Enrollment
from lms.i18n import bilingual

from . import grading, layout
from .models import Question, Quiz, QuizAttempt, QuizResponse
from .services import quiz_grade


def _lang() -> str:
    return "en" if translation.get_language() == "en" else "mn"


def _pick(item: dict, name: str) -> str:
    return bilingual(item, name)


# --- the learner's view of a quiz --------------------------------------------------------------


@dataclass
class QuizState:
    """A learner's standing on a quiz: attempts, grade, whether they may start another."""

    quiz: Quiz
    attempts: list[QuizAttempt]
    open_attempt: QuizAttempt | None
    grade: float | None
    passed: bool

    @property
    def submitted(self) -> list[QuizAttempt]:
        return [attempt for attempt in self.attempts if attempt.is_submitted]

    @property
    def attempts_left(self) -> int | None:
        if not self.quiz.max_attempts:
            return None
        return max(0, self.quiz.max_attempts - len(self.attempts))

    @property
    def can_start(self) -> bool:
        return self.open_attempt is None and (self.attempts_left is None or self.attempts_left > 0)

    @property
    def finished(self) -> bool:
        """Passed, or out of attempts: the point after which 'after_finished' review opens."""
        return self.passed or self.attempts_left == 0


def quiz_state_for_user(*, quiz: Quiz, user) -> QuizState:
    attempts = (
        list(QuizAttempt.objects.filter(quiz=quiz, user=user).order_by("number"))
        if user.is_authenticated
        else []
    )
    scores = {attempt.number: attempt.score for attempt in attempts if attempt.is_submitted}
    grade = quiz_grade(scores, quiz.grading_method)
    passed = grade is not None and (quiz.is_pre_test or grade + 1e-9 >= quiz.pass_mark)
    open_attempt = next((attempt for attempt in attempts if not attempt.is_submitted), None)
    return QuizState(quiz=quiz, attempts=attempts, open_attempt=open_attempt, grade=grade, passed=passed)


def review_allowed(setting: str, state: QuizState) -> bool:
    if setting == Quiz.Review.AFTER_ATTEMPT:
        return True
    if setting == Quiz.Review.AFTER_FINISHED:
        return state.finished
    return False


# --- an attempt as a form, or as a result ---------------------------------------------------------


@dataclass
class ShownOption:
    id: str  # the real option id: stays on the server
    text: str
    token: str = ""  # what the page calls this option in this attempt (see assessments.layout)
    chosen: bool = False
    correct: bool = False
    feedback: str = ""
    position: int | None = None  # ordering: the learner's position for this item
    matched: str | None = None  # matching: the id the learner matched this item with
    matched_token: str = ""  # matching: the token of the answer the learner chose
    matched_text: str = ""


@dataclass
class ShownQuestion:
    number: int
    question_id: int
    kind: str
    text: str
    points: int
    options: list[ShownOption]
    matches: list[ShownOption] = field(default_factory=list)
    answer: dict | None = None
    text_answer: str = ""
    true_false: bool | None = None
    fraction: float | None = None
    explanation: str = ""
    correct_answer_text: str = ""

    @property
    def answered(self) -> bool:
        return bool(self.answer)


def attempt_questions(
    attempt: QuizAttempt, *, reveal: bool = False, with_feedback: bool = False
) -> list[ShownQuestion]:
    """The questions of an attempt, as it showed them, with the learner's saved answers.

    ``reveal`` adds the correct answers; ``with_feedback`` the per-option feedback and the
    explanation. Two queries, whatever the number of questions. An unsaved attempt (a paper
    taken offline) shows its questions with no answers.
    """
    contents = dict(
        Revision.objects.filter(pk__in=[entry["revision"] for entry in attempt.layout]).values_list(
            "pk", "content"
        )
    )
    answers, fractions = {}, {}
    responses = QuizResponse.objects.filter(attempt=attempt) if attempt.pk else QuizResponse.objects.none()
    for question_id, answer, fraction in responses.values_list("question_id", "answer", "fraction"):
        answers[question_id], fractions[question_id] = answer, fraction
    shown = []
    for number, entry in enumerate(attempt.layout, 1):
        content = contents[entry["revision"]]
        key = grading.answer_key_from_revision(content)
        by_id = {option["id"]: option for option in key["options"]}
        answer = answers.get(entry["question"]) or {}
        chosen = set(answer.get("options", [])) | ({answer["option"]} if answer.get("option") else set())
        order = answer.get("order") or []
        pairs = answer.get("pairs") or {}
        tokens = layout.token_of_option(entry)
        match_tokens = layout.token_of_match(entry)
        options = []
        for option_id in entry["options"]:
            option = by_id.get(option_id)
            if option is None:
                continue
            options.append(
                ShownOption(
                    id=option_id,
                    token=tokens[option_id],
                    text=_pick(option, "text"),
                    chosen=option_id in chosen,
                    correct=option["correct"] if reveal else False,
                    feedback=_pick(option, "feedback") if with_feedback and option_id in chosen else "",
                    position=order.index(option_id) + 1 if option_id in order else None,
                    matched=pairs.get(option_id),
                    matched_token=match_tokens.get(pairs.get(option_id), ""),
                    matched_text=_pick(by_id[pairs[option_id]], "match")
                    if pairs.get(option_id) in by_id
                    else "",
                )
            )
        matches = [
            ShownOption(id=option_id, token=match_tokens[option_id], text=_pick(by_id[option_id], "match"))
            for option_id in entry.get("matches", [])
            if option_id in by_id
        ]
        question = ShownQuestion(
            number=number,
            question_id=entry["question"],
            kind=entry["kind"],
            text=_pick(content, "text"),
            points=entry["points"],
            options=options,
            matches=matches,
            answer=answer or None,
            text_answer=answer.get("text", ""),
            true_false=answer.get("value"),
            fraction=fractions.get(entry["question"]),
            explanation=_pick(content, "explanation") if with_feedback else "",
        )
        if reveal:
            question.correct_answer_text = _correct_answer_text(key)
        shown.append(question)
    return shown


def _correct_answer_text(key: dict) -> str:
    kind, options = key["kind"], key["options"]
    if kind in ("single_choice", "multiple_response"):
        return "; ".join(_pick(option, "text") for option in options if option["correct"])
    if kind == "true_false":
        return gettext("True") if key["answer"] else gettext("False")
    if kind == "short_text":
        accepted = key["accepted"][_lang()] or key["accepted"]["mn"] or key["accepted"]["en"]
        return accepted[0] if accepted else ""
    if kind == "ordering":
        return " → ".join(_pick(option, "text") for option in options)
    if kind == "matching":
        return "; ".join(f"{_pick(option, 'text')} = {_pick(option, 'match')}" for option in options)
    return ""


# --- results for staff -------------------------------------------------------------------------------


def quiz_attempts(
    *,
    quiz: Quiz,
    status: str | None = None,
    passed: bool | None = None,
    search: str = "",
    since=None,
    until=None,
) -> QuerySet[QuizAttempt]:
    """Attempts at a quiz, newest first, filtered as staff ask."""
    attempts = QuizAttempt.objects.filter(quiz=quiz).select_related(
        "user", "user__organisation", "user__region"
    )
    if status:
        attempts = attempts.filter(status=status)
    if passed is not None:
        attempts = attempts.filter(passed=passed)
    if search:
        attempts = attempts.filter(Q(user__full_name__icontains=search) | Q(user__email__icontains=search))
    if since:
        attempts = attempts.filter(started_at__date__gte=since)
    if until:
        attempts = attempts.filter(started_at__date__lte=until)
    return attempts.order_by("-started_at")


@dataclass
class ItemStatistics:
    question: Question
    responses: int
    facility: float | None  # mean fraction of the marks earned, 0..1
    discrimination: float | None  # correlation of the item's score with the attempt's total, -1..1


def item_analysis(*, quiz: Quiz) -> list[ItemStatistics]:
    """Facility and discrimination of each question, over submitted attempts, computed in the database."""
    rows = (
        QuizResponse.objects.filter(attempt__quiz=quiz, attempt__status=QuizAttempt.Status.SUBMITTED)
        .values("question_id")
        .annotate(
            n=Count("id"),
            sx=Sum("fraction"),
            sy=Sum("attempt__score"),
            sxx=Sum(F("fraction") * F("fraction"), output_field=FloatField()),
            syy=Sum(Cast(F("attempt__score"), FloatField()) * F("attempt__score"), output_field=FloatField()),
            sxy=Sum(F("fraction") * F("attempt__score"), output_field=FloatField()),
        )
    )
    questions = Question.objects.in_bulk([row["question_id"] for row in rows])
    result = []
    for row in rows:
        n = row["n"]
        facility = row["sx"] / n if n and row["sx"] is not None else None
        discrimination = None
        if n > 1 and None not in (row["sx"], row["sy"], row["sxx"], row["syy"], row["sxy"]):
            cov = row["sxy"] - row["sx"] * row["sy"] / n
            var_x = row["sxx"] - row["sx"] ** 2 / n
            var_y = row["syy"] - row["sy"] ** 2 / n
            if var_x > 1e-12 and var_y > 1e-12:
                discrimination = max(-1.0, min(1.0, cov / math.sqrt(var_x * var_y)))
        result.append(
            ItemStatistics(
                question=questions[row["question_id"]],
                responses=n,
                facility=facility,
                discrimination=discrimination,
            )
        )
    result.sort(key=lambda item: item.question.pk)
    return result


def quiz_summary(*, quiz: Quiz) -> dict:
    """Counts for the top of the staff results page."""
    return QuizAttempt.objects.filter(quiz=quiz, status=QuizAttempt.Status.SUBMITTED).aggregate(
        attempts=Count("id"),
        learners=Count("user", distinct=True),
        mean=Avg("score"),
        passed=Count("id", filter=Q(passed=True)),
    )


def regrade_logs(*, question: Question) -> QuerySet:
    """The regrade history of a question, newest first."""
    from .models import RegradeLog

    return RegradeLog.objects.filter(question=question).select_related("attempt__user", "by")[:200]


# --- knowledge gain ------------------------------------------------------------------------------------
#
# The rule: per enrolment, the score of its FIRST submitted pre-test attempt against the score of
# its FIRST submitted post-test attempt; enrolments with both count. Retakes of the post-test
# count for passing and completion (the quiz's grading method) but never for the gain: a
# learner who sees feedback and retries measures recall of that feedback, not what the course
# taught. Attempts without an enrolment do not count.

GAIN_RULE = gettext_lazy(
    "Knowledge gain compares each enrolment's first pre-test attempt with its first post-test "
    "attempt, for enrolments that have both. Retakes of the post-test count for passing and "
    "completion, never for the gain."
)


@dataclass
class LearnerGain:
    enrollment_id: int
    user_id: int
    pre: float
    post: float

    @property
    def gain(self) -> float:
        return self.post - self.pre

    @property
    def improved(self) -> bool:
        return self.post > self.pre


@dataclass
class KnowledgeGain:
    learners: int  # enrolments with both tests
    pre_mean: float | None
    post_mean: float | None
    gain: float | None
    improved_share: float | None  # 0..1


def _gain_quizzes(post_test: Quiz | None) -> dict[str, list[int]]:
    """The quizzes that count, by kind: every pre- and post-test, or one post-test and its pair."""
    if post_test is not None:
        return {
            Quiz.Kind.PRE_TEST: [post_test.pre_test_id] if post_test.pre_test_id else [],
            Quiz.Kind.POST_TEST: [post_test.pk],
        }
    quizzes: dict[str, list[int]] = {Quiz.Kind.PRE_TEST: [], Quiz.Kind.POST_TEST: []}
    for pk, kind in Quiz.objects.filter(kind__in=list(quizzes)).values_list("pk", "kind"):
        quizzes[kind].append(pk)
    return quizzes


def learner_gains(*, course=None, user=None, post_test: Quiz | None = None) -> list[LearnerGain]:
    """Per enrolment with both tests: its first pre-test score and its first post-test score.

    ``course`` limits to enrolments in that course (any translation of the course page);
    ``user`` to one learner; ``post_test`` to that post-test and its paired pre-test.
    """
    quizzes = _gain_quizzes(post_test)
    kind_of = {pk: kind for kind, pks in quizzes.items() for pk in pks}
    attempts = QuizAttempt.objects.filter(
        quiz_id__in=list(kind_of), status=QuizAttempt.Status.SUBMITTED, enrollment__isnull=False
    )
    if course is not None:
        attempts = attempts.filter(enrollment__course__translation_key=course.translation_key)
    if user is not None:
        attempts = attempts.filter(user=user)
    first: dict[tuple[int, str], tuple[int, float]] = {}
    for enrollment_id, user_id, quiz_id, score in attempts.order_by(
        "submitted_at", "number", "pk"
    ).values_list("enrollment_id", "user_id", "quiz_id", "score"):
        first.setdefault((enrollment_id, kind_of[quiz_id]), (user_id, score))
    gains = []
    for (enrollment_id, kind), (user_id, pre) in first.items():
        post = first.get((enrollment_id, Quiz.Kind.POST_TEST))
        if kind == Quiz.Kind.PRE_TEST and post is not None:
            gains.append(LearnerGain(enrollment_id=enrollment_id, user_id=user_id, pre=pre, post=post[1]))
    return sorted(gains, key=lambda gain: gain.enrollment_id)


def knowledge_gain(*, course=None, post_test: Quiz | None = None) -> KnowledgeGain:
    """Pre mean, post mean, mean gain (percentage points) and the share of enrolments that improved,
    computed by the database (see :func:`knowledge_gain_sums`)."""
    enrollments = Enrollment.objects.all()
    if course is not None:
        enrollments = enrollments.filter(course__translation_key=course.translation_key)
    summary = gain_summary(knowledge_gain_sums(enrollments, post_test=post_test), None).get(None)
    if summary is None:
        return KnowledgeGain(learners=0, pre_mean=None, post_mean=None, gain=None, improved_share=None)
    return KnowledgeGain(
        learners=summary["learners"],
        pre_mean=summary["pre_mean"],
        post_mean=summary["post_mean"],
        gain=summary["gain"],
        improved_share=summary["improved_share"],
    )


def knowledge_gain_sums(enrollments: QuerySet, *dimensions, post_test: Quiz | None = None) -> list[dict]:
    """Knowledge-gain sums of the given enrolments grouped by ``dimensions`` (field paths or
    expressions on Enrollment, e.g. ``"course"``, ``"user__region"``; none: one group), in one
    database query.

    Per enrolment, the pre-test score is its first submitted pre-test attempt and the post-test
    score its first submitted post-test attempt (the rule above); enrolments with both count.
    ``post_test`` limits to one post-test and its paired pre-test.
    Returns ``[{"keys": (...), "learners", "pre_sum", "post_sum", "improved"}]``; combine groups
    with :func:`gain_summary`.
    """
    quizzes = _gain_quizzes(post_test)
    pre_ids, post_ids = quizzes[Quiz.Kind.PRE_TEST], quizzes[Quiz.Kind.POST_TEST]
    if not pre_ids or not post_ids:
        return []
    keys = [f"k{n}" for n in range(len(dimensions))]
    cohort_sql, cohort_params = (
        enrollments.order_by()
        .annotate(**{key: F(d) if isinstance(d, str) else d for key, d in zip(keys, dimensions, strict=True)})
        .values_list("pk", *keys)
        .query.sql_with_params()
    )

    def among(ids: list[int]) -> str:
        return "(" + ", ".join(["%s"] * len(ids)) + ")"

    # One row per attempt that counts, numbered within its enrolment and test kind by time.
    is_pre = f"CASE WHEN quiz_id IN {among(pre_ids)} THEN 1 ELSE 0 END"
    rows_sql = (
        f"SELECT enrollment_id, score, {is_pre} AS is_pre, "  # noqa: S608  # nosec B608
        f"ROW_NUMBER() OVER (PARTITION BY enrollment_id, {is_pre} ORDER BY submitted_at, number, id) AS n "
        f"FROM {QuizAttempt._meta.db_table} WHERE status = %s AND enrollment_id IS NOT NULL "
        f"AND quiz_id IN {among(pre_ids + post_ids)}"
    )
    rows_params = [*pre_ids, *pre_ids, QuizAttempt.Status.SUBMITTED.value, *pre_ids, *post_ids]
    per_enrolment = (
        "SELECT enrollment_id, MAX(CASE WHEN is_pre = 1 THEN score END) AS pre, "  # noqa: S608  # nosec B608
        f"MAX(CASE WHEN is_pre = 0 THEN score END) AS post FROM ({rows_sql}) attempts "
        "WHERE n = 1 GROUP BY enrollment_id"
    )
    key_list = ", ".join(f"c.{key}" for key in keys)
    columns = ", ".join(["id", *keys])
    # Every value is a parameter; table and column names come from the models and this function.
    query = (
        f"WITH c ({columns}) AS ({cohort_sql}) "  # noqa: S608  # nosec B608
        f"SELECT {key_list + ', ' if keys else ''}COUNT(*), SUM(s.pre), SUM(s.post), "
        "SUM(CASE WHEN s.post > s.pre THEN 1 ELSE 0 END) "
        f"FROM c JOIN ({per_enrolment}) s ON s.enrollment_id = c.id "
        "WHERE s.pre IS NOT NULL AND s.post IS NOT NULL" + (f" GROUP BY {key_list}" if keys else "")
    )
    with connections[enrollments.db].cursor() as cursor:
        cursor.execute(query, [*cohort_params, *rows_params])  # nosec B608
        rows = cursor.fetchall()
    width = len(keys)
    return [
        {
            "keys": tuple(row[:width]),
            "learners": row[width],
            "pre_sum": float(row[width + 1]),
            "post_sum": float(row[width + 2]),
            "improved": int(row[width + 3]),
        }
        for row in rows
        if row[width]  # no dimension and nobody with both tests: one empty row
    ]


def gain_summary(sums: list[dict], index: int | None = 0) -> dict:
    """Means from :func:`knowledge_gain_sums`, grouped by the key at ``index`` (None: all together).

    Returns ``{key: {"key", "learners", "pre_mean", "post_mean", "gain", "improved_share"}}``.
    """
    totals: dict = {}
    for row in sums:
        key = None if index is None else row["keys"][index]
        total = totals.setdefault(key, [0, 0.0, 0.0, 0])
        total[0] += row["learners"]
        total[1] += row["pre_sum"]
        total[2] += row["post_sum"]
        total[3] += row["improved"]
    result = {}
    for key, (learners, pre_sum, post_sum, improved) in totals.items():
        pre_mean, post_mean = pre_sum / learners, post_sum / learners
        result[key] = {
            "key": key,
            "learners": learners,
            "pre_mean": round(pre_mean, 2),
            "post_mean": round(post_mean, 2),
            "gain": round(post_mean - pre_mean, 2),
            "improved_share": round(improved / learners, 4),
        }
    return result

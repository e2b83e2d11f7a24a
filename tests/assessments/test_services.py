"""Attempts: start, answer, submit, grade, complete the lesson; regrade; knowledge gain."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import regrading, selectors, services
from assessments.models import Question, Quiz, QuizAttempt, QuizResponse, RegradeLog
from courses import errors as course_errors
from courses import services as course_services
from courses.models import Enrollment, LessonProgress
from tests.assessments import helpers
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(site, learner):
    questions = [helpers.question(text=f"Q{n}") for n in range(4)]
    quiz = helpers.quiz(questions, pass_mark=75, max_attempts=3)
    built = helpers.course_with_quiz(quiz, lessons=2, quiz_position=1)
    enrollment = course_services.enrollment_create(user=learner, course=built.mn)
    return {
        "quiz": quiz,
        "course": built,
        "lesson": built.lessons["en"][1],
        "questions": questions,
        "enrollment": enrollment,
    }


def right(attempt, question_id):
    """The id of the right option as the attempt shows it."""
    entry = next(e for e in attempt.layout if e["question"] == question_id)
    question = Question.objects.get(pk=question_id)
    correct = {o["id"] for o in question.answer_key()["options"] if o["correct"]}
    return next(option for option in entry["options"] if option in correct)


def wrong(attempt, question_id):
    entry = next(e for e in attempt.layout if e["question"] == question_id)
    return next(option for option in entry["options"] if option != right(attempt, question_id))


def answer_all(attempt, *, correct: int):
    """Answers for every question: the first ``correct`` right, the rest wrong."""
    return {
        entry["question"]: {"option": (right if n < correct else wrong)(attempt, entry["question"])}
        for n, entry in enumerate(attempt.layout)
    }


def test_start_records_revisions_and_option_order(setup, learner):
    attempt = services.attempt_start(
        user=learner, quiz=setup["quiz"], lesson=setup["lesson"], rng=random.Random(3)
    )
    assert attempt.number == 1 and attempt.quiz_revision_id == setup["quiz"].live_revision_id
    assert attempt.enrollment_id == setup["enrollment"].pk
    assert [e["question"] for e in attempt.layout] == [q.pk for q in setup["questions"]]
    for entry, question in zip(attempt.layout, setup["questions"], strict=True):
        assert entry["revision"] == question.live_revision_id
        assert sorted(entry["options"]) == sorted(o["id"] for o in question.answer_key()["options"])


def test_an_open_attempt_is_resumed_not_duplicated(setup, learner):
    first = services.attempt_start(user=learner, quiz=setup["quiz"], lesson=setup["lesson"])
    question_id = first.layout[0]["question"]
    services.responses_save(
        user=learner, attempt_id=first.pk, answers={question_id: {"option": right(first, question_id)}}
    )
    again = services.attempt_start(user=learner, quiz=setup["quiz"], lesson=setup["lesson"])
    assert again.pk == first.pk
    shown = selectors.attempt_questions(again)
    assert shown[0].answered and [o.chosen for o in shown[0].options].count(True) == 1


def test_starting_needs_an_enrolment(setup):
    with pytest.raises(course_errors.NotEnrolled):
        services.attempt_start(user=UserFactory(), quiz=setup["quiz"], lesson=setup["lesson"])
    assert not QuizAttempt.objects.exists()


def test_fail_retry_pass_completes_the_lesson_and_the_course(setup, learner):
    enrollment = setup["enrollment"]
    course_services.lesson_complete(user=learner, lesson_key=setup["course"].lessons["mn"][0].translation_key)
    attempt = services.attempt_start(user=learner, quiz=setup["quiz"], lesson=setup["lesson"])
    failed = services.attempt_submit(
        user=learner, attempt_id=attempt.pk, answers=answer_all(attempt, correct=2)
    )
    assert (failed.score, failed.passed) == (50.0, False)
    assert not LessonProgress.objects.filter(
        lesson_key=setup["lesson"].translation_key, completed_at__isnull=False
    ).exists()
    retry = services.attempt_start(user=learner, quiz=setup["quiz"], lesson=setup["lesson"])
    assert retry.number == 2
    passed = services.attempt_submit(user=learner, attempt_id=retry.pk, answers=answer_all(retry, correct=3))
    assert (passed.score, passed.passed) == (75.0, True)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED


def test_the_quiz_lesson_cannot_be_marked_complete_by_hand(setup, learner):
    with pytest.raises(course_errors.CompletedByActivity):
        course_services.lesson_complete(user=learner, lesson_key=setup["lesson"].translation_key)
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()


def test_max_attempts_is_enforced(setup, learner):
    for _ in range(3):
        attempt = services.attempt_start(user=learner, quiz=setup["quiz"], lesson=setup["lesson"])
        services.attempt_submit(user=learner, attempt_id=attempt.pk, answers=answer_all(attempt, correct=0))
    with pytest.raises(services.NoAttemptsLeft):
        services.attempt_start(user=learner, quiz=setup["quiz"], lesson=setup["lesson"])
    assert QuizAttempt.objects.count() == 3


def test_a_pre_test_completes_its_lesson_on_submission_whatever_the_score(site, learner):
    pre = helpers.quiz([helpers.question()], kind=Quiz.Kind.PRE_TEST, pass_mark=70)
    built = helpers.course_with_quiz(pre, lessons=1, quiz_position=0)
    course_services.enrollment_create(user=learner, course=built.mn)
    attempt = services.attempt_start(user=learner, quiz=pre, lesson=built.lessons["mn"][0])
    result = services.attempt_submit(user=learner, attempt_id=attempt.pk, answers={})
    assert result.score == 0 and result.passed is True
    assert Enrollment.objects.get(user=learner).is_completed


def test_a_second_submit_is_refused_and_changes_nothing(setup, learner):
    attempt = services.attempt_start(user=learner, quiz=setup["quiz"], lesson=setup["lesson"])
    services.attempt_submit(user=learner, attempt_id=attempt.pk, answers=answer_all(attempt, correct=1))
    with pytest.raises(services.AttemptClosed):
        services.attempt_submit(user=learner, attempt_id=attempt.pk, answers=answer_all(attempt, correct=4))
    attempt.refresh_from_db()
    assert attempt.score == 25.0


def test_submitted_attempts_are_immutable(setup, learner):
    attempt = services.attempt_start(user=learner, quiz=setup["quiz"], lesson=setup["lesson"])
    services.attempt_submit(user=learner, attempt_id=attempt.pk, answers=answer_all(attempt, correct=1))
    before = list(QuizResponse.objects.values_list("question_id", "answer"))
    with pytest.raises(services.AttemptClosed):
        services.responses_save(user=learner, attempt_id=attempt.pk, answers=answer_all(attempt, correct=4))
    assert list(QuizResponse.objects.values_list("question_id", "answer")) == before


def test_answers_for_another_learners_attempt_are_refused_as_not_found(setup, learner):
    attempt = services.attempt_start(user=learner, quiz=setup["quiz"], lesson=setup["lesson"])
    intruder = UserFactory()
    with pytest.raises(services.AttemptNotFound):
        services.responses_save(user=intruder, attempt_id=attempt.pk, answers=answer_all(attempt, correct=4))
    with pytest.raises(services.AttemptNotFound):
        services.attempt_submit(user=intruder, attempt_id=attempt.pk)
    assert not QuizResponse.objects.exists()
    assert QuizAttempt.objects.get().status == QuizAttempt.Status.IN_PROGRESS


def test_answers_for_questions_not_in_the_attempt_are_refused(setup, learner):
    attempt = services.attempt_start(user=learner, quiz=setup["quiz"], lesson=setup["lesson"])
    stranger = helpers.question(text="Not in this quiz")
    with pytest.raises(services.QuestionNotInAttempt):
        services.responses_save(
            user=learner,
            attempt_id=attempt.pk,
            answers={stranger.pk: {"option": "x"}, **answer_all(attempt, correct=4)},
        )
    assert not QuizResponse.objects.exists(), "all or nothing"


def test_options_that_do_not_exist_are_refused(setup, learner):
    attempt = services.attempt_start(user=learner, quiz=setup["quiz"], lesson=setup["lesson"])
    question_id = attempt.layout[0]["question"]
    with pytest.raises(services.BadAnswer):
        services.responses_save(
            user=learner, attempt_id=attempt.pk, answers={question_id: {"option": "forged"}}
        )
    assert not QuizResponse.objects.exists()


def test_time_limit_is_enforced_on_the_server(site, learner):
    timed = helpers.quiz([helpers.question(), helpers.question()], time_limit_minutes=10, pass_mark=50)
    built = helpers.course_with_quiz(timed, lessons=1, quiz_position=0)
    course_services.enrollment_create(user=learner, course=built.mn)
    attempt = services.attempt_start(user=learner, quiz=timed, lesson=built.lessons["mn"][0])
    assert attempt.deadline - attempt.started_at == timedelta(minutes=10)
    first = attempt.layout[0]["question"]
    services.responses_save(
        user=learner, attempt_id=attempt.pk, answers={first: {"option": right(attempt, first)}}
    )
    QuizAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    second = attempt.layout[1]["question"]
    with pytest.raises(services.TimeUp):
        services.responses_save(
            user=learner, attempt_id=attempt.pk, answers={second: {"option": right(attempt, second)}}
        )
    graded = services.attempt_submit(
        user=learner, attempt_id=attempt.pk, answers={second: {"option": right(attempt, second)}}
    )
    assert graded.score == 50.0, "only the answer saved in time counts"


def test_an_expired_attempt_is_submitted_when_the_learner_returns(site, learner):
    timed = helpers.quiz([helpers.question()], time_limit_minutes=5)
    built = helpers.course_with_quiz(timed, lessons=1, quiz_position=0)
    course_services.enrollment_create(user=learner, course=built.mn)
    attempt = services.attempt_start(user=learner, quiz=timed, lesson=built.lessons["mn"][0])
    QuizAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    assert services.attempts_expire_due(user=learner, quiz=timed) == 1
    assert QuizAttempt.objects.get(pk=attempt.pk).is_submitted


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (Quiz.Grading.HIGHEST, 75.0),
        (Quiz.Grading.LAST, 25.0),
        (Quiz.Grading.FIRST, 50.0),
        (Quiz.Grading.AVERAGE, 50.0),
    ],
)
def test_grading_methods(site, learner, method, expected):
    questions = [helpers.question() for _ in range(4)]
    q = helpers.quiz(questions, grading_method=method, pass_mark=100)
    built = helpers.course_with_quiz(q, lessons=1, quiz_position=0)
    course_services.enrollment_create(user=learner, course=built.mn)
    for correct in (2, 3, 1):
        attempt = services.attempt_start(user=learner, quiz=q, lesson=built.lessons["mn"][0])
        services.attempt_submit(
            user=learner, attempt_id=attempt.pk, answers=answer_all(attempt, correct=correct)
        )
    assert selectors.quiz_state_for_user(quiz=q, user=learner).grade == expected


def test_random_quizzes_draw_from_categories(site, learner):
    from assessments.models import QuizRandomRule

    pool = helpers.category("pool")
    for n in range(6):
        helpers.question(text=f"P{n}", cat=pool)
    q = helpers.quiz([])
    q.random_rules = [QuizRandomRule(category=pool, count=4)]
    q.save()
    q.save_revision().publish()
    built = helpers.course_with_quiz(q, lessons=1, quiz_position=0)
    course_services.enrollment_create(user=learner, course=built.mn)
    attempt = services.attempt_start(
        user=learner, quiz=q, lesson=built.lessons["mn"][0], rng=random.Random(1)
    )
    drawn = [entry["question"] for entry in attempt.layout]
    assert len(drawn) == len(set(drawn)) == 4
    assert set(drawn) <= set(pool.questions.values_list("pk", flat=True))


def test_drafts_do_not_reach_learners(setup, learner):
    question = setup["questions"][0]
    question.text_en = "A draft edit"
    question.save_revision()  # saved, not published
    attempt = services.attempt_start(user=learner, quiz=setup["quiz"], lesson=setup["lesson"])
    shown = selectors.attempt_questions(attempt)
    assert shown[0].text != "A draft edit"


def test_submitting_thirty_questions_costs_a_constant_number_of_queries(site, learner):
    counts = {}
    for size in (3, 30):
        user = UserFactory()
        questions = [helpers.question() for _ in range(size)]
        q = helpers.quiz(questions, pass_mark=50)
        built = helpers.course_with_quiz(q, lessons=1, quiz_position=0)
        course_services.enrollment_create(user=user, course=built.mn)
        attempt = services.attempt_start(user=user, quiz=q, lesson=built.lessons["mn"][0])
        services.responses_save(user=user, attempt_id=attempt.pk, answers=answer_all(attempt, correct=size))
        with CaptureQueriesContext(connection) as ctx:
            graded = services.attempt_submit(user=user, attempt_id=attempt.pk)
        assert graded.passed and Enrollment.objects.get(user=user).is_completed
        counts[size] = len(ctx)
    assert counts[3] == counts[30], counts
    assert counts[30] <= 15, counts


def test_regrade_shows_who_changes_then_applies_and_logs(setup, learner):
    """An editor finds the key of question 1 was wrong ("Wrong" was right), fixes it and regrades."""
    other = UserFactory()
    course_services.enrollment_create(user=other, course=setup["course"].mn)
    course_services.lesson_complete(user=learner, lesson_key=setup["course"].lessons["mn"][0].translation_key)
    course_services.lesson_complete(user=other, lesson_key=setup["course"].lessons["mn"][0].translation_key)
    fixed = setup["questions"][0]
    # The learner passed with 3/4 (question 1 "right" by the old key); the other failed with 2/4
    # but chose what the corrected key says.
    a1 = services.attempt_start(user=learner, quiz=setup["quiz"], lesson=setup["lesson"])
    services.attempt_submit(user=learner, attempt_id=a1.pk, answers=answer_all(a1, correct=3))
    a2 = services.attempt_start(user=other, quiz=setup["quiz"], lesson=setup["lesson"])
    answers = answer_all(a2, correct=3)
    new_right = wrong(a2, fixed.pk)
    answers[fixed.pk] = {"option": new_right}
    answers[a2.layout[3]["question"]] = {"option": wrong(a2, a2.layout[3]["question"])}
    services.attempt_submit(user=other, attempt_id=a2.pk, answers=answers)
    assert Enrollment.objects.get(user=learner).is_completed
    assert not Enrollment.objects.get(user=other).is_completed

    options = fixed.options.raw_data
    for block in options:
        block["value"]["correct"] = block["id"] == new_right
    fixed.options = options
    fixed.save_revision().publish()

    plan = regrading.regrade_plan(question=fixed)
    assert {row.attempt.user_id: (row.old_score, row.new_score) for row in plan.changed} == {
        learner.pk: (75.0, 50.0),
        other.pk: (50.0, 75.0),
    }
    assert [row.attempt.user_id for row in plan.completions_lost] == [learner.pk]
    assert [row.attempt.user_id for row in plan.completions_gained] == [other.pk]
    assert not RegradeLog.objects.exists(), "the preview writes nothing"
    assert QuizAttempt.objects.get(pk=a1.pk).score == 75.0

    editor = UserFactory()
    with pytest.raises(services.QuizActionError):
        regrading.regrade_apply(question=fixed, by=editor, expected_changes=5)  # the data moved on
    assert not RegradeLog.objects.exists()
    regrading.regrade_apply(question=fixed, by=editor, expected_changes=2)
    assert QuizAttempt.objects.get(pk=a1.pk).score == 50.0
    assert QuizAttempt.objects.get(pk=a2.pk).passed is True
    assert not Enrollment.objects.get(user=learner).is_completed
    assert Enrollment.objects.get(user=other).is_completed
    logs = {log.attempt.user_id: log for log in RegradeLog.objects.all()}
    assert logs[learner.pk].completion_change == "reopened" and logs[learner.pk].by == editor
    assert logs[other.pk].completion_change == "completed"
    assert regrading.regrade_plan(question=fixed).changed == [], "a second regrade changes nothing"


def test_knowledge_gain_per_learner_and_course(site):
    questions = [helpers.question() for _ in range(4)]
    pre = helpers.quiz(questions, kind=Quiz.Kind.PRE_TEST, max_attempts=1)
    post = helpers.quiz(questions, kind=Quiz.Kind.POST_TEST, pre_test=pre, pass_mark=50)
    built = helpers.course_with_quiz(pre, lessons=3, quiz_position=0)
    for lang in ("mn", "en"):
        lesson = built.lessons[lang][2]
        lesson.body = [{"type": "quiz", "value": {"quiz": post.pk}}]
        lesson.save_revision().publish()
    built.release = course_services.release_publish(course=built.mn, version="1.1")
    scores = {"a": (1, 3), "b": (2, 4), "c": (3, 2)}  # right answers: pre, post
    for name, (pre_right, post_right) in scores.items():
        user = UserFactory(email=f"{name}@example.mn")
        course_services.enrollment_create(user=user, course=built.mn)
        attempt = services.attempt_start(user=user, quiz=pre, lesson=built.lessons["mn"][0])
        services.attempt_submit(
            user=user, attempt_id=attempt.pk, answers=answer_all(attempt, correct=pre_right)
        )
        attempt = services.attempt_start(user=user, quiz=post, lesson=built.lessons["mn"][2])
        services.attempt_submit(
            user=user, attempt_id=attempt.pk, answers=answer_all(attempt, correct=post_right)
        )
    gain = selectors.knowledge_gain(course=built.en)
    assert gain.learners == 3
    assert gain.pre_mean == 50.0  # (25 + 50 + 75) / 3
    assert gain.post_mean == pytest.approx(75.0)  # (75 + 100 + 50) / 3
    assert gain.gain == pytest.approx(25.0)
    assert gain.improved_share == pytest.approx(2 / 3, abs=1e-4)
    one = selectors.learner_gains(user=UserFactory._meta.model.objects.get(email="c@example.mn"))
    assert [(g.pre, g.post, g.improved) for g in one] == [(75.0, 50.0, False)]


def test_item_analysis_matches_hand_computed_values(site):
    easy, hard = helpers.question(text="easy"), helpers.question(text="hard")
    q = helpers.quiz([easy, hard], pass_mark=50)
    built = helpers.course_with_quiz(q, lessons=1, quiz_position=0)
    # Three learners: (easy, hard) right = (1,1), (1,0), (0,0) -> totals 100, 50, 0.
    for n, (e, h) in enumerate([(True, True), (True, False), (False, False)]):
        user = UserFactory(email=f"item{n}@example.mn")
        course_services.enrollment_create(user=user, course=built.mn)
        attempt = services.attempt_start(user=user, quiz=q, lesson=built.lessons["mn"][0])
        services.attempt_submit(
            user=user,
            attempt_id=attempt.pk,
            answers={
                easy.pk: {"option": (right if e else wrong)(attempt, easy.pk)},
                hard.pk: {"option": (right if h else wrong)(attempt, hard.pk)},
            },
        )
    stats = {item.question.pk: item for item in selectors.item_analysis(quiz=q)}
    assert stats[easy.pk].facility == pytest.approx(2 / 3)
    assert stats[hard.pk].facility == pytest.approx(1 / 3)
    # Pearson correlation of (1,1,0) with (100,50,0) is 0.866; of (1,0,0) with it also 0.866.
    assert stats[easy.pk].discrimination == pytest.approx(0.8660, abs=1e-3)
    assert stats[hard.pk].discrimination == pytest.approx(0.8660, abs=1e-3)

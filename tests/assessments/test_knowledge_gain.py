"""Honest knowledge gain: each enrolment's first pre-test attempt against its first post-test
attempt. Retakes count for passing and completion, never for the gain."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.users.models import UserProfile

from assessments import selectors, services
from assessments.models import Quiz, QuizAttempt
from courses import services as course_services
from courses.models import Enrollment
from lms.accounts import roles
from lms.reports import selectors as report_selectors
from lms.reports.selectors import Filters
from tests.assessments import helpers
from tests.assessments.test_services import answer_all
from tests.factories import UserFactory, with_two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def tests(site):
    """A pre-test and a parallel post-test (no shared question) in one course: pre-test first,
    post-test last, three post-test attempts allowed with feedback after each."""
    pre = helpers.quiz(
        [helpers.question(text=f"Pre {n}") for n in range(4)], kind=Quiz.Kind.PRE_TEST, max_attempts=1
    )
    post = helpers.quiz(
        [helpers.question(text=f"Post {n}") for n in range(4)],
        kind=Quiz.Kind.POST_TEST,
        pre_test=pre,
        pass_mark=75,
        max_attempts=4,
        show_feedback="after_attempt",
        show_correct_answers="after_attempt",
    )
    built = helpers.course_with_quiz(pre, lessons=3, quiz_position=0, slug="gain-course")
    for lang in ("mn", "en"):
        lesson = built.lessons[lang][2]
        lesson.body = [{"type": "quiz", "value": {"quiz": post.pk}}]
        lesson.save_revision().publish()
        built.lessons[lang][2] = type(lesson).objects.get(pk=lesson.pk)
    built.release = course_services.release_publish(course=built.mn, version="1.1")
    return {"pre": pre, "post": post, "course": built}


def take(user, quiz, lesson, right: int) -> QuizAttempt:
    attempt = services.attempt_start(user=user, quiz=quiz, lesson=lesson)
    return services.attempt_submit(
        user=user, attempt_id=attempt.pk, answers=answer_all(attempt, correct=right)
    )


def by_hand() -> dict[int, tuple[float, float]]:
    """Per enrolment, straight from the attempts table: (first pre-test score, first post-test score)."""
    first: dict[tuple[int, str], float] = {}
    for attempt in (
        QuizAttempt.objects.filter(status="submitted").select_related("quiz").order_by("submitted_at")
    ):
        first.setdefault((attempt.enrollment_id, attempt.quiz.kind), attempt.score)
    return {
        enrollment: (score, first[(enrollment, "post_test")])
        for (enrollment, kind), score in first.items()
        if kind == "pre_test" and (enrollment, "post_test") in first
    }


def test_retaking_the_post_test_three_times_does_not_raise_the_gain(tests):
    course = tests["course"]
    pre_lesson, post_lesson = course.lessons["mn"][0], course.lessons["mn"][2]
    keen, steady = UserFactory(email="keen@example.mn"), UserFactory(email="steady@example.mn")
    for user, (pre_right, post_right) in ((keen, (1, 2)), (steady, (2, 3))):
        course_services.enrollment_create(user=user, course=course.mn)
        take(user, tests["pre"], pre_lesson, pre_right)
        take(user, tests["post"], post_lesson, post_right)
    before = selectors.knowledge_gain(course=course.mn)
    assert (before.learners, before.pre_mean, before.post_mean, before.gain) == (2, 37.5, 62.5, 25.0)

    # The keen learner failed (50 %), reads the feedback and retakes three times, ending on 100 %.
    for right in (3, 4, 4):
        take(keen, tests["post"], post_lesson, right)
    assert QuizAttempt.objects.filter(user=keen, quiz=tests["post"]).count() == 4
    # The retakes count for passing and completion...
    state = selectors.quiz_state_for_user(quiz=tests["post"], user=keen)
    assert state.grade == 100.0 and state.passed
    keen_enrolment = Enrollment.objects.get(user=keen)
    assert keen_enrolment.progress.get(lesson_key=post_lesson.translation_key).completed_at
    # ...but not for the gain: the same figures as before.
    after = selectors.knowledge_gain(course=course.mn)
    assert after == before

    hand = by_hand()
    assert hand == {keen_enrolment.pk: (25.0, 50.0), Enrollment.objects.get(user=steady).pk: (50.0, 75.0)}
    pre_mean = sum(pre for pre, _post in hand.values()) / len(hand)
    post_mean = sum(post for _pre, post in hand.values()) / len(hand)
    assert (after.learners, after.pre_mean, after.post_mean) == (len(hand), pre_mean, post_mean)
    assert after.gain == post_mean - pre_mean
    assert after.improved_share == sum(post > pre for pre, post in hand.values()) / len(hand)
    gains = selectors.learner_gains(course=course.en)
    assert {(g.enrollment_id, g.pre, g.post) for g in gains} == {(e, *scores) for e, scores in hand.items()}
    assert selectors.knowledge_gain(post_test=tests["post"]) == after
    # The programme reports count it the same way.
    row = next(r for r in report_selectors.course_table(Filters()) if r["key"] == course.mn.pk)["gain"]
    assert (row["learners"], row["pre_mean"], row["post_mean"], row["gain"]) == (2, 37.5, 62.5, 25.0)


def test_each_enrolment_counts_its_own_first_attempts(tests):
    """A first post-test below the pre-test counts as a loss even when a retake recovers it; an
    enrolment without a pre-test attempt is left out."""
    course = tests["course"]
    learner, late = UserFactory(), UserFactory()
    course_services.enrollment_create(user=learner, course=course.mn)
    take(learner, tests["pre"], course.lessons["mn"][0], 4)
    take(learner, tests["post"], course.lessons["mn"][2], 1)  # went backwards: 100 -> 25
    take(learner, tests["post"], course.lessons["mn"][2], 4)
    course_services.enrollment_create(user=late, course=course.mn)
    take(late, tests["post"], course.lessons["mn"][2], 4)  # never took the pre-test
    gain = selectors.knowledge_gain(course=course.mn)
    assert (gain.learners, gain.pre_mean, gain.post_mean, gain.gain, gain.improved_share) == (
        1,
        100.0,
        25.0,
        -75.0,
        0.0,
    )


def test_the_rule_is_stated_where_the_figures_are(tests, learner):
    course = tests["course"]
    course_services.enrollment_create(user=learner, course=course.mn)
    take(learner, tests["pre"], course.lessons["mn"][0], 1)
    take(learner, tests["post"], course.lessons["mn"][2], 2)
    take(learner, tests["post"], course.lessons["mn"][2], 4)
    staff = UserFactory()
    staff.groups.add(Group.objects.get(name=roles.EDITORS), Group.objects.get(name=roles.MANAGERS))
    with_two_factor(staff)
    profile = UserProfile.get_for_user(staff)
    profile.preferred_language = "en"
    profile.save()
    client = Client()
    client.force_login(staff)
    html = client.get(f"/admin/assessments/quizzes/{tests['post'].pk}/results/").content.decode()
    assert "first post-test attempt" in html and "never for the gain" in html
    assert "1 enrolment has both tests: pre-test mean 25.0%, post-test mean 50.0%, gain 25.0 points." in html
    report = client.get("/admin/programme-reports/").content.decode()
    assert "first post-test attempt" in report and "never for the gain" in report
    profile.preferred_language = "mn"
    profile.save()
    html = client.get(f"/admin/assessments/quizzes/{tests['post'].pk}/results/").content.decode()
    assert "first post-test attempt" not in html, "the Mongolian admin states the rule in Mongolian"

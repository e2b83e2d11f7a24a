"""A post-test is a parallel form of its pre-test: the admin and the quiz-building service refuse
a pair that could show the same bank question (fixed, or drawn at random from a category)."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from wagtail.test.utils.form_data import inline_formset, nested_form_data
from wagtail.users.models import UserProfile

from assessments import services
from assessments.models import Quiz, QuizQuestion, QuizRandomRule
from lms.accounts import roles
from tests.assessments import helpers
from tests.factories import UserFactory, with_two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(site):
    """Two categories of three questions each, and a pre-test fixing the first of category A."""
    a, b = helpers.category("topic-a"), helpers.category("topic-b")
    questions = {
        "a": [helpers.question(text=f"Topic A {n}", cat=a) for n in range(3)],
        "b": [helpers.question(text=f"Topic B {n}", cat=b) for n in range(3)],
    }
    pre = helpers.quiz([questions["a"][0]], kind=Quiz.Kind.PRE_TEST, title_en="Before")
    return {"a": a, "b": b, "questions": questions, "pre": pre}


@pytest.fixture
def editor():
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.EDITORS))
    with_two_factor(user)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def quiz_data(*, kind, pre_test=None, questions=(), categories=(), existing=(), delete=()) -> dict:
    """The admin form's POST data: ``existing`` rows kept (or deleted), ``questions`` added."""
    rows = [
        {
            "id": row.pk,
            "question": row.question_id,
            "points": row.points,
            "DELETE": "on" if row in delete else "",
        }
        for row in existing
    ] + [{"question": question.pk, "points": 1} for question in questions]
    return nested_form_data(
        {
            "title_mn": "Шалгалт",
            "title_en": "Test",
            "intro_mn": "",
            "intro_en": "",
            "kind": kind,
            "pre_test": pre_test.pk if pre_test else "",
            "pass_mark": 70,
            "max_attempts": 0,
            "time_limit_minutes": "",
            "grading_method": "highest",
            "shuffle_options": "on",
            "show_feedback": "after_attempt",
            "show_correct_answers": "after_finished",
            "fixed_questions": inline_formset(rows, initial=len(existing)),
            "random_rules": inline_formset([{"category": c.pk, "count": 1} for c in categories]),
        }
    )


def form(data, instance=None, user=None):
    form_class = Quiz.snippet_viewset.get_form_class(for_update=instance is not None)
    return form_class(data, instance=instance or Quiz(), for_user=user or UserFactory())


@pytest.mark.parametrize(
    ("questions", "categories", "named"),
    [
        (["a0"], [], "Topic A 0"),  # the very same question
        (["a1"], ["a"], "Topic A 0"),  # draws from the category of the pre-test's question
        (["b0"], [], None),  # disjoint: saved
        ([], ["b"], None),
    ],
)
def test_a_post_test_may_not_share_a_question_with_its_pre_test(bank, questions, categories, named):
    pick = {f"{k}{n}": q for k, qs in bank["questions"].items() for n, q in enumerate(qs)}
    data = quiz_data(
        kind=Quiz.Kind.POST_TEST,
        pre_test=bank["pre"],
        questions=[pick[name] for name in questions],
        categories=[bank[name] for name in categories],
    )
    with translation.override("en"):
        result = form(data)
        valid = result.is_valid()
    if named is None:
        assert valid, result.errors
        return
    assert not valid
    message = " ".join(result.non_field_errors())
    assert "parallel form" in message and f"“{named}”" in message and "“Before”" in message


def test_a_pre_test_drawing_from_a_category_and_a_post_test_fixing_one_of_its_questions(bank):
    pre = helpers.quiz([], kind=Quiz.Kind.PRE_TEST, title_en="Random pre")
    QuizRandomRule.objects.create(quiz=pre, category=bank["b"], count=2)
    pre.save_revision().publish()
    with translation.override("en"):
        result = form(
            quiz_data(kind=Quiz.Kind.POST_TEST, pre_test=pre, questions=[bank["questions"]["b"][2]])
        )
        assert not result.is_valid()
        assert "“Topic B 2”" in " ".join(result.non_field_errors())
        # Both drawing from one category, even before it has a question the two could share.
        empty = helpers.category("empty-topic")
        QuizRandomRule.objects.create(quiz=pre, category=empty, count=1)
        result = form(quiz_data(kind=Quiz.Kind.POST_TEST, pre_test=pre, categories=[empty]))
        assert not result.is_valid()
        assert "any question of the category" in " ".join(result.non_field_errors())


def test_a_row_being_deleted_does_not_count(bank):
    post = helpers.quiz(
        [bank["questions"]["b"][0]], kind=Quiz.Kind.POST_TEST, pre_test=bank["pre"], title_en="After"
    )
    shared = QuizQuestion.objects.create(quiz=post, question=bank["questions"]["a"][0], sort_order=1)
    rows = list(post.fixed_questions.order_by("sort_order"))
    assert not form(quiz_data(kind=Quiz.Kind.POST_TEST, pre_test=bank["pre"], existing=rows), post).is_valid()
    data = quiz_data(kind=Quiz.Kind.POST_TEST, pre_test=bank["pre"], existing=rows, delete=[shared])
    assert form(data, post).is_valid()


def test_a_pre_test_may_not_take_a_question_of_its_post_test(bank):
    post = helpers.quiz(
        [bank["questions"]["b"][0]], kind=Quiz.Kind.POST_TEST, pre_test=bank["pre"], title_en="After"
    )
    pre = bank["pre"]
    rows = list(pre.fixed_questions.all())
    with translation.override("en"):
        result = form(
            quiz_data(kind=Quiz.Kind.PRE_TEST, existing=rows, questions=[bank["questions"]["b"][0]]), pre
        )
        assert not result.is_valid()
        message = " ".join(result.non_field_errors())
    assert "post-test “After”" in message and "“Topic B 0”" in message
    assert post.pk


def test_a_draft_of_the_pre_test_counts_too(bank):
    """The pre-test's unpublished draft takes question B1: a post-test cannot take it either."""
    pre = bank["pre"]
    pre.fixed_questions.add(QuizQuestion(question=bank["questions"]["b"][1], sort_order=5))
    pre.save_revision()  # a draft: the live quiz still fixes only A0
    pre = Quiz.objects.get(pk=pre.pk)
    assert list(pre.fixed_questions.values_list("question_id", flat=True)) == [bank["questions"]["a"][0].pk]
    assert not form(
        quiz_data(kind=Quiz.Kind.POST_TEST, pre_test=pre, questions=[bank["questions"]["b"][1]])
    ).is_valid()


def test_the_admin_refuses_to_save_and_keeps_the_quiz_as_it_was(bank, editor):
    post = helpers.quiz(
        [bank["questions"]["b"][0]], kind=Quiz.Kind.POST_TEST, pre_test=bank["pre"], title_en="After"
    )
    revision = post.latest_revision_id
    client = Client()
    client.force_login(editor)
    data = quiz_data(
        kind=Quiz.Kind.POST_TEST,
        pre_test=bank["pre"],
        existing=list(post.fixed_questions.all()),
        questions=[bank["questions"]["a"][0]],
    )
    response = client.post(
        f"/admin/snippets/assessments/quiz/edit/{post.pk}/", {**data, "action-publish": "1"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "could both show" in html and "Topic A 0" in html
    post = Quiz.objects.get(pk=post.pk)
    assert post.latest_revision_id == revision
    assert list(post.fixed_questions.values_list("question_id", flat=True)) == [bank["questions"]["b"][0].pk]
    # The same edit without the shared question is saved and published.
    data = quiz_data(
        kind=Quiz.Kind.POST_TEST,
        pre_test=bank["pre"],
        existing=list(post.fixed_questions.all()),
        questions=[bank["questions"]["b"][1]],
    )
    response = client.post(
        f"/admin/snippets/assessments/quiz/edit/{post.pk}/", {**data, "action-publish": "1"}
    )
    assert response.status_code == 302
    assert Quiz.objects.get(pk=post.pk).fixed_questions.count() == 2


def test_the_message_speaks_mongolian(bank):
    data = quiz_data(kind=Quiz.Kind.POST_TEST, pre_test=bank["pre"], questions=[bank["questions"]["a"][0]])
    with translation.override("mn"):
        result = form(data)
        assert not result.is_valid()
        message = " ".join(result.non_field_errors())
    assert "parallel form" not in message and "Topic A 0 (mn)" in message and "Шалгалт" in message


def test_the_service_refuses_a_quiz_built_in_memory(bank):
    """What a loader does: build the post-test with its questions, check, then save."""
    post = Quiz(title_mn="Дараах", title_en="After", kind=Quiz.Kind.POST_TEST, pre_test=bank["pre"])
    post.fixed_questions = [
        QuizQuestion(question=bank["questions"]["b"][0], sort_order=0),
        QuizQuestion(question=bank["questions"]["a"][0], sort_order=1),
    ]
    with pytest.raises(ValidationError) as refused:
        services.quiz_parallel_form_check(quiz=post)
    assert "pre_test" in refused.value.message_dict
    post.fixed_questions = [QuizQuestion(question=bank["questions"]["b"][0], sort_order=0)]
    services.quiz_parallel_form_check(quiz=post)  # disjoint: no error
    post.random_rules = [QuizRandomRule(category=bank["a"], count=1)]
    with pytest.raises(ValidationError):
        services.quiz_parallel_form_check(quiz=post)
    graded = Quiz(title_mn="Бүлэг", kind=Quiz.Kind.GRADED)
    graded.fixed_questions = [QuizQuestion(question=bank["questions"]["a"][0], sort_order=0)]
    services.quiz_parallel_form_check(quiz=graded)  # a graded quiz may share anything

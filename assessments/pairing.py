"""A post-test is a parallel form of its pre-test: equivalent, but sharing no bank question.

When the two tests can show the same question, the post-test partly measures memory of the
pre-test (and of the feedback in between) rather than what the course taught, and the knowledge
gain is inflated. A quiz can show its fixed questions and any question of the categories its
random rules draw from, so two quizzes overlap when they fix the same question, when one fixes a
question of a category the other draws from, or when both draw from the same category (empty
or not: questions added to it later could land in both).

The other quiz of the pair counts as it is published and as its latest draft has it, so neither
a draft nor the live version can reintroduce a shared question.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Revision

from .models import Question, QuestionCategory, Quiz, QuizQuestion, QuizRandomRule

SHOWN_IN_MESSAGE = 5  # shared questions named in the message; the rest are counted


@dataclass(frozen=True)
class QuestionSources:
    """What a quiz can draw on: its fixed questions and the categories it draws from at random."""

    questions: frozenset[int] = frozenset()
    categories: frozenset[int] = frozenset()


@dataclass
class Overlap:
    """What a quiz and its partner could both show."""

    partner: Quiz
    questions: list[Question] = field(default_factory=list)
    categories: list[QuestionCategory] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.questions or self.categories)


def sources_of(quiz: Quiz) -> QuestionSources:
    """A quiz's sources as it is held in memory (an unsaved edit, or what a loader is building)."""
    return QuestionSources(
        questions=frozenset(row.question_id for row in quiz.fixed_questions.all() if row.question_id),
        categories=frozenset(rule.category_id for rule in quiz.random_rules.all() if rule.category_id),
    )


def _stored_sources(quizzes: list[Quiz]) -> dict[int, QuestionSources]:
    """Each saved quiz's sources, live and in its latest revision together (three queries)."""
    questions: dict[int, set[int]] = {quiz.pk: set() for quiz in quizzes}
    categories: dict[int, set[int]] = {quiz.pk: set() for quiz in quizzes}
    for quiz_id, question_id in QuizQuestion.objects.filter(quiz__in=quizzes).values_list(
        "quiz_id", "question_id"
    ):
        questions[quiz_id].add(question_id)
    for quiz_id, category_id in QuizRandomRule.objects.filter(quiz__in=quizzes).values_list(
        "quiz_id", "category_id"
    ):
        categories[quiz_id].add(category_id)
    revisions = {quiz.latest_revision_id: quiz.pk for quiz in quizzes if quiz.latest_revision_id}
    for revision_id, content in Revision.objects.filter(pk__in=list(revisions)).values_list("pk", "content"):
        quiz_id = revisions[revision_id]
        questions[quiz_id].update(
            row["question"] for row in content.get("fixed_questions", []) if row.get("question")
        )
        categories[quiz_id].update(
            row["category"] for row in content.get("random_rules", []) if row.get("category")
        )
    return {
        pk: QuestionSources(questions=frozenset(questions[pk]), categories=frozenset(categories[pk]))
        for pk in questions
    }


def _partners(quiz: Quiz) -> list[Quiz]:
    if quiz.kind == Quiz.Kind.POST_TEST:
        return [quiz.pre_test] if quiz.pre_test_id else []
    if quiz.kind == Quiz.Kind.PRE_TEST and quiz.pk:
        return list(Quiz.objects.filter(pre_test=quiz.pk, kind=Quiz.Kind.POST_TEST).order_by("pk"))
    return []


def pair_overlaps(*, quiz: Quiz, sources: QuestionSources) -> list[Overlap]:
    """What ``quiz`` (its kind and pre-test as about to be saved, drawing on ``sources``) could show
    in common with its pre-test (a post-test) or with each of its post-tests (a pre-test)."""
    partners = _partners(quiz)
    if not partners:
        return []
    stored = _stored_sources(partners)
    fixed = set(sources.questions).union(*(s.questions for s in stored.values()))
    category_of = dict(Question.objects.filter(pk__in=fixed).values_list("pk", "category_id"))
    found: list[tuple[Quiz, set[int], set[int]]] = []
    for partner in partners:
        theirs = stored[partner.pk]
        shared_questions = (
            (sources.questions & theirs.questions)
            | {pk for pk in sources.questions if category_of.get(pk) in theirs.categories}
            | {pk for pk in theirs.questions if category_of.get(pk) in sources.categories}
        )
        shared_categories = set(sources.categories & theirs.categories)
        if shared_questions or shared_categories:
            found.append((partner, shared_questions, shared_categories))
    if not found:
        return []
    questions = Question.objects.in_bulk({pk for _p, pks, _c in found for pk in pks})
    categories = QuestionCategory.objects.in_bulk({pk for _p, _q, pks in found for pk in pks})
    return [
        Overlap(
            partner=partner,
            questions=[questions[pk] for pk in sorted(question_ids) if pk in questions],
            categories=[categories[pk] for pk in sorted(category_ids) if pk in categories],
        )
        for partner, question_ids, category_ids in found
    ]


def overlap_message(overlap: Overlap, *, kind: str) -> str:
    """Why the pair is refused, naming what both could show, in the active language."""
    named = [f"“{Truncator(question.text).chars(80)}”" for question in overlap.questions[:SHOWN_IN_MESSAGE]]
    hidden = len(overlap.questions) - len(named)
    if hidden:
        named.append(
            ngettext("and %(count)s more question", "and %(count)s more questions", hidden)
            % {"count": hidden}
        )
    named += [
        _("any question of the category “%(category)s”") % {"category": category.name}
        for category in overlap.categories
    ]
    values = {"quiz": overlap.partner.title, "shared": "; ".join(named)}
    if kind == Quiz.Kind.POST_TEST:
        text = _(
            "A post-test must be a parallel form of its pre-test and share no question with it. "
            "This post-test and the pre-test “%(quiz)s” could both show: %(shared)s."
        )
    else:
        text = _(
            "A pre-test must share no question with its post-tests. "
            "This pre-test and the post-test “%(quiz)s” could both show: %(shared)s."
        )
    return text % values


def errors_for(overlaps: Iterable[Overlap], *, kind: str) -> list[str]:
    return [overlap_message(overlap, kind=kind) for overlap in overlaps]


def check(*, quiz: Quiz, sources: QuestionSources | None = None) -> None:
    """Refuse (ValidationError on ``pre_test``, or on the whole quiz for a pre-test) a quiz that
    could show a question its paired test could show. ``sources`` default to the quiz in memory."""
    overlaps = pair_overlaps(quiz=quiz, sources=sources if sources is not None else sources_of(quiz))
    if not overlaps:
        return
    messages = errors_for(overlaps, kind=quiz.kind)
    if quiz.kind == Quiz.Kind.POST_TEST:
        raise ValidationError({"pre_test": messages})
    raise ValidationError(messages)

"""Build questions and quizzes for tests the way editors and the loader do (published revisions)."""

from __future__ import annotations

import uuid

from assessments.models import Question, QuestionCategory, Quiz, QuizQuestion
from courses import services as course_services
from tests.factories import build_course


def category(slug: str = "general") -> QuestionCategory:
    return QuestionCategory.objects.get_or_create(
        slug=slug, defaults={"name_mn": "Ерөнхий", "name_en": "General"}
    )[0]


def option(
    text: str, *, correct: bool = False, match: str = "", feedback: str = "", option_id: str | None = None
):
    return {
        "type": "option",
        "id": option_id or str(uuid.uuid4()),
        "value": {
            "text_mn": f"{text} (mn)",
            "text_en": text,
            "correct": correct,
            "match_mn": match and f"{match} (mn)",
            "match_en": match,
            "feedback_mn": feedback,
            "feedback_en": feedback,
        },
    }


def question(kind: str = Question.Kind.SINGLE, *, text: str = "Question?", cat=None, **fields) -> Question:
    """A published question. Defaults give a single-choice question whose first option is right."""
    defaults = {
        Question.Kind.SINGLE: {
            "options": [option("Right", correct=True), option("Wrong"), option("Also wrong")]
        },
        Question.Kind.MULTIPLE: {
            "options": [option("A", correct=True), option("B", correct=True), option("C"), option("D")]
        },
        Question.Kind.TRUE_FALSE: {"true_false_answer": True},
        Question.Kind.SHORT_TEXT: {"accepted_en": "digital footprint", "accepted_mn": "цахим ул мөр"},
        Question.Kind.ORDERING: {"options": [option("First"), option("Second"), option("Third")]},
        Question.Kind.MATCHING: {
            "options": [
                option("Contact", match="A stranger writes"),
                option("Content", match="Harmful images"),
                option("Conduct", match="Bullying by peers"),
            ]
        },
    }[kind]
    values = {**defaults, **fields}
    q = Question(
        kind=kind,
        text_mn=f"{text} (mn)",
        text_en=text,
        category=cat or category(),
        explanation_en="Because.",
        explanation_mn="Учир нь.",
        **values,
    )
    q.full_clean()
    q.save()
    q.save_revision().publish()
    return Question.objects.get(pk=q.pk)


def quiz(questions: list[Question], **fields) -> Quiz:
    q = Quiz(title_mn=fields.pop("title_mn", "Шалгалт"), title_en=fields.pop("title_en", "Quiz"), **fields)
    q.fixed_questions = [QuizQuestion(question=item, sort_order=i) for i, item in enumerate(questions)]
    q.full_clean()
    q.save()
    q.save_revision().publish()
    return Quiz.objects.get(pk=q.pk)


def course_with_quiz(the_quiz: Quiz, *, lessons: int = 2, quiz_position: int = 1, slug: str | None = None):
    """A bilingual course whose lesson ``quiz_position`` holds the quiz; the release knows it."""
    built = build_course(lessons=lessons, slug=slug, publish=False)
    for lang in ("mn", "en"):
        lesson = built.lessons[lang][quiz_position]
        lesson.body = [
            {"type": "text", "value": "<p>Check yourself.</p>"},
            {"type": "quiz", "value": {"quiz": the_quiz.pk}},
        ]
        lesson.save_revision().publish()
        built.lessons[lang][quiz_position] = type(lesson).objects.get(pk=lesson.pk)
    built.release = course_services.release_publish(course=built.mn, version="1.0")
    return built

"""Turn the quizzes of content files into question-bank questions and quizzes (idempotent).

Every question and quiz carries a ``source_key`` (course/module/number), so a second load
finds and updates it instead of adding another. Option ids are derived from the same key, so
attempts keep pointing at the right options after an unchanged reload.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from assessments.models import Question, QuestionCategory, Quiz, QuizQuestion
from lms.home.services import edited_by_a_person

from .schema import Question as QuestionSpec
from .schema import QuizSpec

OPTION_NAMESPACE = uuid.UUID("6f1c7a52-3d0e-4f5e-9a57-5e0b1b1f2c10")


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    kept: int = 0  # left alone: changed by an editor in the admin


def category_ensure(*, slug: str, title: dict[str, str]) -> QuestionCategory:
    category, _created = QuestionCategory.objects.update_or_create(
        slug=slug, defaults={"name_mn": title["mn"], "name_en": title["en"]}
    )
    return category


def _option(source_key: str, index: int, **values) -> dict:
    return {
        "type": "option",
        "id": str(uuid.uuid5(OPTION_NAMESPACE, f"{source_key}/{index}")),
        "value": {
            "text_mn": values.get("text_mn", ""),
            "text_en": values.get("text_en", ""),
            "correct": values.get("correct", False),
            "match_mn": values.get("match_mn", ""),
            "match_en": values.get("match_en", ""),
            "feedback_mn": values.get("feedback_mn", ""),
            "feedback_en": values.get("feedback_en", ""),
        },
    }


def _question_fields(spec: QuestionSpec, source_key: str) -> dict:
    fields = {
        "kind": spec.type,
        "text_mn": spec.text["mn"],
        "text_en": spec.text["en"],
        "explanation_mn": spec.explanation.get("mn", ""),
        "explanation_en": spec.explanation.get("en", ""),
        "options": [],
        "true_false_answer": None,
        "accepted_mn": "",
        "accepted_en": "",
    }
    data = spec.data
    if spec.type in ("single_choice", "multiple_response"):
        fields["options"] = [
            _option(
                source_key,
                i,
                text_mn=o["text"]["mn"],
                text_en=o["text"]["en"],
                correct=o["correct"],
                feedback_mn=o["feedback"].get("mn", ""),
                feedback_en=o["feedback"].get("en", ""),
            )
            for i, o in enumerate(data["options"])
        ]
    elif spec.type == "true_false":
        fields["true_false_answer"] = data["answer"]
    elif spec.type == "short_text":
        fields["accepted_mn"] = "\n".join(data["accepted"]["mn"])
        fields["accepted_en"] = "\n".join(data["accepted"]["en"])
    elif spec.type == "ordering":
        fields["options"] = [
            _option(source_key, i, text_mn=item["mn"], text_en=item["en"])
            for i, item in enumerate(data["items"])
        ]
    elif spec.type == "matching":
        fields["options"] = [
            _option(
                source_key,
                i,
                text_mn=p["left"]["mn"],
                text_en=p["left"]["en"],
                match_mn=p["right"]["mn"],
                match_en=p["right"]["en"],
            )
            for i, p in enumerate(data["pairs"])
        ]
    return fields


def _stored(question: Question) -> dict:
    return {
        "kind": question.kind,
        "text_mn": question.text_mn,
        "text_en": question.text_en,
        "explanation_mn": question.explanation_mn,
        "explanation_en": question.explanation_en,
        "options": [
            {"type": b["type"], "id": b["id"], "value": dict(b["value"])} for b in question.options.raw_data
        ],
        "true_false_answer": question.true_false_answer,
        "accepted_mn": question.accepted_mn,
        "accepted_en": question.accepted_en,
    }


def question_sync(
    *, spec: QuestionSpec, source_key: str, category: QuestionCategory, result: SyncResult
) -> Question:
    fields = _question_fields(spec, source_key)
    question = Question.objects.filter(source_key=source_key).first()
    if question is not None and edited_by_a_person(question):
        result.kept += 1
        return question
    if question is not None:
        question.category = category
        if _stored(question) == fields and question.live and not question.has_unpublished_changes:
            return question
        result.updated += 1
    else:
        question = Question(source_key=source_key, category=category)
        result.created += 1
    for name, value in fields.items():
        setattr(question, name, value)
    question.full_clean()  # the grading module's answer-key checks, and field validation
    question.save()
    question.save_revision().publish()
    return question


def quiz_sync(
    *,
    spec: QuizSpec,
    source_key: str,
    category: QuestionCategory,
    kind: str = Quiz.Kind.GRADED,
    pre_test: Quiz | None = None,
    result: SyncResult,
    questions_key: str | None = None,
    **settings,
) -> Quiz:
    """Create or update a quiz with fixed questions from a content file's quiz.

    Quizzes given the same ``questions_key`` share their bank questions. The shipped pre-test
    keeps the key it had in release 1.0 (``<course>/assessment``), so its questions are updated in
    place; a parallel post-test has its own (``<course>/post-test``).
    """
    questions_key = questions_key or source_key
    questions = [
        question_sync(spec=q, source_key=f"{questions_key}/q{n}", category=category, result=result)
        for n, q in enumerate(spec.questions, 1)
    ]
    fields = {
        "title_mn": spec.title["mn"],
        "title_en": spec.title["en"],
        "kind": kind,
        "pass_mark": spec.pass_mark,
        "pre_test": pre_test,
        **settings,
    }
    quiz = Quiz.objects.filter(source_key=source_key).first()
    if quiz is not None and edited_by_a_person(quiz):
        result.kept += 1
        return quiz
    if quiz is not None:
        same = all(getattr(quiz, name) == value for name, value in fields.items()) and list(
            quiz.fixed_questions.order_by("sort_order").values_list("question_id", flat=True)
        ) == [question.pk for question in questions]
        if same and quiz.live and not quiz.has_unpublished_changes:
            return quiz
        result.updated += 1
    else:
        quiz = Quiz(source_key=source_key)
        result.created += 1
    for name, value in fields.items():
        setattr(quiz, name, value)
    quiz.fixed_questions = [
        QuizQuestion(question=question, sort_order=i) for i, question in enumerate(questions)
    ]
    quiz.full_clean()
    quiz.save()
    quiz.save_revision().publish()
    return quiz

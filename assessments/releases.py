"""What a course release pins of its quizzes: each quiz's revision and its questions' revisions."""

from __future__ import annotations

import json

from wagtail.models import Revision

from .h5p.services import rule_can_be_met
from .models import H5PActivity, Question, Quiz


def _quiz_ids(blocks: list[dict]) -> list[int]:
    ids = []
    for block in blocks:
        if block.get("type") == "quiz":
            value = block.get("value") or {}
            if isinstance(value.get("quiz"), int):
                ids.append(value["quiz"])
    return ids


def pin_quizzes(lesson_bodies: dict) -> tuple[dict, dict]:
    """Pins for every quiz the lessons show (published revisions), and a fingerprint per lesson
    so that a changed quiz or question makes its lesson "changed" for the learners who move."""
    per_lesson = {key: _quiz_ids(blocks) for key, blocks in lesson_bodies.items()}
    quiz_ids = {quiz_id for ids in per_lesson.values() for quiz_id in ids}
    quizzes = dict(
        Quiz.objects.filter(pk__in=quiz_ids).exclude(live_revision=None).values_list("pk", "live_revision_id")
    )
    contents = dict(Revision.objects.filter(pk__in=quizzes.values()).values_list("pk", "content"))
    question_ids = {
        row["question"]
        for revision in quizzes.values()
        for row in (contents.get(revision) or {}).get("fixed_questions", [])
    }
    questions = dict(
        Question.objects.filter(pk__in=question_ids)
        .exclude(live_revision=None)
        .values_list("pk", "live_revision_id")
    )
    pins = {}
    for quiz_id, revision in quizzes.items():
        rows = (contents.get(revision) or {}).get("fixed_questions", [])
        pins[str(quiz_id)] = {
            "revision": revision,
            "questions": {
                str(row["question"]): questions[row["question"]]
                for row in rows
                if row["question"] in questions
            },
        }
    fingerprints = {
        key: json.dumps([pins.get(str(quiz_id)) for quiz_id in ids], sort_keys=True)
        for key, ids in per_lesson.items()
        if ids
    }
    return pins, fingerprints


def _activity_ids(blocks: list[dict]) -> list[int]:
    ids = []
    for block in blocks:
        if block.get("type") == "h5p":
            activity = (block.get("value") or {}).get("activity")
            if isinstance(activity, int) and activity not in ids:
                ids.append(activity)
    return ids


def pin_h5p(lesson_bodies: dict) -> tuple[dict, dict]:
    """Pins for every H5P activity the lessons show (in any language): the file (package
    revision) its learners play, and its title for "What changes"; a fingerprint per lesson so
    that a replaced file makes its lesson "changed" for the learners who move."""
    per_lesson = {key: _activity_ids(blocks) for key, blocks in lesson_bodies.items()}
    wanted = {activity_id for ids in per_lesson.values() for activity_id in ids}
    pins = {
        str(pk): {"revision": revision, "title": title}
        for pk, revision, title in H5PActivity.objects.filter(pk__in=wanted).values_list(
            "pk", "revision", "title"
        )
    }
    fingerprints = {
        key: json.dumps([(pins.get(str(pk)) or {}).get("revision") for pk in ids])
        for key, ids in per_lesson.items()
        if ids
    }
    return pins, fingerprints


pin_h5p.release_field = "h5p_pins"
pin_h5p.all_languages = True


def h5p_block_completes(value: dict) -> bool:
    """Whether an H5P block's activity can meet the block's completion rule (see
    ``courses.blocks.block_completes``)."""
    activity = (
        H5PActivity.objects.select_related("main_library").filter(pk=value.get("activity")).first()
        if isinstance(value.get("activity"), int)
        else None
    )
    if activity is None:
        return False
    return rule_can_be_met(activity, value.get("completion") or "")

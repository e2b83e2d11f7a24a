"""The one grading path: answer keys, answer validation, scoring, and combining a learner's
attempts into one grade (quizzes and H5P activities alike). Pure functions, no queries.

An answer key is a plain dict built from a question's fields (or from a stored revision of it):

    {"kind": ..., "options": [{"id", "correct", "text_mn", "text_en", "match_mn", "match_en",
     "feedback_mn", "feedback_en"}], "answer": bool | None, "accepted": {"mn": [...], "en": [...]},
     "partial_credit": ...}

Answers are plain JSON, one shape per question type:
    single_choice       {"option": id}
    multiple_response   {"options": [id, ...]}
    true_false          {"value": true | false}
    short_text          {"text": "..."}
    ordering            {"order": [id, ...]}            every shown item once
    matching            {"pairs": {item id: matched item id}}
"""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_TEXT_ANSWER = 500


class InvalidAnswer(ValueError):
    """An answer that does not fit the question (unknown option, wrong shape, too long)."""


# --- answer keys ------------------------------------------------------------------------------


def _option_items(options: Any) -> list[dict]:
    if isinstance(options, str):
        options = json.loads(options or "[]")
    items = []
    for block in options or []:
        value = block.get("value", {})
        items.append(
            {
                "id": str(block.get("id")),
                "correct": bool(value.get("correct")),
                **{
                    key: (value.get(key) or "").strip()
                    for key in ("text_mn", "text_en", "match_mn", "match_en", "feedback_mn", "feedback_en")
                },
            }
        )
    return items


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def answer_key_from_fields(
    *,
    kind: str,
    options: Any,
    true_false_answer: bool | None,
    accepted_mn: str,
    accepted_en: str,
    partial_credit: str,
) -> dict:
    return {
        "kind": kind,
        "options": _option_items(options),
        "answer": true_false_answer,
        "accepted": {"mn": _lines(accepted_mn), "en": _lines(accepted_en)},
        "partial_credit": partial_credit,
    }


def answer_key_from_revision(content: dict) -> dict:
    """The answer key of a question as stored in one of its revisions (``Revision.content``)."""
    return answer_key_from_fields(
        kind=content["kind"],
        options=content.get("options") or "[]",
        true_false_answer=content.get("true_false_answer"),
        accepted_mn=content.get("accepted_mn", ""),
        accepted_en=content.get("accepted_en", ""),
        partial_credit=content.get("partial_credit", "right_minus_wrong"),
    )


def answer_key_errors(key: dict) -> dict[str, str]:
    """Why an answer key cannot be graded, by field; empty when it is sound."""
    kind, options = key["kind"], key["options"]
    correct = sum(option["correct"] for option in options)
    if kind == "single_choice":
        if len(options) < 2:
            return {"options": "A single-choice question needs at least two options."}
        if correct != 1:
            return {"options": "A single-choice question needs exactly one correct option."}
    elif kind == "multiple_response":
        if len(options) < 2:
            return {"options": "A multiple-response question needs at least two options."}
        if correct < 1:
            return {"options": "A multiple-response question needs at least one correct option."}
    elif kind == "true_false":
        if key["answer"] is None:
            return {"true_false_answer": "Say whether the statement is true or false."}
    elif kind == "short_text":
        if not key["accepted"]["mn"] and not key["accepted"]["en"]:
            return {"accepted_mn": "Give at least one accepted answer."}
    elif kind == "ordering":
        if len(options) < 2:
            return {"options": "An ordering question needs at least two items, in the right order."}
    elif kind == "matching":
        if len(options) < 2:
            return {"options": "A matching question needs at least two pairs."}
        if any(not option["match_mn"] for option in options):
            return {"options": "Every item of a matching question needs what it matches."}
        matches = [option["match_mn"].casefold() for option in options]
        if len(set(matches)) != len(matches):
            return {"options": "Two items of a matching question match the same thing."}
    return {}


# --- validation ---------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Compare short answers ignoring case, spacing and punctuation (Cyrillic included)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(" " if unicodedata.category(char).startswith(("P", "S")) else char for char in text)
    return re.sub(r"\s+", " ", text).strip()


def clean_answer(key: dict, answer: Any, shown: list[str]) -> dict:
    """Check an answer against the question and the options the attempt showed; return it tidy.

    Raises InvalidAnswer with a readable reason.
    """
    if not isinstance(answer, dict):
        raise InvalidAnswer("The answer must be a JSON object.")
    kind, shown_set = key["kind"], set(shown)
    if kind == "single_choice":
        option = answer.get("option")
        if not isinstance(option, str) or option not in shown_set:
            raise InvalidAnswer("Choose one of the options shown.")
        return {"option": option}
    if kind == "multiple_response":
        options = answer.get("options")
        if not isinstance(options, list) or not all(isinstance(item, str) for item in options):
            raise InvalidAnswer("The answer must list the chosen options.")
        if not set(options) <= shown_set:
            raise InvalidAnswer("An option that was not shown was chosen.")
        return {"options": sorted(set(options), key=shown.index)}
    if kind == "true_false":
        value = answer.get("value")
        if not isinstance(value, bool):
            raise InvalidAnswer("Answer true or false.")
        return {"value": value}
    if kind == "short_text":
        text = answer.get("text")
        if not isinstance(text, str):
            raise InvalidAnswer("Type an answer.")
        if len(text) > MAX_TEXT_ANSWER:
            raise InvalidAnswer(f"An answer can be at most {MAX_TEXT_ANSWER} characters.")
        return {"text": text.strip()}
    if kind == "ordering":
        order = answer.get("order")
        if not isinstance(order, list) or sorted(map(str, order)) != sorted(shown):
            raise InvalidAnswer("Put every item in a place, each once.")
        return {"order": [str(item) for item in order]}
    if kind == "matching":
        pairs = answer.get("pairs")
        if not isinstance(pairs, dict):
            raise InvalidAnswer("Match every item.")
        if not set(pairs) <= shown_set or not all(
            isinstance(v, str) and v in shown_set for v in pairs.values()
        ):
            raise InvalidAnswer("An item that was not shown was matched.")
        return {"pairs": {str(k): str(v) for k, v in pairs.items()}}
    raise InvalidAnswer("This question cannot be answered.")


# --- scoring ------------------------------------------------------------------------------------


def grade(key: dict, answer: dict | None) -> float:
    """The fraction (0..1) of a question's points an answer earns under the answer key."""
    if not answer:
        return 0.0
    kind, options = key["kind"], key["options"]
    if kind == "single_choice":
        right = next((option["id"] for option in options if option["correct"]), None)
        return 1.0 if answer.get("option") == right else 0.0
    if kind == "multiple_response":
        chosen = set(answer.get("options", []))
        right = {option["id"] for option in options if option["correct"]}
        wrong = {option["id"] for option in options} - right
        method = key.get("partial_credit", "right_minus_wrong")
        if method == "all_or_nothing":
            return 1.0 if chosen == right else 0.0
        if method == "per_option":
            judged = sum(1 for option in options if (option["id"] in chosen) == option["correct"])
            return judged / len(options)
        score = (len(chosen & right) - len(chosen & wrong)) / len(right)
        return max(0.0, min(1.0, score))
    if kind == "true_false":
        return 1.0 if answer.get("value") is key["answer"] else 0.0
    if kind == "short_text":
        given = normalise(answer.get("text", ""))
        accepted = {normalise(text) for texts in key["accepted"].values() for text in texts}
        return 1.0 if given and given in accepted else 0.0
    if kind == "ordering":
        return 1.0 if answer.get("order") == [option["id"] for option in options] else 0.0
    if kind == "matching":
        pairs = answer.get("pairs", {})
        right = sum(1 for option in options if pairs.get(option["id"]) == option["id"])
        return right / len(options)
    return 0.0


# --- combining attempts ---------------------------------------------------------------------------


class Grading(models.TextChoices):
    """Which attempts make a learner's grade: ``Quiz.Grading`` and ``H5PActivity.Grading``."""

    HIGHEST = "highest", _("Highest attempt")
    LAST = "last", _("Last attempt")
    FIRST = "first", _("First attempt")
    AVERAGE = "average", _("Average of attempts")


def attempts_grade(scores_by_number: dict[int, float], method: str) -> float | None:
    """A learner's grade from their attempts' scores, by attempt number, under a ``Grading``
    method; None without attempts. Any scale: quiz scores are percentages, H5P ones 0..1."""
    if not scores_by_number:
        return None
    if method == Grading.LAST:
        return scores_by_number[max(scores_by_number)]
    if method == Grading.FIRST:
        return scores_by_number[min(scores_by_number)]
    if method == Grading.AVERAGE:
        return statistics.fmean(scores_by_number.values())
    return max(scores_by_number.values())


def reaches_pass_mark(percent: float | None, pass_mark: int) -> bool:
    """Whether a grade in percent reaches a pass mark (in percent), allowing for float rounding."""
    return percent is not None and percent + 1e-9 >= pass_mark

"""Turn a quiz form's POST data into answers, one shape per question type (see grading).

The form names options by the attempt's tokens (see ``assessments.layout``); answers leave here
with real option ids, and a value that is not a token of this attempt is refused.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from . import layout
from .models import QuizAttempt
from .services import BadAnswer, QuestionNotInAttempt

FIELD = re.compile(r"^q(\d+)(?:-(.+))?$")


def answers_from_post(attempt: QuizAttempt, data) -> dict[int, dict]:
    """Answers for every question the POST carries; unknown questions and bad values are refused."""
    entries = {entry["question"]: entry for entry in attempt.layout}
    posted: dict[int, dict[str, list[str]]] = {}
    for name in data:
        match = FIELD.match(name)
        if not match:
            continue
        question_id = int(match.group(1))
        if question_id not in entries:
            raise QuestionNotInAttempt()
        posted.setdefault(question_id, {})[match.group(2) or ""] = data.getlist(name)
    answers = {}
    for question_id, fields in posted.items():
        answer = _answer(entries[question_id], fields)
        if answer is not None:
            answers[question_id] = answer
    return answers


def _real(mapping: dict[str, str], token: str) -> str:
    """The real option id behind a token of this attempt; anything else is refused."""
    try:
        return mapping[token]
    except KeyError:
        raise BadAnswer(_("Choose one of the options shown.")) from None


def _answer(entry: dict, fields: dict[str, list[str]]) -> dict | None:
    """One question's answer, with the page's tokens turned back into real option ids."""
    kind = entry["kind"]
    values = [value for value in fields.get("", []) if value != ""]
    if kind == "single_choice":
        return {"option": _real(layout.options_by_token(entry), values[-1])} if values else None
    if kind == "multiple_response":
        options = layout.options_by_token(entry)
        chosen = [_real(options, value) for value in values]
        return {"options": chosen} if chosen or "present" in fields else None
    if kind == "true_false":
        if not values:
            return None
        if values[-1] not in ("true", "false"):
            raise BadAnswer(_("Answer true or false."))
        return {"value": values[-1] == "true"}
    if kind == "short_text":
        return {"text": values[-1]} if values else None
    items = layout.options_by_token(entry)
    extra = set(fields) - set(items) - {""}
    if kind == "ordering":
        if extra:
            raise BadAnswer(_("An item that was not shown was placed."))
        positions = {}
        for token, option_id in items.items():
            raw = (fields.get(token) or [""])[-1]
            if raw == "":
                return None  # not every item placed yet: nothing to save
            try:
                positions[option_id] = int(raw)
            except ValueError:
                raise BadAnswer(_("Choose a position for every item.")) from None
        order = sorted(positions, key=lambda option_id: positions[option_id])
        if sorted(positions.values()) != list(range(1, len(order) + 1)):
            raise BadAnswer(_("Give every item a different position."))
        return {"order": order}
    if kind == "matching":
        if extra:
            raise BadAnswer(_("An item that was not shown was matched."))
        matches = layout.matches_by_token(entry)
        pairs = {
            option_id: _real(matches, (fields.get(token) or [""])[-1])
            for token, option_id in items.items()
            if (fields.get(token) or [""])[-1]
        }
        return {"pairs": pairs} if pairs else None
    return None

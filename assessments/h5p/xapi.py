"""Checking xAPI statements sent by the H5P player (plain Python, no database).

The player reports what the learner did as xAPI statements. Before anything is stored, each
statement must be an object with a verb and an object; its object must be the activity the
request is about (or a question inside it, ``<IRI>?subContentId=<id>``); a parent, when there
is one, must be that activity too; scores must be numbers that make sense together.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 10_000
# Statements and saved states are a dozen levels deep; far deeper is an attack on the parser.
MAX_JSON_DEPTH = 100
# H5P rounds scaled scores (to 4 decimals, some types to 2): more than this apart is a lie.
SCALED_TOLERANCE = 0.01
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
# Added by the player frame to answers inside a container: the whole activity's maximum score
# (H5P's getMaxScore() of the top-level content), so that answers so far are scored out of it.
ACTIVITY_MAX = "https://cpclearn.mn/xapi/extensions/activity-max-score"
ENDING_VERBS = {ANSWERED: "answered", COMPLETED: "completed"}

_SUB_CONTENT_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DURATION_RE = re.compile(
    r"^P(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


class StatementError(ValueError):
    """A statement that cannot be accepted; ``str(error)`` says why, in English, for developers.

    ``other_learner`` marks a statement whose actor is someone else (refused with 403).
    """

    def __init__(self, message: str, *, index: int | None = None, other_learner: bool = False):
        self.other_learner = other_learner
        super().__init__(f"statement {index}: {message}" if index is not None else message)


@dataclass
class Score:
    raw: float | None
    max: float | None
    scaled: float | None

    @property
    def graded(self) -> bool:
        """A score out of more than zero; ``max == 0`` (or no score) means ungraded content."""
        return self.max is not None and self.max > 0 and self.raw is not None


@dataclass
class CleanStatement:
    """A statement that passed the checks, and what the server needs to know of it."""

    data: dict[str, Any]
    verb: str
    sub_content_id: str
    has_parent: bool
    parent_sub_content_id: str  # the container inside the activity it answers in, if any
    activity_max: float | None  # the whole activity's maximum score, as the player reported it
    score: Score | None
    success: bool | None
    completion: bool | None
    duration_seconds: float | None
    response: str
    question: str
    interaction_type: str

    @property
    def top_level(self) -> bool:
        return not self.sub_content_id and not self.has_parent

    @property
    def ending(self) -> str | None:
        """``answered`` or ``completed`` when the statement ends something, else None."""
        return ENDING_VERBS.get(self.verb)


class TooDeep(ValueError):
    """JSON nested deeper than :data:`MAX_JSON_DEPTH` (or than the parser can go)."""


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in parsed JSON (without recursion)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            if level > MAX_JSON_DEPTH:
                break
            pending.extend((inner, level + 1) for inner in item if isinstance(inner, list | dict))
    return deepest


def parse_json(text: str | bytes) -> Any:
    """JSON the player sent, refused when it is not JSON (``ValueError``, ``UnicodeDecodeError``)
    or nests deeper than :data:`MAX_JSON_DEPTH` (:class:`TooDeep`): never a RecursionError."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep("nested too deeply") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise TooDeep("nested too deeply")
    return value


def _number(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StatementError(f"{name if ' ' in name else 'result.score.' + name} must be a number")
    return float(value)


def parse_duration(value: Any) -> float | None:
    """Seconds in an ISO 8601 duration as H5P writes it (``PT12.34S``, ``PT1M5S``)."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise StatementError("result.duration must be an ISO 8601 duration such as PT12.5S")
    match = _DURATION_RE.match(value)
    if not match or value in ("P", "PT"):
        raise StatementError("result.duration must be an ISO 8601 duration such as PT12.5S")
    parts = {name: float(amount) for name, amount in match.groupdict().items() if amount}
    return (
        parts.get("days", 0) * 86400
        + parts.get("hours", 0) * 3600
        + parts.get("minutes", 0) * 60
        + parts.get("seconds", 0)
    )


def _score(result: dict) -> Score | None:
    score = result.get("score")
    if score is None:
        return None
    if not isinstance(score, dict):
        raise StatementError("result.score must be an object")
    raw, maximum, scaled = (_number(score.get(name), name) for name in ("raw", "max", "scaled"))
    minimum = _number(score.get("min"), "min")
    if maximum is not None and maximum < 0:
        raise StatementError("result.score.max must not be negative")
    if raw is not None and maximum is not None and maximum > 0 and raw > maximum + 1e-9:
        raise StatementError("result.score.raw is larger than result.score.max")
    if raw is not None and minimum is not None and raw < minimum - 1e-9:
        raise StatementError("result.score.raw is smaller than result.score.min")
    if raw is not None and minimum is None and raw < 0:
        raise StatementError("result.score.raw is below zero and the score has no min")
    if scaled is not None and not -1 <= scaled <= 1:
        raise StatementError("result.score.scaled must be between -1 and 1")
    if (
        scaled is not None
        and raw is not None
        and maximum is not None
        and maximum > 0
        and abs(scaled - raw / maximum) > SCALED_TOLERANCE
    ):
        raise StatementError(
            f"result.score.scaled ({scaled:g}) does not agree with raw/max ({raw:g}/{maximum:g})"
        )
    return Score(raw=raw, max=maximum, scaled=scaled)


def _optional_bool(result: dict, name: str) -> bool | None:
    value = result.get(name)
    if value is not None and not isinstance(value, bool):
        raise StatementError(f"result.{name} must be true or false")
    return value


def _language_map_text(value: Any) -> str:
    if isinstance(value, dict) and value:
        text = value.get("en-US") or next(iter(value.values()))
        return text[:500] if isinstance(text, str) else ""
    return ""


def _other_learner(actor: Any, learner_mbox: str) -> bool:
    """Whether the statement names someone other than the signed-in learner as its actor."""
    if actor is None:
        return False
    if not isinstance(actor, dict):
        return True
    mbox = actor.get("mbox")
    if mbox is not None:
        return not isinstance(mbox, str) or mbox.strip().lower() != learner_mbox.lower()
    return "account" in actor or "openid" in actor or "mbox_sha1sum" in actor


def clean_statement(
    statement: Any, *, iri: str, learner_mbox: str, index: int | None = None
) -> CleanStatement:
    """Check one statement against the activity ``iri``; raises :class:`StatementError`."""
    try:
        return _clean(statement, iri=iri, learner_mbox=learner_mbox)
    except StatementError as error:
        raise StatementError(str(error), index=index, other_learner=error.other_learner) from None


def _clean(statement: Any, *, iri: str, learner_mbox: str) -> CleanStatement:
    if not isinstance(statement, dict):
        raise StatementError("a statement must be a JSON object")
    if _other_learner(statement.get("actor"), learner_mbox):
        raise StatementError("the statement is about another learner", other_learner=True)
    verb = statement.get("verb")
    if not isinstance(verb, dict) or not isinstance(verb.get("id"), str) or not verb["id"].strip():
        raise StatementError("verb.id is missing")
    if len(verb["id"]) > 255:
        raise StatementError("verb.id is too long")
    target = statement.get("object")
    if not isinstance(target, dict) or not isinstance(target.get("id"), str):
        raise StatementError("object.id is missing")
    object_id = target["id"]
    sub_content_id = ""
    if object_id != iri:
        prefix = f"{iri}?subContentId="
        if not object_id.startswith(prefix) or not _SUB_CONTENT_RE.match(object_id[len(prefix) :]):
            raise StatementError("object.id is not this activity")
        sub_content_id = object_id[len(prefix) :]
    context = statement.get("context")
    if context is not None and not isinstance(context, dict):
        raise StatementError("context must be an object")
    has_parent, parent_sub_content_id = False, ""
    activities = (context or {}).get("contextActivities")
    if activities is not None:
        if not isinstance(activities, dict):
            raise StatementError("context.contextActivities must be an object")
        parents = activities.get("parent")
        if parents is not None:
            parents = parents if isinstance(parents, list) else [parents]
            for parent in parents:
                parent_id = parent.get("id") if isinstance(parent, dict) else None
                if not isinstance(parent_id, str) or not (
                    parent_id == iri or parent_id.startswith(f"{iri}?subContentId=")
                ):
                    raise StatementError("context.contextActivities.parent is not this activity")
                sub = parent_id[len(f"{iri}?subContentId=") :] if parent_id != iri else ""
                if sub and not _SUB_CONTENT_RE.match(sub):
                    raise StatementError("context.contextActivities.parent is not this activity")
                parent_sub_content_id = parent_sub_content_id or sub
            has_parent = bool(parents)
    result = statement.get("result")
    if result is not None and not isinstance(result, dict):
        raise StatementError("result must be an object")
    result = result or {}
    response = result.get("response", "")
    if not isinstance(response, str):
        raise StatementError("result.response must be a string")
    extensions = (context or {}).get("extensions")
    activity_max = extensions.get(ACTIVITY_MAX) if isinstance(extensions, dict) else None
    if activity_max is not None:
        activity_max = _number(activity_max, "extensions activity-max-score")
        if activity_max < 0:
            raise StatementError("the activity's maximum score must not be negative")
    definition = target.get("definition") if isinstance(target.get("definition"), dict) else {}
    interaction_type = definition.get("interactionType", "")
    return CleanStatement(
        data=statement,
        verb=verb["id"],
        sub_content_id=sub_content_id,
        has_parent=has_parent,
        parent_sub_content_id=parent_sub_content_id,
        activity_max=activity_max,
        score=_score(result),
        success=_optional_bool(result, "success"),
        completion=_optional_bool(result, "completion"),
        duration_seconds=parse_duration(result.get("duration")),
        response=response[:MAX_TEXT],
        question=_language_map_text(definition.get("description"))
        or _language_map_text(definition.get("name")),
        interaction_type=interaction_type[:40] if isinstance(interaction_type, str) else "",
    )

"""Recording results: xAPI statements from the player become attempts with per-question
results, and complete the lesson by the block's rule through ``courses.services.lesson_complete``
(the one completion path); players that failed to start are kept for staff.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, FilteredRelation, Q
from django.utils import timezone

from courses import errors as course_errors
from courses import selectors as course_selectors
from courses import services as course_services

from ...grading import attempts_grade, reaches_pass_mark
from .. import content
from ..models import H5PActivity, H5PAttempt, H5PPlayerError, H5PQuestionResult, H5PStatement
from ..xapi import CleanStatement, StatementError, clean_statement
from .common import BadStatement, OtherLearner, activity_iri

# A learner's grade (0..1) from their graded attempts' scaled scores, by attempt number.
activity_grade = attempts_grade


def _passes(scaled: float | None, pass_mark: int) -> bool:
    return reaches_pass_mark(None if scaled is None else scaled * 100, pass_mark)


def learner_actor(user) -> dict:
    """The actor every stored statement gets: the signed-in learner, by account (no email)."""
    return {
        "objectType": "Agent",
        "name": user.get_full_name() or f"learner {user.pk}",
        "account": {"homePage": settings.SITE_URL, "name": str(user.pk)},
    }


@dataclass
class Recorded:
    """What one request of statements did."""

    stored: int
    attempts: list[H5PAttempt]
    lesson_completed: bool = False


def enrollment_for(*, user, lesson_key: uuid.UUID, lock: bool) -> tuple[int, bool]:
    """(id, lesson completed already) of the learner's enrolment in a release holding the lesson;
    one query. ``lock`` holds the enrolment's row to the end of the transaction (one request per
    learner at a time). Raises NotEnrolled."""
    enrollments = (
        course_selectors.enrollment_for_lesson(user=user, lesson_key=lesson_key)
        .annotate(own_progress=FilteredRelation("progress", condition=Q(progress__lesson_key=lesson_key)))
        .order_by()
    )
    if lock:
        enrollments = enrollments.select_for_update(of=("self",))
    found = enrollments.values_list("pk", "own_progress__completed_at")[:1]
    if not found:
        raise course_errors.NotEnrolled()
    enrollment_id, completed_at = found[0]
    return enrollment_id, completed_at is not None


def statements_clean(*, user, activity: H5PActivity, statements: list) -> list[CleanStatement]:
    """Check every statement (all or none); raises BadStatement or OtherLearner."""
    iri, mbox = activity_iri(activity.pk), f"mailto:{user.email}"
    cleaned = []
    for index, statement in enumerate(statements):
        try:
            cleaned.append(clean_statement(statement, iri=iri, learner_mbox=mbox, index=index))
        except StatementError as error:
            if error.other_learner:
                raise OtherLearner() from None
            raise BadStatement(str(error)) from None
    return cleaned


def suggested_rule(activity: H5PActivity) -> str:
    """The completion rule that suits an activity's content (passed, or viewed without a score)."""
    return content.default_rule(activity.content_types or [])


def effective_rule(activity: H5PActivity, block_rule: str = "") -> str:
    """The completion rule a lesson block applies: its own, else the activity's, else the one
    suggested for the content type; an ungraded activity cannot be passed, only completed."""
    rule = block_rule or activity.completion_rule or content.default_rule(activity.content_types)
    if rule == H5PActivity.CompletionRule.PASSED and not activity.graded:
        return H5PActivity.CompletionRule.COMPLETED
    return rule


def rule_can_be_met(activity: H5PActivity, block_rule: str = "") -> bool:
    """Whether the activity's content can ever meet the rule (a presentation without questions
    never sends an answer): when it cannot, the lesson keeps its *Mark complete* button."""
    types = activity.content_types or [activity.main_library.machine_name if activity.main_library_id else ""]
    return content.rule_can_be_met(effective_rule(activity, block_rule), types)


# Long on purpose: one pass over the statements keeps the open attempt's state in locals, so the queries per statement stay constant.
@transaction.atomic
def statements_record(
    *,
    user,
    activity: H5PActivity,
    lesson_key: uuid.UUID,
    statements: list,
    rule: str = "",
    package_revision: int | None = None,
    at=None,
) -> Recorded:
    """Store a learner's xAPI statements for an activity shown in a lesson they are enrolled in.

    Every statement is checked first (all or none). The actor is replaced by the learner, and
    each statement gets an id and a timestamp. Answers inside a container (a question of a
    Column, Question Set, Course Presentation, Interactive Video…) become per-question results
    of the learner's open attempt, whose score is the sum of its questions' (an answer given
    again replaces the earlier one). A top-level ``answered``/``completed`` ends the attempt
    with its own score, or the questions' when it sends none (none at all when ``max`` is 0),
    success decided here from the pass mark. The lesson is completed when ``rule`` (the block's
    completion rule, see :func:`effective_rule`) is met. A constant number of queries per
    statement, whatever the size of the course. ``at``: when the learner made them (statements
    queued offline on their phone), else now.
    """
    cleaned = statements_clean(user=user, activity=activity, statements=statements)
    rule = effective_rule(activity, rule)
    answers = [item for item in cleaned if _is_answer(item)]
    endings = [item for item in cleaned if item.top_level and item.ending]
    enrollment_id, lesson_done = enrollment_for(
        user=user, lesson_key=lesson_key, lock=bool(answers or endings)
    )
    now = at or timezone.now()
    actor = learner_actor(user)
    rows = {}
    for item in cleaned:
        data = {**item.data, "actor": actor, "id": str(uuid.uuid4()), "timestamp": now.isoformat()}
        rows[id(item)] = H5PStatement(
            statement_id=data["id"],
            activity=activity,
            user=user,
            lesson_key=lesson_key,
            verb=item.verb,
            object_iri=data["object"]["id"][:600],
            sub_content_id=item.sub_content_id,
            top_level=item.top_level,
            data=data,
            stored_at=now,
        )
    H5PStatement.objects.bulk_create(rows.values())
    attempts, scores, open_complete = [], {}, False
    if answers or endings:
        # Every earlier attempt's number, score and state, once: the next number, the open
        # attempt and the grade follow.
        earlier = list(
            H5PAttempt.objects.filter(activity=activity, user=user).values_list(
                "pk", "number", "scaled", "open", "whole_max"
            )
        )
        scores = {number: scaled for _pk, number, scaled, is_open, _w in earlier if not is_open}
        open_attempt = next(((pk, number) for pk, number, _s, is_open, _w in earlier if is_open), None)
        whole_max = next((whole for _pk, _n, _s, is_open, whole in earlier if is_open), None)
        next_number = max((number for _pk, number, _s, _o, _w in earlier), default=0) + 1
        answer_ids, ending_ids = {id(item) for item in answers}, {id(item) for item in endings}
        open_scaled = None
        for item in cleaned:
            if id(item) in answer_ids:
                if open_attempt is None:
                    created = _attempt_create(
                        user=user,
                        activity=activity,
                        enrollment_id=enrollment_id,
                        lesson_key=lesson_key,
                        number=next_number,
                        package_revision=package_revision,
                        now=now,
                    )
                    open_attempt, whole_max = (created.pk, created.number), None
                    next_number += 1
                _answer_record(
                    user=user,
                    activity=activity,
                    attempt_id=open_attempt[0],
                    item=item,
                    row=rows[id(item)],
                    now=now,
                )
                whole_max = item.activity_max if item.activity_max is not None else whole_max
            elif id(item) in ending_ids:
                ended = _attempt_end(
                    user=user,
                    activity=activity,
                    enrollment_id=enrollment_id,
                    lesson_key=lesson_key,
                    item=item,
                    row=rows[id(item)],
                    open_attempt=open_attempt,
                    whole_max=whole_max,
                    number=next_number,
                    package_revision=package_revision,
                )
                if open_attempt is None:
                    next_number += 1
                open_attempt, whole_max = None, None
                scores[ended.number] = ended.scaled
                attempts.append(ended)
        if open_attempt is not None and any(id(item) in answer_ids for item in cleaned):
            open_scaled, open_complete = _attempt_rescore(
                attempt_id=open_attempt[0], activity=activity, whole_max=whole_max, now=now
            )
            if open_scaled is not None:
                scores[open_attempt[1]] = open_scaled
    completed = False
    finished = bool(attempts) or open_complete
    if not lesson_done and _rule_met(rule, activity, cleaned=cleaned, finished=finished, scores=scores):
        completed = _complete(user=user, lesson_key=lesson_key, at=at)
    return Recorded(stored=len(rows), attempts=attempts, lesson_completed=completed)


def _is_answer(item: CleanStatement) -> bool:
    """An answer to a question inside the activity: a child's ``answered``, or a child's scored
    ``completed`` (a memory game in a Column reports its result that way)."""
    if item.top_level:
        return False
    return item.ending == "answered" or (item.ending == "completed" and item.score is not None)


def _attempt_create(
    *, user, activity, enrollment_id: int, lesson_key, number: int, package_revision, now
) -> H5PAttempt:
    return H5PAttempt.objects.create(
        activity=activity,
        user=user,
        enrollment_id=enrollment_id,
        lesson_key=lesson_key,
        number=number,
        verb="answered",
        open=True,
        package_revision=package_revision,
        pass_mark=activity.pass_mark,
        finished_at=now,
    )


def _answer_record(*, user, activity, attempt_id: int, item: CleanStatement, row, now) -> None:
    """One answer inside the open attempt; the same question answered again replaces it."""
    score = item.score
    graded = score is not None and score.graded
    scaled = _scaled(score) if graded else None
    H5PQuestionResult.objects.filter(attempt_id=attempt_id, sub_content_id=item.sub_content_id).delete()
    H5PQuestionResult.objects.create(
        activity=activity,
        user=user,
        attempt_id=attempt_id,
        statement=row,
        sub_content_id=item.sub_content_id,
        parent_sub_content_id=item.parent_sub_content_id,
        question=item.question,
        interaction_type=item.interaction_type,
        response=item.response,
        raw=score.raw if graded else None,
        max=score.max if graded else None,
        scaled=scaled,
        success=item.success if item.success is not None else (scaled >= 1 - 1e-9 if graded else None),
        answered_at=now,
    )


def _derived_score(attempt_id: int) -> tuple[float, float] | None:
    """(raw, max) of an attempt from its questions: the sum over the answers that are not
    themselves containers of other answers (a Question Set inside a Column counts through its
    questions, not twice). None when no question gave a score."""
    rows = list(
        H5PQuestionResult.objects.filter(attempt_id=attempt_id).values_list(
            "sub_content_id", "parent_sub_content_id", "raw", "max"
        )
    )
    containers = {parent for _sub, parent, _raw, _max in rows if parent}
    scored = [(raw, maximum) for sub, _p, raw, maximum in rows if sub not in containers and maximum]
    if not scored:
        return None
    return sum(raw for raw, _m in scored), sum(maximum for _r, maximum in scored)


def _attempt_rescore(*, attempt_id: int, activity, whole_max: float | None, now) -> tuple[float | None, bool]:
    """The open attempt's score so far, from its questions, out of the whole activity's maximum
    when the player reported it (else out of the questions answered: such a score does not
    count for the pass mark). Returns (scaled when it counts, every question answered)."""
    derived = _derived_score(attempt_id) if activity.graded else None
    raw, answered_max = derived if derived else (None, None)
    maximum = answered_max
    if whole_max and answered_max is not None and whole_max + 1e-9 >= answered_max:
        maximum = whole_max
    scaled = max(0.0, min(1.0, raw / maximum)) if maximum else None
    fields = {
        "raw": raw,
        "max": maximum,
        "scaled": scaled,
        "success": _passes(scaled, activity.pass_mark) if scaled is not None else None,
        "finished_at": now,
    }
    if whole_max is not None:
        fields["whole_max"] = whole_max
    H5PAttempt.objects.filter(pk=attempt_id).update(**fields)
    counts = bool(whole_max) and scaled is not None
    complete = counts and answered_max is not None and answered_max + 1e-9 >= whole_max
    return (scaled if counts else None), complete


def _scaled(score) -> float | None:
    """The score the server records: raw/max (checked against the browser's scaled, never
    replaced by it)."""
    if score is None or not score.graded:
        return None
    return max(0.0, min(1.0, score.raw / score.max))


def _attempt_end(
    *,
    user,
    activity,
    enrollment_id: int,
    lesson_key,
    item: CleanStatement,
    row,
    open_attempt: tuple[int, int] | None,
    whole_max: float | None,
    number: int,
    package_revision,
) -> H5PAttempt:
    """End the open attempt (or a new one) with the container's own score, or the questions'
    when it sends none (out of the whole activity's maximum when the player reported it)."""
    score = item.score
    raw = maximum = None
    if activity.graded and score is not None and score.graded:
        raw, maximum = score.raw, score.max
    elif activity.graded and open_attempt is not None and not (score is not None and score.max == 0):
        derived = _derived_score(open_attempt[0])
        if derived:
            raw, maximum = derived
            if whole_max and whole_max + 1e-9 >= maximum:
                maximum = whole_max  # out of the whole activity, not only the questions answered
    scaled = max(0.0, min(1.0, raw / maximum)) if maximum else None
    fields = {
        "statement": row,
        "verb": item.ending,
        "open": False,
        "raw": raw,
        "max": maximum,
        "scaled": scaled,
        "success": _passes(scaled, activity.pass_mark) if scaled is not None else None,
        "completion": item.completion,
        "duration_seconds": item.duration_seconds,
        "pass_mark": activity.pass_mark,
        "finished_at": row.stored_at,
    }
    if open_attempt is not None:
        pk, existing = open_attempt
        H5PAttempt.objects.filter(pk=pk).update(**fields)
        return H5PAttempt(
            pk=pk, activity=activity, user=user, lesson_key=lesson_key, number=existing, **fields
        )
    return H5PAttempt.objects.create(
        activity=activity,
        user=user,
        enrollment_id=enrollment_id,
        lesson_key=lesson_key,
        number=number,
        package_revision=package_revision,
        **fields,
    )


def _rule_met(rule: str, activity, *, cleaned, finished: bool, scores: dict) -> bool:
    """Whether these statements meet the block's completion rule: ``finished`` when an attempt
    ended (or every question of a container that never ends was answered); ``scores`` are the
    attempts' scaled scores by number (an open attempt's when it is scored out of the whole)."""
    Rule = H5PActivity.CompletionRule
    if rule == Rule.VIEWED:
        return bool(cleaned)
    if rule == Rule.ANSWERED:
        return any(item.ending for item in cleaned)
    if rule == Rule.COMPLETED:
        return finished
    graded = {number: scaled for number, scaled in scores.items() if scaled is not None}
    return bool(graded) and _passes(activity_grade(graded, activity.grading_method), activity.pass_mark)


def _complete(*, user, lesson_key: uuid.UUID, at=None) -> bool:
    """Complete the lesson through the courses completion path (the one completion path)."""
    try:
        course_services.lesson_complete(user=user, lesson_key=lesson_key, by_activity=True, at=at)
    except (course_errors.AlreadyCompleted, course_errors.NotEnrolled):
        return False
    return True


def player_error_record(
    *, user, activity: H5PActivity, package_revision: int | None, message: str, user_agent: str = ""
) -> H5PPlayerError:
    """A player that failed to start in someone's browser, kept once per person and message
    (counted), for the staff results."""
    message = " ".join(str(message).split())[:500] or "unknown error"
    now = timezone.now()
    person = user if getattr(user, "is_authenticated", False) else None
    found = H5PPlayerError.objects.filter(activity=activity, user=person, message=message).first()
    if found is not None:
        H5PPlayerError.objects.filter(pk=found.pk).update(count=F("count") + 1, last_seen=now)
        return found
    return H5PPlayerError.objects.create(
        activity=activity,
        user=person,
        package_revision=package_revision,
        message=message,
        user_agent=user_agent[:300],
        first_seen=now,
        last_seen=now,
    )

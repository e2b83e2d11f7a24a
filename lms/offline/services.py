"""Writes for offline learning: quiz papers for a download, and the one sync of work done offline.

Every item a device sends carries an id the device made, the kind of work and when it happened.
Items are taken in the order sent, each on its own (one refused item does not undo the others),
and stored with their outcome under (person, id): a repeated sync returns the same outcomes and
changes nothing. Completion, attempts and reading time are recorded at the time the work was
done, never later than now; what cannot be applied is refused with the reason.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from assessments import services as quiz_services
from assessments.forms import answers_from_post
from assessments.h5p import selectors as h5p_selectors
from assessments.h5p import services as h5p_services
from assessments.h5p.models import H5PActivity
from assessments.models import Quiz
from courses import errors as course_errors
from courses import services as course_services
from courses.models import Enrollment, LessonPage, LessonProgress, ReleaseLesson
from courses.selectors import Access, access_for, enrollment_for_lesson

from . import errors
from .models import OfflinePaper, SyncedItem
from .selectors import DownloadPlan, paper_quizzes

MAX_ITEMS = 100  # items in one sync request; a device with more sends them in turns
MAX_ANSWER_FIELDS = 500
CLOCK_SKEW = timedelta(minutes=10)  # a device clock this far ahead is refused, not trusted
KINDS = ("visit", "time", "complete", "quiz", "xapi")


def papers_issue(*, plan: DownloadPlan) -> list[tuple[LessonPage, Quiz, OfflinePaper]]:
    """A paper for each quiz of a download the learner can take offline: the unused one already
    drawn for their release, else a new draw. Drawing counts no attempt."""
    enrollment = plan.enrollment
    found = []
    for lesson, quiz in paper_quizzes(plan):
        paper = (
            OfflinePaper.objects.filter(
                user_id=enrollment.user_id,
                quiz=quiz,
                release_id=enrollment.release_id,
                lesson_key=lesson.translation_key,
                attempt__isnull=True,
            )
            .order_by("-created_at")
            .first()
        )
        if paper is None:
            try:
                drawn = quiz_services.layout_draw(quiz=quiz, enrollment=enrollment)
            except course_errors.CourseActionError:
                continue  # a quiz with no questions to show: it stays online only
            paper = OfflinePaper.objects.create(
                token=secrets.token_urlsafe(32),
                user_id=enrollment.user_id,
                quiz=quiz,
                enrollment=enrollment,
                release_id=enrollment.release_id,
                lesson_key=lesson.translation_key,
                quiz_revision_id=drawn.quiz_revision_id,
                pass_mark=drawn.pass_mark,
                layout=drawn.layout,
            )
        found.append((lesson, quiz, paper))
    return found


# --- sync ------------------------------------------------------------------------------------------


def items_sync(*, user, items: list) -> list[dict]:
    """Apply a device's queued items in order; one outcome per item, in the same order."""
    return [_item_sync(user, raw) for raw in items[:MAX_ITEMS]]


def _item_sync(user, raw) -> dict:
    if not isinstance(raw, dict):
        return _answer(None, SyncedItem.Status.REFUSED, _refusal(errors.BadItem()))
    try:
        client_id = uuid.UUID(str(raw.get("id", "")))
    except ValueError:
        return _answer(None, SyncedItem.Status.REFUSED, _refusal(errors.BadItem()))
    stored = SyncedItem.objects.filter(user=user, client_id=client_id).first()
    if stored is not None:
        return _answer(client_id, stored.status, stored.outcome, repeat=True)
    kind = raw.get("kind")
    at = _when(raw.get("at"))
    if kind not in KINDS or at is None or timezone.is_naive(at):
        return _answer(client_id, SyncedItem.Status.REFUSED, _refusal(errors.BadItem()))
    now = timezone.now()
    try:
        with transaction.atomic():
            if at > now + CLOCK_SKEW:
                raise errors.ClockAhead()
            outcome = HANDLERS[kind](user, raw, min(at, now))
            status = SyncedItem.Status.DONE
            _record(user, client_id, kind, min(at, now), status, outcome)  # with the work, or neither
    except course_errors.CourseActionError as error:
        status, outcome = SyncedItem.Status.REFUSED, _refusal(error)
        try:
            with transaction.atomic():
                _record(user, client_id, kind, min(at, now), status, outcome)
        except IntegrityError:
            return _stored(user, client_id)
    except IntegrityError:  # the same item sent twice at once: the first one's outcome stands
        return _stored(user, client_id)
    return _answer(client_id, status, outcome)


def _record(user, client_id, kind, happened_at, status, outcome) -> None:
    SyncedItem.objects.create(
        user=user, client_id=client_id, kind=kind, happened_at=happened_at, status=status, outcome=outcome
    )


def _stored(user, client_id) -> dict:
    stored = SyncedItem.objects.get(user=user, client_id=client_id)
    return _answer(client_id, stored.status, stored.outcome, repeat=True)


def _answer(client_id, status, outcome: dict, repeat: bool = False) -> dict:
    return {"id": str(client_id) if client_id else None, "status": status, "repeat": repeat, **outcome}


def _refusal(error: course_errors.CourseActionError) -> dict:
    return {"code": getattr(error, "code", "refused"), "message": str(error.message)}


def _lesson(user, raw) -> LessonPage:
    """The lesson an item names, if the one access decision still lets this person in."""
    lesson_id = raw.get("lesson")
    lesson = LessonPage.objects.filter(pk=lesson_id).first() if isinstance(lesson_id, int) else None
    if lesson is None:
        raise errors.BadItem()
    if access_for(user=user, page=lesson) is not Access.ALLOWED:
        raise course_errors.NotAllowed()
    return lesson


def _enrollment(user, lesson: LessonPage) -> Enrollment:
    enrollment = (
        enrollment_for_lesson(user=user, lesson_key=lesson.translation_key).select_related("release").first()
    )
    if enrollment is None:
        raise course_errors.NotEnrolled()
    return enrollment


def _release_of_item(raw) -> int | None:
    release = raw.get("release")
    return release if isinstance(release, int) else None


def _lesson_unchanged(lesson: LessonPage, enrollment: Enrollment, release_id: int | None) -> None:
    """Work done on an offline copy of an older release counts only where the lesson is the same
    in the release the learner is on now (a release move reopens changed lessons)."""
    if release_id is None or release_id == enrollment.release_id:
        return
    hashes = dict(
        ReleaseLesson.objects.filter(
            release_id__in=[release_id, enrollment.release_id], lesson_key=lesson.translation_key
        ).values_list("release_id", "content_hash")
    )
    if release_id in hashes and hashes[release_id] == hashes.get(enrollment.release_id):
        return
    raise errors.LessonChanged(
        _(
            "“%(lesson)s” changed in version %(version)s after you read it offline. Read it again and mark it complete."
        )
        % {"lesson": lesson.title, "version": enrollment.release.version}
    )


def _when(value):
    """An aware time from a device's ISO text, else None (also for a well-formed impossible date)."""
    try:
        return parse_datetime(str(value)) if value else None
    except ValueError:
        return None


def _not_before(at, earliest):
    """Work cannot have been done before what it needed existed (the enrolment, the paper): a
    device clock set back does not move it into an earlier reporting period."""
    return max(at, earliest) if earliest else at


def _visit(user, raw, at) -> dict:
    lesson = _lesson(user, raw)
    enrollment = _enrollment(user, lesson)
    at = _not_before(at, enrollment.enrolled_at)
    progress = LessonProgress.objects.filter(enrollment=enrollment, lesson_key=lesson.translation_key).first()
    course_services.lesson_visit(
        enrollment=enrollment, lesson_key=lesson.translation_key, progress=progress, at=at
    )
    return {"code": "visited", "message": _("Opened offline: %(lesson)s") % {"lesson": lesson.title}}


def _time(user, raw, at) -> dict:
    seconds = raw.get("seconds")
    if not isinstance(seconds, int) or seconds < 0:
        raise errors.BadItem()
    lesson = _lesson(user, raw)
    enrollment = _enrollment(user, lesson)
    at = _not_before(at, enrollment.enrolled_at + timedelta(seconds=seconds))
    if not LessonProgress.objects.filter(enrollment=enrollment, lesson_key=lesson.translation_key).exists():
        course_services.lesson_visit(
            enrollment=enrollment,
            lesson_key=lesson.translation_key,
            progress=None,
            at=at - timedelta(seconds=seconds),
        )
    added = course_services.lesson_time_add(user=user, lesson=lesson, seconds=seconds, at=at)
    return {"code": "time", "seconds": added, "message": ""}


def _complete(user, raw, at) -> dict:
    lesson = _lesson(user, raw)
    enrollment = _enrollment(user, lesson)
    at = _not_before(at, enrollment.enrolled_at)
    _lesson_unchanged(lesson, enrollment, _release_of_item(raw))
    try:
        progress = course_services.lesson_complete(user=user, lesson_key=lesson.translation_key, at=at)
    except course_errors.AlreadyCompleted:
        return {"code": "already", "message": _("Already completed: %(lesson)s") % {"lesson": lesson.title}}
    done = progress.enrollment.is_completed and progress.enrollment.completed_at == progress.completed_at
    return {
        "code": "completed",
        "course_complete": done,
        "message": (
            _("Course complete! The last lesson was “%(lesson)s”.")
            if done
            else _("Lesson completed: %(lesson)s")
        )
        % {"lesson": lesson.title},
    }


def _answers(raw) -> QueryDict:
    fields = raw.get("answers")
    if not isinstance(fields, list) or len(fields) > MAX_ANSWER_FIELDS:
        raise errors.BadItem()
    data = QueryDict(mutable=True)
    for pair in fields:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair)):
            raise errors.BadItem()
        data.appendlist(pair[0][:100], pair[1][:1000])
    return data


def _quiz(user, raw, at) -> dict:
    token = raw.get("paper")
    paper = (
        OfflinePaper.objects.select_related("quiz", "release").filter(token=token, user=user).first()
        if isinstance(token, str)
        else None
    )
    if paper is None:
        raise errors.PaperUnknown()
    if paper.attempt_id is not None:
        raise errors.PaperUsed()
    data = _answers(raw)
    lesson = LessonPage.objects.filter(translation_key=paper.lesson_key, pk=raw.get("lesson")).first()
    lesson = lesson or LessonPage.objects.filter(translation_key=paper.lesson_key).first()
    if lesson is None or access_for(user=user, page=lesson) is not Access.ALLOWED:
        raise course_errors.NotAllowed()
    enrollment = _enrollment(user, lesson)
    if enrollment.release_id != paper.release_id:
        pin_then = (paper.release.quiz_pins or {}).get(str(paper.quiz_id))
        pin_now = (enrollment.release.quiz_pins or {}).get(str(paper.quiz_id))
        if pin_then != pin_now:
            raise errors.QuizChanged(
                _(
                    "The quiz “%(quiz)s” changed in version %(version)s while you were offline. Take it again online."
                )
                % {"quiz": paper.quiz.title, "version": enrollment.release.version}
            )
    at = _not_before(at, paper.created_at)  # answered no earlier than the paper was drawn
    started = _when(raw.get("started"))
    started = (
        min(_not_before(started, paper.created_at), at) if started and timezone.is_aware(started) else at
    )
    attempt = quiz_services.attempt_submit_taken_offline(
        user=user,
        quiz=paper.quiz,
        lesson=lesson,
        paper=quiz_services.DrawnPaper(
            layout=paper.layout,
            quiz_revision_id=paper.quiz_revision_id,
            pass_mark=paper.pass_mark,
            time_limit_minutes=None,
        ),
        answers_of=lambda attempt: answers_from_post(attempt, data),
        started_at=started,
        at=at,
    )
    paper.attempt = attempt
    paper.save(update_fields=["attempt"])
    if paper.quiz.is_pre_test:
        text = _("“%(quiz)s” marked: your score is %(score)s%%.")
    elif attempt.passed:
        text = _("“%(quiz)s” marked: passed with %(score)s%%.")
    else:
        text = _("“%(quiz)s” marked: %(score)s%%, not passed yet.")
    return {
        "code": "marked",
        "score": attempt.score,
        "passed": attempt.passed,
        "result_url": reverse("assessments:result", args=[attempt.pk]),
        "message": text % {"quiz": paper.quiz.title, "score": f"{attempt.score:.0f}"},
    }


def _xapi(user, raw, at) -> dict:
    """H5P statements the lesson page could not send (the connection dropped while the learner
    played an activity): recorded as the activity's own requests would have been, at their time."""
    lesson, activity_id, signature = _lesson(user, raw), raw.get("activity"), raw.get("signature")
    statements = raw.get("statements")
    if not (isinstance(activity_id, int) and isinstance(signature, str) and isinstance(statements, list)):
        raise errors.BadItem()
    if not statements or len(statements) > settings.H5P_MAX_STATEMENTS:
        raise errors.BadItem()
    if not h5p_selectors.player_signature_valid(
        lesson_id=lesson.pk, activity_id=activity_id, signature=signature
    ):
        raise course_errors.NotAllowed()
    placement = h5p_selectors.activity_placement(user=user, lesson=lesson, activity_id=activity_id)
    activity = H5PActivity.objects.filter(pk=activity_id).first()
    if placement is None or activity is None:
        raise course_errors.NotAllowed()
    at = _not_before(at, _enrollment(user, lesson).enrolled_at)
    recorded = h5p_services.statements_record(
        user=user,
        activity=activity,
        lesson_key=lesson.translation_key,
        statements=statements,
        rule=placement.rule,
        package_revision=placement.revision or activity.revision,
        at=at,
    )
    message = ""
    if recorded.lesson_completed:
        message = _("Lesson completed: %(lesson)s") % {"lesson": lesson.title}
    elif recorded.attempts and recorded.attempts[-1].scaled is not None:
        message = _("“%(activity)s”: your result was saved (%(score)s%%).") % {
            "activity": activity.title,
            "score": f"{100 * recorded.attempts[-1].scaled:.0f}",
        }
    return {"code": "recorded", "stored": recorded.stored, "message": message}


HANDLERS = {"visit": _visit, "time": _time, "complete": _complete, "quiz": _quiz, "xapi": _xapi}

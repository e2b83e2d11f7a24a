"""Reads for H5P activities: the player's settings, a learner's results, staff results."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import Avg, Count, Max, Q, QuerySet
from django.urls import reverse
from wagtail.models import Revision

from courses.models import Enrollment, LessonPage, ReleaseLesson

from .models import H5PActivity, H5PAttempt, H5PQuestionResult, H5PUserState
from .services import activity_grade, activity_iri

_SIGNER = signing.Signer(salt="assessments.h5p.player")
# A revision never changes: the activities its body shows can be kept as long as the cache will.
REVISION_CACHE_KEY = "h5p:activities-in-revision:{}"
REVISION_CACHE_SECONDS = 30 * 24 * 3600


# --- player URLs: signed for one lesson and one activity -----------------------------------------


def player_signature(*, lesson_id: int, activity_id: int) -> str:
    """Proof that the server rendered this activity in this lesson (URLs of its files carry it)."""
    return _SIGNER.signature(f"{lesson_id}:{activity_id}")


def player_signature_valid(*, lesson_id: int, activity_id: int, signature: str) -> bool:
    return hmac.compare_digest(player_signature(lesson_id=lesson_id, activity_id=activity_id), signature)


# --- which activities a person's lesson shows -------------------------------------------------------


def activity_ids_in_body(body) -> set[int]:
    """The ids of the H5P activities a lesson body (stream JSON, as text or as data) shows, at
    any depth (``{"type": "h5p", "value": {"activity": id}}``)."""
    if isinstance(body, str):
        try:
            body = json.loads(body or "[]")
        except (ValueError, RecursionError):
            return set()
    found, pending = set(), [body]
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, dict):
            inner = value.get("value")
            if value.get("type") == "h5p" and isinstance(inner, dict):
                activity = inner.get("activity")
                if isinstance(activity, int) and not isinstance(activity, bool):
                    found.add(activity)
            pending.extend(v for v in value.values() if isinstance(v, list | dict))
    return found


def activities_in_revisions(revision_ids) -> dict[int, frozenset[int]]:
    """{revision id: ids of the H5P activities its body shows}; cached by revision (a revision's
    content never changes), one query for those not cached yet."""
    wanted = {int(r) for r in revision_ids if r}
    keys = {REVISION_CACHE_KEY.format(r): r for r in wanted}
    found = {keys[key]: frozenset(ids) for key, ids in cache.get_many(list(keys)).items()}
    missing = wanted - set(found)
    if missing:
        fresh = {
            pk: frozenset(activity_ids_in_body((content or {}).get("body")))
            for pk, content in Revision.objects.filter(pk__in=missing).values_list("pk", "content")
        }
        cache.set_many(
            {REVISION_CACHE_KEY.format(pk): sorted(ids) for pk, ids in fresh.items()}, REVISION_CACHE_SECONDS
        )
        found.update(fresh)
    return found


def _released_revision(revisions, language: str) -> int | None:
    revisions = json.loads(revisions) if isinstance(revisions, str) else (revisions or {})
    return revisions.get(language) or revisions.get(settings.LANGUAGE_CODE)


def lesson_revision_for(*, user, lesson: LessonPage, language: str) -> int | None:
    """The revision of a lesson (in one language) that this person's lesson page shows, as
    ``courses.selectors.lesson_state_for_user`` chooses it: their enrolment's release, else the
    course's current release, else the live page. Two queries at most."""
    key = lesson.translation_key
    if user.is_authenticated:
        revisions = (
            Enrollment.objects.filter(user=user, release__lessons__lesson_key=key)
            .order_by()
            .values_list("release__lessons__revisions", flat=True)[:1]
        )
        if revisions:
            return _released_revision(revisions[0], language)
    revisions = (
        ReleaseLesson.objects.filter(release__is_current=True, lesson_key=key)
        .order_by()
        .values_list("revisions", flat=True)[:1]
    )
    if revisions:
        return _released_revision(revisions[0], language)
    return lesson.live_revision_id


def _may_edit(user, lesson: LessonPage) -> bool:
    """Whether the person may edit the lesson in the admin (and so preview its latest draft)."""
    if not user.is_authenticated or not user.has_perm("wagtailadmin.access_admin"):
        return False
    return lesson.permissions_for_user(user).can_edit()


def activity_shown_to(*, user, lesson: LessonPage, activity_id: int, language: str | None = None) -> bool:
    """Whether the lesson, as this person's release has it, shows the activity: the only place a
    signed player URL is good for. People who may edit the lesson also reach the activities of
    its latest revision (previews). A constant number of queries (revision contents are cached)."""
    language = language or lesson.locale.language_code
    revision = lesson_revision_for(user=user, lesson=lesson, language=language)
    if revision is None:
        # Made outside the admin and never revised: the page itself is its only version.
        body = LessonPage.objects.filter(pk=lesson.pk).values_list("body", flat=True).first()
        if activity_id in activity_ids_in_body(getattr(body, "get_prep_value", lambda: body)()):
            return True
    elif activity_id in activities_in_revisions([revision]).get(revision, frozenset()):
        return True
    latest = lesson.latest_revision_id
    if latest and latest != revision and _may_edit(user, lesson):
        return activity_id in activities_in_revisions([latest]).get(latest, frozenset())
    return False


@dataclass
class PlayerSettings:
    """What the page gives the player: URLs, title, the learner's saved state."""

    activity: H5PActivity
    dom_id: str
    options: dict
    xapi_url: str | None
    enrolled: bool


def player_settings(
    *, activity: H5PActivity, lesson, user, enrolled: bool, repeat: int = 0
) -> PlayerSettings:
    """The options for ``new H5PStandalone.H5P(element, options)``, for one player on a lesson page.

    One query for the learner's saved state (none for visitors).
    """
    base = {
        "lesson_id": lesson.pk,
        "activity_id": activity.pk,
        "signature": player_signature(lesson_id=lesson.pk, activity_id=activity.pk),
    }
    content = reverse(
        "assessments:h5p_content", kwargs={**base, "revision": activity.revision, "path": "h5p.json"}
    )
    content = content.rsplit("/", 1)[0]
    libraries = reverse(
        "assessments:h5p_library",
        kwargs={**base, "token": activity.libraries_token, "library": "L-1.0", "path": "x"},
    ).rsplit("/", 2)[0]
    dom_id = f"h5p-{activity.pk}-{repeat}" if repeat else f"h5p-{activity.pk}"  # the same one twice
    options = {
        "id": dom_id,
        "h5pJsonPath": content,
        "contentJsonPath": f"{content}/content",
        "librariesPath": libraries,
        "xAPIObjectIRI": activity_iri(activity.pk),
        "metadata": {"title": activity.title},
        "title": activity.title,
    }
    xapi_url = None
    if enrolled and user.is_authenticated:
        state = (
            H5PUserState.objects.filter(activity=activity, user=user, data_type="state", sub_content_id="0")
            .values_list("data", flat=True)
            .first()
        )
        options.update(
            {
                "user": {"name": user.get_full_name() or user.email, "mail": user.email},
                "ajax": {
                    "contentUserDataUrl": reverse(
                        "assessments:h5p_state",
                        kwargs={**base, "data_type": "DATATYPE", "sub_content_id": "SUBCONTENTID"},
                    )
                    .replace("DATATYPE", ":dataType")
                    .replace("SUBCONTENTID", ":subContentId")
                },
            }
        )
        if state:
            options["contentUserData"] = [{"state": state}]
        xapi_url = reverse("assessments:h5p_xapi", kwargs=base)
    return PlayerSettings(
        activity=activity, dom_id=dom_id, options=options, xapi_url=xapi_url, enrolled=enrolled
    )


# --- a learner's own results --------------------------------------------------------------------


@dataclass
class LearnerResults:
    attempts: list[H5PAttempt]
    grade: float | None  # 0..1, by the activity's grading method
    passed: bool

    @property
    def percent(self) -> float | None:
        return None if self.grade is None else round(self.grade * 100, 1)


def learner_results(*, activity: H5PActivity, user) -> LearnerResults:
    """A learner's attempts at an activity (newest first) and their grade. One query."""
    attempts = (
        list(H5PAttempt.objects.filter(activity=activity, user=user).order_by("-number"))
        if user.is_authenticated
        else []
    )
    grade = activity_grade(
        {a.number: a.scaled for a in attempts if a.scaled is not None}, activity.grading_method
    )
    passed = grade is not None and grade * 100 + 1e-9 >= activity.pass_mark
    return LearnerResults(attempts=attempts, grade=grade, passed=passed)


# --- staff results ----------------------------------------------------------------------------------


@dataclass
class ActivitySummary:
    attempts: int
    learners: int
    mean_percent: float | None
    passed_attempts: int


def activity_summary(*, activity: H5PActivity) -> ActivitySummary:
    row = H5PAttempt.objects.filter(activity=activity).aggregate(
        attempts=Count("pk"),
        learners=Count("user", distinct=True),
        mean=Avg("scaled"),
        passed=Count("pk", filter=Q(success=True)),
    )
    return ActivitySummary(
        attempts=row["attempts"],
        learners=row["learners"],
        mean_percent=None if row["mean"] is None else round(row["mean"] * 100, 1),
        passed_attempts=row["passed"],
    )


def activity_attempts(*, activity: H5PActivity, search: str = "") -> QuerySet[H5PAttempt]:
    """Every attempt at an activity, newest first, with the learner (for the staff listing)."""
    attempts = (
        H5PAttempt.objects.filter(activity=activity).select_related("user").order_by("-finished_at", "-pk")
    )
    if search:
        attempts = attempts.filter(Q(user__email__icontains=search) | Q(user__full_name__icontains=search))
    return attempts


@dataclass
class QuestionRow:
    sub_content_id: str
    question: str
    interaction_type: str
    answers: int
    mean_percent: float | None
    results: list[H5PQuestionResult] = field(default_factory=list)


def question_summary(*, activity: H5PActivity) -> list[QuestionRow]:
    """Per question inside a container: how many answers and the mean score."""
    rows = (
        H5PQuestionResult.objects.filter(activity=activity, attempt__isnull=False)
        .values("sub_content_id")
        .annotate(
            answers=Count("pk"), mean=Avg("scaled"), question=Max("question"), kind=Max("interaction_type")
        )
        .order_by("question")
    )
    return [
        QuestionRow(
            sub_content_id=row["sub_content_id"],
            question=row["question"],
            interaction_type=row["kind"],
            answers=row["answers"],
            mean_percent=None if row["mean"] is None else round(row["mean"] * 100, 1),
        )
        for row in rows
    ]


def attempt_question_results(*, attempt: H5PAttempt) -> list[H5PQuestionResult]:
    return list(attempt.question_results.order_by("answered_at", "pk"))

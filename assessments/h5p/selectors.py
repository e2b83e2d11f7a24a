"""Reads for H5P activities: the player's settings, a learner's results, staff results."""

from __future__ import annotations

import hmac
import json
import os
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.cache import cache
from django.db.models import Avg, Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import Revision

from courses.models import LessonPage, ReleaseLesson
from courses.selectors import enrollment_for_lesson

from . import content, frame
from .models import (
    H5PActivity,
    H5PAttempt,
    H5PPackageRevision,
    H5PPlayerError,
    H5PQuestionResult,
    H5PUserState,
)
from .services import (
    activity_grade,
    activity_iri,
    blocked_hosts,
    effective_rule,
    h5p_root,
    rule_can_be_met,
)

User = get_user_model()

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


def h5p_blocks_in_body(body) -> dict[int, str]:
    """{activity id: the block's completion rule ("" for the activity's own)} of the H5P blocks a
    lesson body (stream JSON, as text or as data) shows, at any depth
    (``{"type": "h5p", "value": {"activity": id, "completion": rule}}``)."""
    if isinstance(body, str):
        try:
            body = json.loads(body or "[]")
        except (ValueError, RecursionError):
            return {}
    found: dict[int, str] = {}
    pending = [body]
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, dict):
            inner = value.get("value")
            if value.get("type") == "h5p" and isinstance(inner, dict):
                activity = inner.get("activity")
                rule = inner.get("completion")
                if isinstance(activity, int) and not isinstance(activity, bool) and activity not in found:
                    found[activity] = rule if isinstance(rule, str) else ""
            pending.extend(v for v in value.values() if isinstance(v, list | dict))
    return found


def activity_ids_in_body(body) -> set[int]:
    """The ids of the H5P activities a lesson body shows."""
    return set(h5p_blocks_in_body(body))


def blocks_in_revisions(revision_ids) -> dict[int, dict[int, str]]:
    """{revision id: {activity id: block rule}}; cached by revision (a revision's content never
    changes), one query for those not cached yet."""
    wanted = {int(r) for r in revision_ids if r}
    keys = {REVISION_CACHE_KEY.format(r): r for r in wanted}
    found = {
        keys[key]: {int(activity): rule for activity, rule in blocks.items()}
        for key, blocks in cache.get_many(list(keys)).items()
    }
    missing = wanted - set(found)
    if missing:
        fresh = {
            pk: h5p_blocks_in_body((content or {}).get("body"))
            for pk, content in Revision.objects.filter(pk__in=missing).values_list("pk", "content")
        }
        cache.set_many(
            {
                REVISION_CACHE_KEY.format(pk): {str(a): r for a, r in blocks.items()}
                for pk, blocks in fresh.items()
            },
            REVISION_CACHE_SECONDS,
        )
        found.update(fresh)
    return found


def activities_in_revisions(revision_ids) -> dict[int, frozenset[int]]:
    """{revision id: ids of the H5P activities its body shows} (cached, see blocks_in_revisions)."""
    return {pk: frozenset(blocks) for pk, blocks in blocks_in_revisions(revision_ids).items()}


def _released_revision(revisions, language: str) -> int | None:
    revisions = json.loads(revisions) if isinstance(revisions, str) else (revisions or {})
    return revisions.get(language) or revisions.get(settings.LANGUAGE_CODE)


def _json(value) -> dict:
    return json.loads(value) if isinstance(value, str) else (value or {})


def lesson_release_for(*, user, lesson: LessonPage, language: str) -> tuple[int | None, dict | None]:
    """(revision of the lesson in one language, the release's H5P pins) as this person's lesson
    page shows it, chosen like ``courses.selectors.lesson_state_for_user``: their enrolment's
    release, else the course's current release, else the live page (no pins). Two queries at most."""
    key = lesson.translation_key
    if user.is_authenticated:
        found = list(
            enrollment_for_lesson(user=user, lesson_key=key).values_list(
                "lesson_revisions", "release__h5p_pins"
            )[:1]
        )
        if found:
            return _released_revision(found[0][0], language), _json(found[0][1])
    found = list(
        ReleaseLesson.objects.filter(release__is_current=True, lesson_key=key)
        .order_by()
        .values_list("revisions", "release__h5p_pins")[:1]
    )
    if found:
        return _released_revision(found[0][0], language), _json(found[0][1])
    return lesson.live_revision_id, None


def lesson_revision_for(*, user, lesson: LessonPage, language: str) -> int | None:
    """The revision of a lesson (in one language) that this person's lesson page shows."""
    return lesson_release_for(user=user, lesson=lesson, language=language)[0]


def _may_edit(user, lesson: LessonPage) -> bool:
    """Whether the person may edit the lesson in the admin (and so preview its latest draft)."""
    if not user.is_authenticated or not user.has_perm("wagtailadmin.access_admin"):
        return False
    return lesson.permissions_for_user(user).can_edit()


@dataclass(frozen=True)
class Placement:
    """An activity as a person's lesson shows it: the block's completion rule and the package
    revision their release pins (None: the activity's current file)."""

    activity_id: int
    rule: str
    revision: int | None


def activity_placement(
    *, user, lesson: LessonPage, activity_id: int, language: str | None = None
) -> Placement | None:
    """Where the lesson, as this person's release has it, shows the activity; None when it does
    not (the only place a signed player URL is good for). People who may edit the lesson also
    reach the activities of its latest revision (previews), with the current file. A constant
    number of queries (revision contents are cached)."""
    language = language or lesson.locale.language_code
    revision, pins = lesson_release_for(user=user, lesson=lesson, language=language)
    if revision is None:
        # Made outside the admin and never revised: the page itself is its only version.
        body = LessonPage.objects.filter(pk=lesson.pk).values_list("body", flat=True).first()
        blocks = h5p_blocks_in_body(getattr(body, "get_prep_value", lambda: body)())
    else:
        blocks = blocks_in_revisions([revision]).get(revision, {})
    if activity_id in blocks:
        pinned = ((pins or {}).get(str(activity_id)) or {}).get("revision")
        return Placement(activity_id, blocks[activity_id], pinned if isinstance(pinned, int) else None)
    latest = lesson.latest_revision_id
    if latest and latest != revision and _may_edit(user, lesson):
        draft = blocks_in_revisions([latest]).get(latest, {})
        if activity_id in draft:
            return Placement(activity_id, draft[activity_id], None)
    return None


def activity_shown_to(*, user, lesson: LessonPage, activity_id: int, language: str | None = None) -> bool:
    """Whether the lesson, as this person's release has it, shows the activity."""
    return (
        activity_placement(user=user, lesson=lesson, activity_id=activity_id, language=language) is not None
    )


def package_revision(*, activity: H5PActivity, number: int | None) -> H5PPackageRevision | None:
    """The file of an activity a placement plays: the pinned revision, else the current one."""
    wanted = number or activity.revision
    found = H5PPackageRevision.objects.filter(activity=activity, number=wanted).first()
    if found is None and number is not None:  # a pin whose file is gone: the current one
        found = H5PPackageRevision.objects.filter(activity=activity, number=activity.revision).first()
    return found


# --- the player frame --------------------------------------------------------------------------------


def player_user(token: frame.PlayerToken):
    """The person a frame token was made for, if their account still matches it (a password
    change or a deactivated account ends it); None when it does not."""
    if token.user_id is None:
        return AnonymousUser() if not token.auth else None
    user = User.objects.filter(pk=token.user_id, is_active=True).first()
    if user is None or frame.user_auth(user) != token.auth:
        return None
    return user


def _absolute(path: str) -> str:
    return f"{settings.H5P_ORIGIN}{path}" if settings.H5P_ORIGIN else path


@dataclass
class PlayerSettings:
    """What the lesson page needs for one player: the sandboxed frame's URL, the learner's saved
    place (handed to the frame when it asks), and the URLs it posts results to."""

    activity: H5PActivity
    dom_id: str
    frame_url: str | None  # None: the lesson does not show this activity to this person (a preview)
    init: dict
    xapi_url: str | None
    state_url: str | None
    failure_url: str | None
    enrolled: bool
    rule: str
    rule_can_be_met: bool
    # The frame's own origin when it comes from H5P_ORIGIN (then it may keep that origin, so a
    # learner can play it offline); "" for a frame of this site (sandboxed into an opaque origin).
    frame_origin: str = ""


def player_settings(
    *, activity: H5PActivity, lesson, user, enrolled: bool, repeat: int = 0, block_rule: str = ""
) -> PlayerSettings:
    """One player on a lesson page. A constant number of queries: where the lesson shows the
    activity, the learner's saved place (none for visitors)."""
    base = {
        "lesson_id": lesson.pk,
        "activity_id": activity.pk,
        "signature": player_signature(lesson_id=lesson.pk, activity_id=activity.pk),
    }
    dom_id = f"h5p-{activity.pk}-{repeat}" if repeat else f"h5p-{activity.pk}"  # the same one twice
    placement = activity_placement(user=user, lesson=lesson, activity_id=activity.pk)
    rule = effective_rule(activity, placement.rule if placement else block_rule)
    frame_url = None
    if placement is not None:
        token = frame.token_make(
            user=user,
            lesson_id=lesson.pk,
            activity_id=activity.pk,
            revision=placement.revision or activity.revision,
        )
        frame_url = _absolute(reverse("assessments:h5p_player", kwargs={"player_token": token}))
    init: dict = {
        "record": False,
        "saveFreq": False,
        "state": None,
        "viewed": False,
        "iri": activity_iri(activity.pk),
    }
    xapi_url = state_url = failure_url = None
    if user.is_authenticated:
        failure_url = reverse("assessments:h5p_failure", kwargs=base)
    if enrolled and user.is_authenticated:
        state = (
            H5PUserState.objects.filter(activity=activity, user=user, data_type="state", sub_content_id="0")
            .values_list("data", flat=True)
            .first()
        )
        init.update(
            record=True,
            saveFreq=settings.H5P_SAVE_SECONDS,
            state=[{"state": state}] if state else None,
            viewed=rule == H5PActivity.CompletionRule.VIEWED,
        )
        xapi_url = reverse("assessments:h5p_xapi", kwargs=base)
        state_url = reverse(
            "assessments:h5p_state",
            kwargs={**base, "data_type": "DATATYPE", "sub_content_id": "SUBCONTENTID"},
        )
    return PlayerSettings(
        activity=activity,
        dom_id=dom_id,
        frame_url=frame_url,
        init=init,
        xapi_url=xapi_url,
        state_url=state_url,
        failure_url=failure_url,
        enrolled=enrolled,
        rule=rule,
        rule_can_be_met=rule_can_be_met(activity, placement.rule if placement else block_rule),
        frame_origin=settings.H5P_ORIGIN,
    )


def frame_options(
    *, activity: H5PActivity, revision: H5PPackageRevision, token: str, dom_id: str, parent_origin: str
) -> dict:
    """The options of ``new H5PStandalone.H5P(element, options)`` inside the frame, and what the
    frame's own script needs (``cpc``): the lesson page's origin, the hosts it may not load and
    the words it says about them, in the learner's language."""
    play = reverse("assessments:h5p_player", kwargs={"player_token": token})
    runtime = frame.runtime_base()
    blocked = blocked_hosts(revision.external_hosts or [])
    return {
        "id": dom_id,
        "h5pJsonPath": f"{play}package",
        "contentJsonPath": f"{play}package/content",
        "librariesPath": f"{play}libraries/{revision.libraries_token}",
        "frameJs": f"{runtime}/h5p-standalone/frame.bundle.js",
        "frameCss": f"{runtime}/h5p-standalone/styles/h5p.css",
        "customJs": [f"{runtime}/frame-hooks.js"],
        "xAPIObjectIRI": activity_iri(activity.pk),
        "metadata": {"title": activity.title},
        "title": activity.title,
        "embedType": "div",
        "fullScreen": True,
        "reportingIsEnabled": True,  # Interactive Book's submit button ends an attempt
        "cpc": {
            "parentOrigin": parent_origin,
            "blocked": [
                {
                    "host": host,
                    "service": content.service_name(host),
                    "video": _("This video is hosted on %(service)s, which this site does not load.")
                    % {"service": content.service_name(host)},
                    "other": _("This part is hosted on %(service)s, which this site does not load.")
                    % {"service": content.service_name(host)},
                }
                for host in blocked
            ],
            "text": {
                "failed": _(
                    "This activity could not start. Please tell your course team: they can see what "
                    "went wrong."
                ),
                "blockedOther": _(
                    "Part of this activity is hosted on {host}, which this site does not load."
                ),
                "timeline": _("The video's timeline still plays, so its questions appear on time."),
            },
        },
    }


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


def player_errors(*, activity: H5PActivity, limit: int = 20) -> list[H5PPlayerError]:
    """The latest reports of the activity's player failing to start in someone's browser."""
    return list(H5PPlayerError.objects.filter(activity=activity).select_related("user")[:limit])


def attempt_question_results(*, attempt: H5PAttempt) -> list[H5PQuestionResult]:
    return list(attempt.question_results.order_by("answered_at", "pk"))


# --- what a phone keeps to play an activity offline (only with H5P_ORIGIN) ---------------------------

# Library files the player never loads: translations of the editor, the editor's form, notes.
_OFFLINE_SKIP_FOLDERS = ("language", "upgrades")
_OFFLINE_SKIP_NAMES = {"semantics.json", "upgrades.js", "presave.js", "icon.svg"}
_OFFLINE_SKIP_SUFFIXES = (".md", ".txt", ".map", ".ts")


def _files_under(folder, *, skip) -> list[tuple[str, int]]:
    """(path relative to ``folder`` with ``/``, bytes) of its regular files, names starting with a
    dot left out (the player's file views refuse them), sorted."""
    found = []
    if not folder.is_dir():
        return found
    for directory, subfolders, names in os.walk(folder):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, folder).replace(os.sep, "/")
            if skip(relative) or not os.path.isfile(path) or os.path.islink(path):
                continue
            found.append((relative, os.path.getsize(path)))
    return found


def _library_skipped(relative: str) -> bool:
    return (
        relative.split("/", 1)[0] in _OFFLINE_SKIP_FOLDERS
        or relative in _OFFLINE_SKIP_NAMES
        or relative.endswith(_OFFLINE_SKIP_SUFFIXES)
    )


# Web font formats, best first: a browser that reads the first uses it and never asks for the rest.
_FONT_FORMATS = (".woff2", ".woff", ".ttf", ".otf")
_FONT_FALLBACKS = (".eot", ".svg")  # for old Internet Explorer and old Safari only


def _one_font_format(files: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Of the copies of a library's fonts in one folder (woff2, woff, ttf, otf, eot, svg fonts),
    only the best format there: library styles list them all, and browsers take the first they
    read (woff2 in every browser a phone runs today)."""
    folders: dict[str, set[str]] = {}
    stems: dict[str, set[str]] = {}
    for path, _size in files:
        folder, _slash, name = path.rpartition("/")
        stem, dot, suffix = name.rpartition(".")
        if dot and f".{suffix.lower()}" in _FONT_FORMATS:
            folders.setdefault(folder, set()).add(f".{suffix.lower()}")
            stems.setdefault(folder, set()).add(stem)
    best = {folder: next(f for f in _FONT_FORMATS if f in found) for folder, found in folders.items()}
    kept = []
    for path, size in files:
        folder, _slash, name = path.rpartition("/")
        stem, dot, suffix = name.rpartition(".")
        suffix = f".{suffix.lower()}" if dot else ""
        if folder in best:
            if suffix in _FONT_FORMATS and suffix != best[folder]:
                continue
            if suffix == ".eot" or (suffix == ".svg" and stem in stems[folder]):
                continue
        kept.append((path, size))
    return kept


def played_libraries(revision: H5PPackageRevision) -> list:
    """The libraries the player loads for a package revision: those reachable from ``h5p.json``
    through ``preloadedDependencies`` (and ``dynamicDependencies``); editor libraries are not."""
    by_name = {(lib.machine_name, lib.major, lib.minor): lib for lib in revision.libraries.all()}
    wanted = list((revision.h5p_json or {}).get("preloadedDependencies") or [])
    seen: dict = {}
    while wanted:
        dependency = wanted.pop()
        try:
            key = (
                str(dependency["machineName"]),
                int(dependency["majorVersion"]),
                int(dependency["minorVersion"]),
            )
        except (KeyError, TypeError, ValueError):
            continue
        library = by_name.get(key)
        if library is None or key in seen:
            continue
        seen[key] = library
        data = library.library_json or {}
        wanted.extend(data.get("preloadedDependencies") or [])
        wanted.extend(data.get("dynamicDependencies") or [])
    return sorted(seen.values(), key=lambda lib: lib.key)


def offline_files(revision: H5PPackageRevision) -> list[tuple[str, int]]:
    """What a phone keeps to play one package revision without a connection: (URL relative to the
    frame's page, bytes) of ``h5p.json``, every file of ``content/`` and the files of the
    libraries it plays (scripts, styles, fonts, images; not the editor's)."""
    root = h5p_root()
    package = root / revision.content_folder
    found = [
        (f"package/{path}", size)
        for path, size in _files_under(package, skip=lambda p: False)
        if path == "h5p.json" or path.startswith("content/")
    ]
    for library in played_libraries(revision):
        prefix = f"libraries/{revision.libraries_token}/{library.key}/"
        files = _one_font_format(_files_under(root / library.folder, skip=_library_skipped))
        found.extend((prefix + path, size) for path, size in files)
    return found

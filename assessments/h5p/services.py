"""Writes for H5P activities: importing packages, recording xAPI statements, saving player state.

Libraries are stored once (``<H5P root>/libraries/``) and shared; each activity's content is
extracted to ``<H5P root>/content/<id>/<revision>/``. Completing the lesson goes through
``courses.services.lesson_complete`` — the one completion path.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import statistics
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import services as course_services
from courses.models import Enrollment
from lms.accounts.services import audit_record

from .models import H5PActivity, H5PAttempt, H5PLibrary, H5PQuestionResult, H5PStatement, H5PUserState
from .package import MB, LibraryInfo, Limits, PackageError, PackageInfo, extract_package
from .xapi import CleanStatement, TooDeep, clean_statement, parse_json

logger = logging.getLogger(__name__)

INSTALL_PERMISSION = "assessments.install_h5plibrary"


# --- where files go --------------------------------------------------------------------------------


def h5p_root() -> Path:
    """The private folder holding packages, extracted content and libraries."""
    return Path(settings.H5P_ROOT) if settings.H5P_ROOT else Path(settings.PRIVATE_MEDIA_ROOT) / "h5p"


def h5p_limits() -> Limits:
    """Package limits from the settings (``H5P_MAX_*``)."""
    return Limits(
        max_package_bytes=settings.H5P_MAX_PACKAGE_MB * MB,
        max_total_uncompressed_bytes=settings.H5P_MAX_UNCOMPRESSED_MB * MB,
        max_files=settings.H5P_MAX_FILES,
        max_compression_ratio=settings.H5P_MAX_COMPRESSION_RATIO,
    )


def activity_iri(activity_id: int) -> str:
    """The activity's xAPI IRI: ``object.id`` of its statements (sub-content adds a query)."""
    return f"{settings.SITE_URL}/h5p/activities/{activity_id}"


# --- errors ----------------------------------------------------------------------------------------


class H5PError(course_services.CourseActionError):
    """An H5P action that cannot be done; carries an HTTP status and a readable message."""


class PackageRefused(H5PError):
    """A package that cannot be imported; ``problems`` lists every reason."""

    status = 400

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(self.problems[0] if len(self.problems) == 1 else "; ".join(self.problems))


class BadStatement(H5PError):
    status = 400


class OtherLearner(H5PError):
    status = 403
    message = _("These statements are about another learner.")


class StateTooLarge(H5PError):
    status = 413
    message = _("The saved state is too large.")


class BadState(H5PError):
    status = 400
    message = _("The saved state is not valid.")


class StateTooDeep(H5PError):
    status = 400
    message = _("The saved state is nested too deeply.")


# --- importing a package ---------------------------------------------------------------------------


def _playable(info: PackageInfo) -> list[LibraryInfo]:
    """The package's libraries the player loads (editor-only libraries are left out)."""
    wanted, queue, seen = [], list(info.h5p_json.get("preloadedDependencies") or []), set()
    pending = [(d.get("machineName"), d.get("majorVersion"), d.get("minorVersion")) for d in queue]
    while pending:
        name, major, minor = pending.pop(0)
        try:
            library = info.find_library(str(name), int(major), int(minor))
        except (TypeError, ValueError):
            library = None
        if library is None or library.key in seen:
            continue
        seen.add(library.key)
        wanted.append(library)
        pending.extend(library.dependencies)
    return wanted


@dataclass
class _Files:
    """Folders and files moved into place by an import, removed again if it fails."""

    created: list[Path] = field(default_factory=list)

    def move(self, source: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(source, target)
        self.created.append(target)

    def undo(self) -> None:
        for path in reversed(self.created):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _copy_package(source: str | os.PathLike | IO[bytes], target: Path, files: _Files) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(source, "read"):
        source.seek(0)
        with open(target, "xb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
    else:
        shutil.copyfile(source, target)
    files.created.append(target)


def _install_libraries(
    info: PackageInfo, staging: Path, *, may_install: bool, user, files: _Files
) -> tuple[list[H5PLibrary], H5PLibrary, list[H5PLibrary], list[H5PLibrary]]:
    """Rows for every library the package plays with: existing ones reused, new ones installed
    (only with the permission), older patches upgraded (likewise).

    Returns (all, main, installed, upgraded)."""
    needed = _playable(info)
    existing = {
        (library.machine_name, library.major, library.minor): library
        for library in H5PLibrary.objects.select_for_update().filter(
            machine_name__in={library.machine_name for library in needed}
        )
    }
    missing = [lib for lib in needed if (lib.machine_name, lib.major, lib.minor) not in existing]
    if missing and not may_install:
        names = ", ".join(f"{lib.machine_name} {lib.major}.{lib.minor}" for lib in missing)
        raise PackageRefused(
            _(
                "This package brings library code that is not installed yet (%(names)s). Only staff "
                "allowed to install H5P libraries can upload it."
            )
            % {"names": names}
        )
    now = timezone.now()
    root = h5p_root()
    chosen, installed, upgraded = {}, [], []
    for lib in needed:
        row = existing.get((lib.machine_name, lib.major, lib.minor))
        if row is not None and (row.patch >= lib.patch or not may_install):
            chosen[lib.key] = row  # the installed copy (a newer or equal patch, or not ours to change)
            continue
        folder = f"libraries/{lib.key}.{lib.patch}-{secrets.token_hex(4)}"
        files.move(staging / "libraries" / lib.folder, root / folder)
        fields = {
            "patch": lib.patch,
            "title": str(lib.library_json.get("title", ""))[:255],
            "runnable": lib.runnable,
            "folder": folder,
            "library_json": lib.library_json,
            "installed_at": now,
            "installed_by": user,
        }
        if row is None:
            row = H5PLibrary.objects.create(
                machine_name=lib.machine_name, major=lib.major, minor=lib.minor, **fields
            )
            installed.append(row)
        else:
            for name, value in fields.items():
                setattr(row, name, value)
            row.save(update_fields=list(fields))
            upgraded.append(row)
        chosen[lib.key] = row
    main = chosen[info.main.key]
    return _with_installed_dependencies(list(chosen.values())), main, installed, upgraded


def _with_installed_dependencies(rows: list[H5PLibrary]) -> list[H5PLibrary]:
    """Add the dependencies of reused (newer) libraries that the package itself did not name."""
    have = {(row.machine_name, row.major, row.minor) for row in rows}
    pending = list(rows)
    while pending:
        row = pending.pop()
        data = row.library_json or {}
        for dependency in (data.get("preloadedDependencies") or []) + (data.get("dynamicDependencies") or []):
            try:
                key = (
                    dependency["machineName"],
                    int(dependency["majorVersion"]),
                    int(dependency["minorVersion"]),
                )
            except (KeyError, TypeError, ValueError):
                continue
            if key in have:
                continue
            found = H5PLibrary.objects.filter(machine_name=key[0], major=key[1], minor=key[2]).first()
            if found is not None:
                have.add(key)
                rows.append(found)
                pending.append(found)
    return rows


@transaction.atomic
def _store(
    info: PackageInfo,
    staging: Path,
    source,
    *,
    title: str,
    user,
    may_install: bool,
    activity: H5PActivity | None,
    options: dict,
    files: _Files,
) -> H5PActivity:
    libraries, main, installed, upgraded = _install_libraries(
        info, staging, may_install=may_install, user=user, files=files
    )
    now = timezone.now()
    title = (title or info.title or info.main_library).strip()[:255]
    replacing = activity is not None
    if activity is None:
        activity = H5PActivity(uploaded_at=now, uploaded_by=user, revision=1, **options)
    else:
        activity = H5PActivity.objects.select_for_update().get(pk=activity.pk)
        activity.revision += 1
        for name, value in options.items():
            setattr(activity, name, value)
        activity.uploaded_at, activity.uploaded_by = now, user
    old_folder = activity.content_folder
    activity.title = title
    activity.main_library = main
    activity.h5p_json = info.h5p_json
    activity.libraries_token = secrets.token_hex(8)
    activity.package = activity.content_folder = "pending"
    activity.save()
    root = h5p_root()
    content_folder = f"content/{activity.pk}/{activity.revision}-{secrets.token_hex(4)}"
    files.move(staging / "content", root / content_folder / "content")
    files.move(staging / "h5p.json", root / content_folder / "h5p.json")
    package = f"packages/{activity.pk}/{activity.revision}-{secrets.token_hex(4)}.h5p"
    _copy_package(source, root / package, files)
    activity.content_folder, activity.package = content_folder, package
    activity.save(update_fields=["content_folder", "package"])
    activity.libraries.set(libraries)
    if upgraded:
        # Library URLs carry the token: pages using an upgraded library fetch the new files.
        H5PActivity.objects.filter(libraries__in=upgraded).exclude(pk=activity.pk).update(
            libraries_token=secrets.token_hex(8)
        )
    invalidated = 0
    if replacing:
        invalidated, _counts = H5PUserState.objects.filter(activity=activity, invalidate=True).delete()
        if old_folder and old_folder != "pending":
            old = root / old_folder
            transaction.on_commit(lambda: shutil.rmtree(old, ignore_errors=True))
    audit_record(
        action="h5p.replaced" if replacing else "h5p.imported",
        actor=user,
        obj=activity,
        title=activity.title,
        main_library=str(main),
        libraries_installed=[str(row) for row in installed] or None,
        libraries_upgraded=[str(row) for row in upgraded] or None,
        states_invalidated=invalidated or None,
    )
    return activity


def activity_import(
    *,
    source: str | os.PathLike | IO[bytes],
    title: str = "",
    user=None,
    may_install_libraries: bool,
    activity: H5PActivity | None = None,
    **options,
) -> H5PActivity:
    """Validate an ``.h5p`` package and store it as a new activity (or as ``activity``'s new file).

    ``source`` is a path or a seekable binary file. Libraries already installed are reused; new
    ones (or newer patches) are installed only when ``may_install_libraries`` (staff with
    ``assessments.install_h5plibrary``, or the command line). Replacing a file re-extracts it and
    deletes the saved states that asked to be invalidated. ``options`` are activity fields
    (``pass_mark``, ``completion_rule``, ``grading_method``, ``graded``). Raises
    :class:`PackageRefused` with every problem found; nothing is stored then.
    """
    root = h5p_root()
    staging = root / "tmp" / uuid.uuid4().hex
    files = _Files()
    try:
        try:
            info = extract_package(source, staging, limits=h5p_limits())
        except PackageError as error:
            raise PackageRefused(error.problems) from None
        try:
            return _store(
                info,
                staging,
                source,
                title=title,
                user=user,
                may_install=may_install_libraries,
                activity=activity,
                options=options,
                files=files,
            )
        except IntegrityError:
            raise PackageRefused(
                _("Another upload installed the same libraries at the same moment. Please try again.")
            ) from None
    except BaseException:
        files.undo()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# --- recording results -----------------------------------------------------------------------------


def activity_grade(scaled_by_number: dict[int, float], method: str) -> float | None:
    """A learner's grade (0..1) from their graded attempts' scaled scores, by attempt number."""
    if not scaled_by_number:
        return None
    if method == H5PActivity.Grading.LAST:
        return scaled_by_number[max(scaled_by_number)]
    if method == H5PActivity.Grading.FIRST:
        return scaled_by_number[min(scaled_by_number)]
    if method == H5PActivity.Grading.AVERAGE:
        return statistics.fmean(scaled_by_number.values())
    return max(scaled_by_number.values())


def _passes(scaled: float | None, pass_mark: int) -> bool:
    return scaled is not None and scaled * 100 + 1e-9 >= pass_mark


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


def _enrollment(*, user, lesson_key: uuid.UUID, lock: bool) -> tuple[int, bool]:
    """(id, lesson completed already) of the learner's enrolment in a release holding the lesson;
    one query. ``lock`` holds the enrolment's row to the end of the transaction (one request per
    learner at a time). Raises NotEnrolled."""
    enrollments = (
        Enrollment.objects.filter(user=user, release__lessons__lesson_key=lesson_key)
        .annotate(own_progress=FilteredRelation("progress", condition=Q(progress__lesson_key=lesson_key)))
        .order_by()
    )
    if lock:
        enrollments = enrollments.select_for_update(of=("self",))
    found = enrollments.values_list("pk", "own_progress__completed_at")[:1]
    if not found:
        raise course_services.NotEnrolled()
    enrollment_id, completed_at = found[0]
    return enrollment_id, completed_at is not None


def statements_clean(*, user, activity: H5PActivity, statements: list) -> list[CleanStatement]:
    """Check every statement (all or none); raises BadStatement or OtherLearner."""
    from .xapi import StatementError

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


@transaction.atomic
def statements_record(*, user, activity: H5PActivity, lesson_key: uuid.UUID, statements: list) -> Recorded:
    """Store a learner's xAPI statements for an activity shown in a lesson they are enrolled in.

    Every statement is checked first (all or none). The actor is replaced by the learner, and
    each statement gets an id and a timestamp. Questions answered inside a container are kept as
    per-question results; a top-level ``answered``/``completed`` opens a new attempt, with its
    score (none when ``max`` is 0), success decided here from the pass mark, and the pending
    question results. The lesson is completed when the activity's rule is met. A constant number
    of queries per statement, whatever the size of the course.
    """
    cleaned = statements_clean(user=user, activity=activity, statements=statements)
    ends_attempt = any(item.top_level and item.ending for item in cleaned)
    enrollment_id, lesson_done = _enrollment(user=user, lesson_key=lesson_key, lock=ends_attempt)
    now = timezone.now()
    actor = learner_actor(user)
    rows = []
    for item in cleaned:
        data = {**item.data, "actor": actor, "id": str(uuid.uuid4()), "timestamp": now.isoformat()}
        rows.append(
            H5PStatement(
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
        )
    H5PStatement.objects.bulk_create(rows)
    _question_results(user=user, activity=activity, cleaned=cleaned, rows=rows, now=now)
    endings = [(item, row) for item, row in zip(cleaned, rows, strict=True) if item.top_level and item.ending]
    attempts, earlier = [], {}
    if endings:
        # Every earlier attempt's number and score, once: the next number and the grade follow.
        earlier = dict(
            H5PAttempt.objects.filter(activity=activity, user=user).values_list("number", "scaled")
        )
        for item, row in endings:
            attempt = _attempt_open(
                user=user,
                activity=activity,
                enrollment_id=enrollment_id,
                lesson_key=lesson_key,
                item=item,
                row=row,
                number=max(earlier, default=0) + 1,
            )
            earlier[attempt.number] = attempt.scaled
            attempts.append(attempt)
    completed = False
    if attempts and not lesson_done:  # nothing to do for a completed lesson
        completed = _complete_if_met(user=user, activity=activity, lesson_key=lesson_key, scores=earlier)
    return Recorded(stored=len(rows), attempts=attempts, lesson_completed=completed)


def _question_results(*, user, activity, cleaned: list[CleanStatement], rows, now) -> None:
    """Answers to questions inside a container, waiting for the container's attempt to end."""
    results = {}
    for item, row in zip(cleaned, rows, strict=True):
        if item.top_level or item.ending != "answered":
            continue
        score = item.score
        graded = score is not None and score.graded
        scaled = _scaled(score) if graded else None
        results[item.sub_content_id] = H5PQuestionResult(
            activity=activity,
            user=user,
            statement=row,
            sub_content_id=item.sub_content_id,
            question=item.question,
            interaction_type=item.interaction_type,
            response=item.response,
            raw=score.raw if graded else None,
            max=score.max if graded else None,
            scaled=scaled,
            success=item.success if item.success is not None else (scaled >= 1 - 1e-9 if graded else None),
            answered_at=now,
        )
    if not results:
        return
    # Answering the same question again before the end replaces the earlier answer.
    H5PQuestionResult.objects.filter(
        activity=activity, user=user, attempt__isnull=True, sub_content_id__in=list(results)
    ).delete()
    H5PQuestionResult.objects.bulk_create(results.values())


def _scaled(score) -> float | None:
    """The score the server records: raw/max (checked against the browser's scaled, never
    replaced by it)."""
    if score is None or not score.graded:
        return None
    return max(0.0, min(1.0, score.raw / score.max))


def _attempt_open(
    *, user, activity, enrollment_id: int, lesson_key, item: CleanStatement, row, number: int
) -> H5PAttempt:
    score = item.score
    graded = activity.graded and score is not None and score.graded
    scaled = _scaled(score) if graded else None
    attempt = H5PAttempt.objects.create(
        activity=activity,
        user=user,
        enrollment_id=enrollment_id,
        lesson_key=lesson_key,
        number=number,
        statement=row,
        verb=item.ending,
        raw=score.raw if graded else None,
        max=score.max if graded else None,
        scaled=scaled,
        success=_passes(scaled, activity.pass_mark) if graded else None,
        completion=item.completion,
        duration_seconds=item.duration_seconds,
        pass_mark=activity.pass_mark,
        finished_at=row.stored_at,
    )
    H5PQuestionResult.objects.filter(activity=activity, user=user, attempt__isnull=True).update(
        attempt=attempt
    )
    return attempt


def _complete_if_met(
    *, user, activity: H5PActivity, lesson_key: uuid.UUID, scores: dict[int, float | None]
) -> bool:
    """Complete the lesson through the courses completion path when the activity's rule is met.

    ``scores`` are the learner's attempts' scaled scores by number (None for ungraded ones)."""
    if activity.needs_pass:
        graded = {number: scaled for number, scaled in scores.items() if scaled is not None}
        if not _passes(activity_grade(graded, activity.grading_method), activity.pass_mark):
            return False
    try:
        course_services.lesson_complete(user=user, lesson_key=lesson_key, by_activity=True)
    except (course_services.AlreadyCompleted, course_services.NotEnrolled):
        return False
    return True


# --- saved state (H5P's contentUserData) -----------------------------------------------------------


def state_save(
    *,
    user,
    activity: H5PActivity,
    lesson_key: uuid.UUID,
    data_type: str,
    sub_content_id: str,
    data: str,
    preload: bool = False,
    invalidate: bool = False,
) -> bool:
    """Save where a learner is in a player; ``data == "0"`` deletes it (H5P's convention).

    Returns whether a state is now stored. Raises NotEnrolled, StateTooLarge or BadState.
    """
    if len(data.encode()) > settings.H5P_MAX_STATE_BYTES:
        raise StateTooLarge()
    _enrollment(user=user, lesson_key=lesson_key, lock=False)
    where = {"activity": activity, "user": user, "data_type": data_type, "sub_content_id": sub_content_id}
    if data == "0":
        H5PUserState.objects.filter(**where).delete()
        return False
    if not data:
        raise BadState()
    try:
        parse_json(data)  # H5P saves JSON (H5P.setUserData stringifies); anything else is not its
    except TooDeep:
        raise StateTooDeep() from None
    except ValueError:
        raise BadState() from None
    H5PUserState.objects.update_or_create(
        **where,
        defaults={"data": data, "preload": preload, "invalidate": invalidate, "saved_at": timezone.now()},
    )
    return True

"""Writes for H5P activities: importing packages, recording xAPI statements, saving player state.

Libraries are stored once (``<H5P root>/libraries/``) and shared; each activity's content is
extracted to ``<H5P root>/content/<id>/<revision>/``. Completing the lesson goes through
``courses.services.lesson_complete`` — the one completion path.
"""

from __future__ import annotations

import contextlib
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
from django.db.models import F, FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import services as course_services
from courses.models import CourseRelease, Enrollment
from lms.accounts.services import audit_record

from . import content
from .models import (
    H5PActivity,
    H5PAttempt,
    H5PLibrary,
    H5PPackageRevision,
    H5PPlayerError,
    H5PQuestionResult,
    H5PStatement,
    H5PUserState,
)
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


def _check_constructor(main: H5PLibrary) -> None:
    """Refuse a main library whose scripts never define the constructor H5P starts it with
    (the player would show an empty box)."""
    folder = h5p_root() / main.folder
    scripts = []
    for item in (main.library_json or {}).get("preloadedJs") or []:
        path = item.get("path") if isinstance(item, dict) else None
        if isinstance(path, str):
            with contextlib.suppress(OSError):  # listed files were checked at import; a gap refuses below
                scripts.append((folder / path).read_text(encoding="utf-8", errors="replace"))
    if not content.defines_constructor("\n".join(scripts), main.machine_name):
        raise PackageRefused(
            _(
                "The main library %(library)s does not define its constructor (H5P.%(name)s) in its "
                "scripts: the player could not start this content."
            )
            % {"library": str(main), "name": main.machine_name.rsplit(".", 1)[-1]}
        )


def blocked_hosts(hosts: list[str]) -> list[str]:
    """The hosts among these that packages may not load from (not in ``H5P_ALLOWED_HOSTS``)."""
    return [host for host in hosts if not content.host_allowed(host, settings.H5P_ALLOWED_HOSTS)]


def media_report(hosts: list[str]) -> list[str]:
    """What an editor is told at import about the hosts a package loads media from."""
    if not hosts:
        return []
    named = ", ".join(f"{host} ({content.service_name(host)})" for host in hosts)
    lines = [_("This package loads media from: %(hosts)s.") % {"hosts": named}]
    blocked = blocked_hosts(hosts)
    if blocked:
        lines.append(
            _(
                "This site does not load from %(hosts)s (setting H5P_ALLOWED_HOSTS): learners see a "
                "message in place of that media, and the rest of the activity still works."
            )
            % {"hosts": ", ".join(blocked)}
        )
    return lines


def revision_pinned(*, activity_id: int, number: int) -> bool:
    """Whether a published course release pins this file of the activity."""
    key = str(activity_id)
    for pins in CourseRelease.objects.filter(h5p_pins__has_key=key).values_list("h5p_pins", flat=True):
        if (pins.get(key) or {}).get("revision") == number:
            return True
    return False


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
    _check_constructor(main)
    now = timezone.now()
    title = (title or info.title or info.main_library).strip()[:255]
    types = content.content_types(info.content_json, info.main_library)
    hosts = content.media_hosts(info.content_json)
    replacing = activity is not None
    if activity is None:
        activity = H5PActivity(uploaded_at=now, uploaded_by=user, revision=1, **options)
        if not activity.completion_rule:
            activity.completion_rule = content.default_rule(types)
    else:
        activity = H5PActivity.objects.select_for_update().get(pk=activity.pk)
        activity.revision += 1
        for name, value in options.items():
            setattr(activity, name, value)
        activity.uploaded_at, activity.uploaded_by = now, user
    old_revision = activity.revision - 1 if replacing else None
    activity.title = title
    activity.main_library = main
    activity.h5p_json = info.h5p_json
    activity.content_types = types
    activity.external_hosts = hosts
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
    revision = H5PPackageRevision.objects.create(
        activity=activity,
        number=activity.revision,
        title=activity.title,
        main_library=main,
        package=package,
        content_folder=content_folder,
        libraries_token=activity.libraries_token,
        h5p_json=info.h5p_json,
        content_types=types,
        external_hosts=hosts,
        uploaded_at=now,
        uploaded_by=user,
    )
    revision.libraries.set(libraries)
    if upgraded:
        # Library URLs carry the token: pages using an upgraded library fetch the new files.
        token = secrets.token_hex(8)
        H5PActivity.objects.filter(libraries__in=upgraded).exclude(pk=activity.pk).update(
            libraries_token=token
        )
        H5PPackageRevision.objects.filter(libraries__in=upgraded).exclude(pk=revision.pk).update(
            libraries_token=token
        )
    invalidated = 0
    if replacing:
        invalidated, _counts = H5PUserState.objects.filter(activity=activity, invalidate=True).delete()
        # The file it replaces stays while a release pins it (its learners keep playing it).
        old = H5PPackageRevision.objects.filter(activity=activity, number=old_revision).first()
        if old is not None and not revision_pinned(activity_id=activity.pk, number=old.number):
            folders = [root / old.content_folder, root / old.package]
            old.delete()
            transaction.on_commit(lambda: _remove(folders))
    audit_record(
        action="h5p.replaced" if replacing else "h5p.imported",
        actor=user,
        obj=activity,
        title=activity.title,
        main_library=str(main),
        libraries_installed=[str(row) for row in installed] or None,
        libraries_upgraded=[str(row) for row in upgraded] or None,
        states_invalidated=invalidated or None,
        media_hosts=hosts or None,
    )
    return activity


def _remove(paths: list[Path]) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


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


@transaction.atomic
def statements_record(
    *,
    user,
    activity: H5PActivity,
    lesson_key: uuid.UUID,
    statements: list,
    rule: str = "",
    package_revision: int | None = None,
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
    statement, whatever the size of the course.
    """
    cleaned = statements_clean(user=user, activity=activity, statements=statements)
    rule = effective_rule(activity, rule)
    answers = [item for item in cleaned if _is_answer(item)]
    endings = [item for item in cleaned if item.top_level and item.ending]
    enrollment_id, lesson_done = _enrollment(user=user, lesson_key=lesson_key, lock=bool(answers or endings))
    now = timezone.now()
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
        completed = _complete(user=user, lesson_key=lesson_key)
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


def _complete(*, user, lesson_key: uuid.UUID) -> bool:
    """Complete the lesson through the courses completion path (the one completion path)."""
    try:
        course_services.lesson_complete(user=user, lesson_key=lesson_key, by_activity=True)
    except (course_services.AlreadyCompleted, course_services.NotEnrolled):
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

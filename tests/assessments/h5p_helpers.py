"""H5P activities for tests: real packages from ../shared/h5p-samples, and lessons that show them."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessments.h5p import frame, services
from assessments.h5p.selectors import player_signature
from courses import services as course_services
from tests.factories import build_course

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "h5p-samples"
VALID = SAMPLES / "valid"
INVALID = SAMPLES / "invalid"

needs_samples = pytest.mark.skipif(
    not VALID.is_dir(), reason=f"needs the real H5P packages in {SAMPLES} (present in CI)"
)


def sample(name: str) -> Path:
    path = VALID / name
    if not path.exists():
        pytest.skip(f"needs the H5P sample {path} (present in CI)")
    return path


def import_sample(name: str, **options):
    """Import a valid sample as an administrator would (library code allowed)."""
    return services.activity_import(source=sample(name), may_install_libraries=True, **options)


def course_with_h5p(activities, *, lessons: int = 2, position: int = 0, slug: str | None = None, **kwargs):
    """A bilingual course whose lesson ``position`` shows the activities; the release knows it."""
    built = build_course(lessons=lessons, slug=slug, publish=False, **kwargs)
    for lang in ("mn", "en"):
        lesson = built.lessons[lang][position]
        lesson.body = [{"type": "text", "value": "<p>Try it.</p>"}] + [
            {"type": "h5p", "value": {"activity": activity.pk}} for activity in activities
        ]
        lesson.save_revision().publish()
        built.lessons[lang][position] = type(lesson).objects.get(pk=lesson.pk)
    built.release = course_services.release_publish(course=built.mn, version="1.0")
    return built


def player_base(lesson, activity) -> str:
    """The URL prefix of one player's requests (as the lesson page renders it), in Mongolian."""
    return f"/learn/h5p/{lesson.pk}/{activity.pk}/{player_signature(lesson_id=lesson.pk, activity_id=activity.pk)}/"


def frame_base(user, lesson, activity, *, revision: int | None = None, language: str = "") -> str:
    """The URL prefix of a player frame made for ``user`` (its page; ``package/…``, ``libraries/…``)."""
    token = frame.token_make(
        user=user, lesson_id=lesson.pk, activity_id=activity.pk, revision=revision or activity.revision
    )
    return f"{'/' + language if language else ''}/learn/h5p/play/{token}/"


def library_url(base: str, activity, library, path: str = "library.json") -> str:
    return f"{base}libraries/{activity.libraries_token}/{library.key}/{path}"


def course_with_one_activity_per_lesson(activities, *, slug: str | None = None, **kwargs):
    """A bilingual course whose lesson ``i`` shows activity ``i`` (block rules from each
    activity's ``block_rule`` attribute, if set); released as 1.0."""
    built = build_course(lessons=len(activities), slug=slug, publish=False, **kwargs)
    for lang in ("mn", "en"):
        for position, activity in enumerate(activities):
            lesson = built.lessons[lang][position]
            value = {"activity": activity.pk, "completion": getattr(activity, "block_rule", "")}
            lesson.body = [{"type": "text", "value": "<p>Try it.</p>"}, {"type": "h5p", "value": value}]
            lesson.save_revision().publish()
            built.lessons[lang][position] = type(lesson).objects.get(pk=lesson.pk)
    built.release = course_services.release_publish(course=built.mn, version="1.0")
    return built

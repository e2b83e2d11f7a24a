"""The sessions of a kit: the session plans (lesson blocks of type "session plan") of its course.

A release is frozen, so the list of a release's sessions never changes: it is read from the
release's lesson revisions once and cached for good.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from wagtail.models import Revision

from courses import selectors as course_selectors
from courses.models import CourseRelease, ReleaseLesson

from ..models import Kit

CACHE_SECONDS = None  # forever: a published release never changes


@dataclass(frozen=True)
class KitSession:
    """One session plan of a kit's release, numbered in course order."""

    number: int
    release_id: int
    lesson_key: uuid.UUID
    plan_index: int
    duration_minutes: int | None
    titles: dict = field(default_factory=dict, hash=False, compare=False)
    age_groups: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def key(self) -> str:
        """What a form sends back: the release, the lesson and the plan's place in it."""
        return f"{self.release_id}:{self.lesson_key}:{self.plan_index}"

    @property
    def title(self) -> str:
        language = translation.get_language() or settings.LANGUAGE_CODE
        return self.titles.get(language) or self.titles.get(settings.LANGUAGE_CODE) or ""

    @property
    def age_group(self) -> str:
        language = translation.get_language() or settings.LANGUAGE_CODE
        return self.age_groups.get(language) or self.age_groups.get(settings.LANGUAGE_CODE) or ""

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}"


def _stream(body) -> list:
    if isinstance(body, str):
        try:
            body = json.loads(body or "[]")
        except ValueError:
            return []
    return list(body or [])


def _plans(content: dict) -> list[dict]:
    return [
        block.get("value") or {}
        for block in _stream((content or {}).get("body"))
        if isinstance(block, dict) and block.get("type") == "session_plan"
    ]


def release_sessions(release_id: int) -> list[KitSession]:
    """Every session plan of a release, in course order (cached: releases are frozen)."""
    cache_key = f"delivery:release-sessions:{release_id}"
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    rows = list(ReleaseLesson.objects.filter(release_id=release_id).order_by("position"))
    contents = dict(
        Revision.objects.filter(pk__in=[pk for row in rows for pk in row.revisions.values()]).values_list(
            "pk", "content"
        )
    )
    sessions = []
    for row in rows:
        by_language = {language: _plans(contents.get(pk)) for language, pk in row.revisions.items()}
        source = by_language.get(settings.LANGUAGE_CODE) or next(iter(by_language.values()), [])
        for index, plan in enumerate(source):
            titles, age_groups = {}, {}
            for language, plans in by_language.items():
                if index < len(plans):  # a translation with the same plans in the same order
                    titles[language] = str(plans[index].get("title") or "")
                    age_groups[language] = str(plans[index].get("age_group") or "")
            duration = plan.get("duration_minutes")
            sessions.append(
                KitSession(
                    number=len(sessions) + 1,
                    release_id=release_id,
                    lesson_key=row.lesson_key,
                    plan_index=index,
                    duration_minutes=int(duration) if isinstance(duration, int | float) else None,
                    titles=titles,
                    age_groups=age_groups,
                )
            )
    cache.set(cache_key, sessions, CACHE_SECONDS)
    return sessions


def current_release(kit: Kit) -> CourseRelease | None:
    return course_selectors.current_release(kit.course_id)


def kit_sessions(kit: Kit) -> list[KitSession]:
    """The sessions of the kit as its current release has them (empty before a first release)."""
    release = current_release(kit)
    return release_sessions(release.pk) if release else []


def session_lookup(release_ids) -> dict[tuple[int, uuid.UUID, int], KitSession]:
    """(release, lesson, plan index) -> session, for showing logged sessions by their titles."""
    found = {}
    for release_id in set(release_ids):
        for session in release_sessions(release_id):
            found[(release_id, session.lesson_key, session.plan_index)] = session
    return found


def session_from_key(kit: Kit, key: str) -> KitSession | None:
    """The session a form sent back, if it belongs to one of the kit's releases."""
    try:
        release_id, lesson_key, plan_index = key.split(":")
        release_id, lesson_key, plan_index = int(release_id), uuid.UUID(lesson_key), int(plan_index)
    except (AttributeError, ValueError):
        return None
    if not CourseRelease.objects.filter(
        pk=release_id, course_id=kit.course_id, published_at__isnull=False
    ).exists():
        return None
    return next(
        (
            s
            for s in release_sessions(release_id)
            if s.lesson_key == lesson_key and s.plan_index == plan_index
        ),
        None,
    )

"""The validated shape of a course: questions, quizzes, blocks, lessons, modules, the course."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .constants import LANGS


@dataclass
class Question:
    type: str
    text: dict[str, str]
    explanation: dict[str, str]
    data: dict[str, Any]
    line: int
    path: Path | None = None
    objective: str | None = None  # assessment questions: the course objective the item tests

    @property
    def where(self) -> str:
        return f"{self.path.name if self.path else '?'}:{self.line}"


@dataclass
class QuizSpec:
    title: dict[str, str]
    pass_mark: int
    questions: list[Question]
    line: int


@dataclass
class AssessmentSpec:
    """The course's knowledge check: a pre-test and a post-test on the same objectives.

    ``parallel`` is False for a file in the 1.0 shape, whose post-test asks the pre-test's very
    questions; the rules refuse it, and only historical content is read that way.
    """

    pass_mark: int
    objectives: dict[str, dict[str, str]]
    pre: QuizSpec
    post: QuizSpec
    parallel: bool
    path: Path
    line: int


@dataclass
class Block:
    type: str
    value: dict[str, Any]
    line: int
    shared: str | None = None  # the name of the shared file it comes from, if any


@dataclass
class LessonSpec:
    slug: str
    title: dict[str, str]
    minutes: int
    body: list[Block]
    line: int
    legal_review: dict[str, str] = field(default_factory=dict)  # what a lawyer must check, if anything
    path: Path | None = None

    def word_count(self, lang: str) -> int:
        """Words of readable text in one language (prose, callouts, plans, figures)."""
        return sum(_words(block.value, lang) for block in self.body)

    def texts(self, lang: str) -> list[str]:
        """Every piece of text a reader sees in one language: the title and each block."""
        return [self.title[lang], *(text for block in self.body for text in texts_of(block.value, lang))]

    @property
    def where(self) -> str:
        return f"{self.path.name if self.path else '?'}:{self.line}"


@dataclass
class ModuleSpec:
    slug: str
    title: dict[str, str]
    summary: dict[str, str]
    lessons: list[LessonSpec]
    quiz: QuizSpec | None
    path: Path
    line: int


@dataclass
class CourseSpec:
    slug: str
    version: str
    title: dict[str, str]
    summary: dict[str, str]
    description: dict[str, str]
    audience: str
    estimated_hours: float
    release_notes: dict[str, str]
    release_policy: str
    modules: list[ModuleSpec]
    assessment: AssessmentSpec | None
    directory: Path
    files: list[Path] = field(default_factory=list)

    @property
    def lessons(self) -> list[LessonSpec]:
        return [lesson for module in self.modules for lesson in module.lessons]


def _words(value: Any, lang: str) -> int:
    if isinstance(value, dict):
        if set(value) >= set(LANGS) and not (set(value) - set(LANGS)):
            return _count(value[lang])
        return sum(_words(v, lang) for k, v in value.items() if k not in ("kind",))
    if isinstance(value, list):
        return sum(_words(v, lang) for v in value)
    return 0


def texts_of(value: Any, lang: str):
    """Every string of one language inside a block value (or any bilingual structure)."""
    if isinstance(value, dict):
        if set(value) >= set(LANGS) and not (set(value) - set(LANGS)):
            inner = value[lang]
            yield from (inner if isinstance(inner, list) else [inner])
        else:
            for key, inner in value.items():
                if key not in ("kind", "link", "year", "duration_minutes"):
                    yield from texts_of(inner, lang)
    elif isinstance(value, list):
        for inner in value:
            yield from texts_of(inner, lang)


def _count(value: Any) -> int:
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, list):
        return sum(_count(v) for v in value)
    return 0

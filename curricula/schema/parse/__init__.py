"""Parse curriculum content files and check their shape (see CONTENT_FORMAT.md).

Pure Python (PyYAML only). Every problem names the file and line. The rules about what good
content is (balanced assessments, parallel post-tests, one rendering per glossary term) are in
``rules``; ``curricula.schema.read_course`` applies both.

Split by concern: ``constants`` (the vocabulary of the format), ``yaml_files`` (reading YAML
with line numbers, ContentError), ``specs`` (the validated shape), ``checker`` (field and block
checks, shared blocks), ``questions`` (questions, quizzes, the assessment) and ``course`` (the
module and course files). Import from this package, not from its modules.
"""

from __future__ import annotations

from .checker import Checker, shared_blocks
from .constants import (
    AUDIENCES,
    BLOCK_TYPES,
    CALLOUT_KINDS,
    CONTENT_NOTE,
    FIGURE_KINDS,
    LANGS,
    QUESTION_KEYS,
    QUESTION_TYPES,
    RELEASE_POLICIES,
    SHARED_DIR,
    SLUG_CHARS,
)
from .course import parse_course, read_module
from .specs import AssessmentSpec, Block, CourseSpec, LessonSpec, ModuleSpec, Question, QuizSpec, texts_of
from .yaml_files import ContentError, LocatedDict, LocatedList, read_yaml

__all__ = [
    "AUDIENCES",
    "BLOCK_TYPES",
    "CALLOUT_KINDS",
    "CONTENT_NOTE",
    "FIGURE_KINDS",
    "LANGS",
    "QUESTION_KEYS",
    "QUESTION_TYPES",
    "RELEASE_POLICIES",
    "SHARED_DIR",
    "SLUG_CHARS",
    "AssessmentSpec",
    "Block",
    "Checker",
    "ContentError",
    "CourseSpec",
    "LessonSpec",
    "LocatedDict",
    "LocatedList",
    "ModuleSpec",
    "Question",
    "QuizSpec",
    "parse_course",
    "read_module",
    "read_yaml",
    "shared_blocks",
    "texts_of",
]

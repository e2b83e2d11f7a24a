"""Read and check curriculum content files (see CONTENT_FORMAT.md).

Pure Python (PyYAML only), so authors can check their files without a database:

    python -m curricula.schema curricula/smart_navigator/content

Every problem names the file and line. The loader runs the same checks before it writes.
"""

from __future__ import annotations

from pathlib import Path

from .glossary import GLOSSARY_PATH, Glossary, read_glossary
from .parse import (
    LANGS,
    AssessmentSpec,
    Block,
    ContentError,
    CourseSpec,
    LessonSpec,
    ModuleSpec,
    Question,
    QuizSpec,
    parse_course,
    read_yaml,
)
from .rules import course_check

__all__ = [
    "GLOSSARY_PATH",
    "LANGS",
    "Glossary",
    "AssessmentSpec",
    "Block",
    "ContentError",
    "CourseSpec",
    "LessonSpec",
    "ModuleSpec",
    "Question",
    "QuizSpec",
    "read_course",
    "read_glossary",
    "read_yaml",
]


def read_course(directory: Path | str, *, rules: bool = True, glossary: Glossary | None = None) -> CourseSpec:
    """Read one course's content folder and check it; raise ContentError on the first problem.

    The glossary's refused renderings are checked against ``glossary``, by default the shipped
    ``curricula/glossary.yaml``. ``rules=False`` checks only the shape: for content of an earlier
    release read as it was shipped (an upgrade test loading 1.0), never for content about to be
    published.
    """
    spec = parse_course(Path(directory))
    if rules:
        if glossary is None and GLOSSARY_PATH.is_file():
            glossary = read_glossary()
        course_check(spec, glossary)
    return spec

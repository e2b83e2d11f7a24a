"""The entry points for a course folder: its module files and its ``course.yaml``."""

from __future__ import annotations

from pathlib import Path

from .checker import Checker, shared_blocks
from .constants import AUDIENCES, CONTENT_NOTE, RELEASE_POLICIES
from .specs import CourseSpec, LessonSpec, ModuleSpec
from .yaml_files import ContentError, read_yaml


def read_module(path: Path, *, seen_lessons: dict[str, str]) -> ModuleSpec:
    data = read_yaml(path)
    check = Checker(path)
    data = check.mapping(data, "module file", 1)
    check.only(data, {"slug", "title", "summary", "content_note", "lessons", "quiz"}, "module")
    content_note = data.get("content_note", False)
    if not isinstance(content_note, bool):
        check.fail(data, "module: 'content_note' must be true or false")
    slug = check.slug(data, "module")
    title = check.text(data, "title", "module")
    summary = check.text(data, "summary", "module", required=False)
    lessons_data = data.get("lessons")
    if not isinstance(lessons_data, list) or not lessons_data:
        check.fail(data, "module needs at least one lesson under 'lessons'")
    lessons = []
    for number, lesson in enumerate(lessons_data, 1):
        where = f"lesson {number}"
        lesson = check.mapping(lesson, where, lessons_data.line)
        check.only(lesson, {"slug", "title", "minutes", "legal_review", "body"}, where)
        lesson_slug = check.slug(lesson, where)
        if lesson_slug in seen_lessons:
            check.fail(
                lesson, f"{where}: duplicate slug '{lesson_slug}' (also in {seen_lessons[lesson_slug]})"
            )
        seen_lessons[lesson_slug] = f"{path.name}:{lesson.line}"
        where = f"lesson '{lesson_slug}'"
        body = lesson.get("body")
        if not isinstance(body, list) or not body:
            check.fail(lesson, f"{where} needs at least one block under 'body'")
        blocks = check.blocks(body, where)
        if content_note and number == 1:  # a module on abuse or exploitation opens with a content note
            blocks = shared_blocks(CONTENT_NOTE, node=data, path=path) + blocks
        legal_review = check.text(lesson, "legal_review", where, required=False)
        if legal_review and not any(block.type == "sources" for block in blocks):
            check.fail(lesson, f"{where}: a lesson marked for legal review needs a 'sources' block")
        lessons.append(
            LessonSpec(
                slug=lesson_slug,
                title=check.text(lesson, "title", where),
                minutes=check.integer(lesson, "minutes", where, low=1, high=600, default=15),
                body=blocks,
                line=lesson.line,
                legal_review=legal_review,
                path=path,
            )
        )
    quiz = check.quiz(data["quiz"], "quiz", minimum=1) if data.get("quiz") is not None else None
    return ModuleSpec(
        slug=slug, title=title, summary=summary, lessons=lessons, quiz=quiz, path=path, line=data.line
    )


def parse_course(directory: Path) -> CourseSpec:
    """Read and validate one course's content folder; raise ContentError on the first problem."""
    directory = Path(directory)
    path = directory / "course.yaml"
    data = read_yaml(path)
    check = Checker(path)
    data = check.mapping(data, "course file", 1)
    check.only(
        data,
        {
            "slug",
            "version",
            "title",
            "summary",
            "description",
            "audience",
            "estimated_hours",
            "release_notes",
            "release_policy",
            "modules",
            "assessment",
        },
        "course",
    )
    slug = check.slug(data, "course")
    version = str(check.require(data, "version", "course"))
    release_policy = data.get("release_policy", "nobody")
    if release_policy not in RELEASE_POLICIES:
        check.fail(data, f"course: release_policy must be one of {', '.join(RELEASE_POLICIES)}")
    audience = data.get("audience", "open")
    if audience not in AUDIENCES:
        check.fail(data, f"course: audience must be one of {', '.join(AUDIENCES)}")
    hours = data.get("estimated_hours", 1)
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= 500:
        check.fail(data, "course: estimated_hours must be a number of hours above 0")
    module_files = data.get("modules")
    if not isinstance(module_files, list) or not module_files:
        check.fail(data, "course needs a list of module files under 'modules'")
    seen_modules: dict[str, Path] = {}
    seen_lessons: dict[str, str] = {}
    modules = []
    files = [path]
    for name in module_files:
        if not isinstance(name, str) or "/" in name or name.startswith("."):
            check.fail(module_files, f"course: module file name {name!r} must be a plain file name")
        module = read_module(directory / name, seen_lessons=seen_lessons)
        if module.slug in seen_modules:
            raise ContentError(
                module.path,
                module.line,
                f"duplicate module slug '{module.slug}' (also in {seen_modules[module.slug].name})",
            )
        seen_modules[module.slug] = module.path
        modules.append(module)
        files.append(module.path)
    assessment = None
    if data.get("assessment"):
        assessment_path = directory / str(data["assessment"])
        assessment = Checker(assessment_path).assessment(read_yaml(assessment_path))
        files.append(assessment_path)
    return CourseSpec(
        slug=slug,
        version=version,
        title=check.text(data, "title", "course"),
        summary=check.text(data, "summary", "course"),
        description=check.text(data, "description", "course"),
        audience=audience,
        estimated_hours=float(hours),
        release_notes=check.text(data, "release_notes", "course", required=False),
        release_policy=release_policy,
        modules=modules,
        assessment=assessment,
        directory=directory,
        files=files,
    )

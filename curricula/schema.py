"""Read and validate curriculum content files (see CONTENT_FORMAT.md).

Pure Python (PyYAML only), so authors can check their files without a database:

    python -m curricula.schema curricula/smart_navigator/content

Every problem names the file and line. The loader runs the same checks before it writes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LANGS = ("mn", "en")
BLOCK_TYPES = ("text", "callout", "session_plan", "figure")
CALLOUT_KINDS = ("safeguarding", "tip", "warning")
FIGURE_KINDS = ("steps", "cycle", "compare")
QUESTION_TYPES = (
    "single_choice",
    "multiple_response",
    "true_false",
    "short_text",
    "ordering",
    "matching",
)
AUDIENCES = ("open", "justice")
SLUG_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


class ContentError(Exception):
    """A content file is malformed; the message names the file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class LocatedDict(dict):
    """A mapping that remembers the line it started on (1-based)."""

    line: int = 0


class LocatedList(list):
    """A sequence that remembers the line it started on (1-based)."""

    line: int = 0


class _Loader(yaml.SafeLoader):
    """SafeLoader that records line numbers and refuses duplicate keys."""

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first on line {seen[key]})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        mapping = LocatedDict(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        return mapping

    def construct_sequence(self, node, deep=False):
        seq = LocatedList(super().construct_sequence(node, deep=True))
        seq.line = node.start_mark.line + 1
        return seq


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _Loader.construct_sequence)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, turning syntax errors into ContentError with the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(path, None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise ContentError(path, None, f"not UTF-8 text ({exc.reason})") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader subclasses SafeLoader  # nosec B506
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ContentError(path, line, f"invalid YAML: {problem}") from None


# --- the validated shape ----------------------------------------------------------------


@dataclass
class Question:
    type: str
    text: dict[str, str]
    explanation: dict[str, str]
    data: dict[str, Any]
    line: int


@dataclass
class QuizSpec:
    title: dict[str, str]
    pass_mark: int
    questions: list[Question]
    line: int


@dataclass
class Block:
    type: str
    value: dict[str, Any]
    line: int


@dataclass
class LessonSpec:
    slug: str
    title: dict[str, str]
    minutes: int
    body: list[Block]
    line: int

    def word_count(self, lang: str) -> int:
        """Words of readable text in one language (prose, callouts, plans, figures)."""
        return sum(_words(block.value, lang) for block in self.body)


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
    modules: list[ModuleSpec]
    assessment: QuizSpec | None
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


def _count(value: Any) -> int:
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, list):
        return sum(_count(v) for v in value)
    return 0


# --- validation -------------------------------------------------------------------------


class _Checker:
    """Validates one file's data, raising ContentError at the first problem."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, node: Any, message: str, line: int | None = None):
        raise ContentError(self.path, line or getattr(node, "line", None), message)

    def mapping(self, node: Any, where: str, line: int | None = None) -> dict:
        if not isinstance(node, dict):
            self.fail(node, f"{where} must be a mapping", line)
        return node

    def require(self, node: dict, key: str, where: str) -> Any:
        if key not in node or node[key] in (None, ""):
            self.fail(node, f"{where} is missing '{key}'")
        return node[key]

    def only(self, node: dict, allowed: set[str], where: str):
        unknown = sorted(set(node) - allowed)
        if unknown:
            self.fail(node, f"{where} has unknown key(s): {', '.join(map(str, unknown))}")

    def slug(self, node: dict, where: str) -> str:
        value = self.require(node, "slug", where)
        if not isinstance(value, str) or not value or set(value) - SLUG_CHARS:
            self.fail(node, f"{where}: slug {value!r} must use only a-z, 0-9 and '-'")
        return value

    def text(self, node: dict, key: str, where: str, *, required: bool = True) -> dict[str, str]:
        if key not in node or node[key] is None:
            if required:
                self.fail(node, f"{where} is missing '{key}'")
            return {}
        value = node[key]
        line = getattr(value, "line", None) or getattr(node, "line", None)
        label = f"{where}: '{key}'" if key else where
        if not isinstance(value, dict):
            self.fail(node, f"{label} must give both languages (mn and en)", line)
        for lang in LANGS:
            if lang not in value:
                self.fail(value, f"{label} is missing the {lang} translation", line)
            if not isinstance(value[lang], str) or not value[lang].strip():
                self.fail(value, f"{label} has an empty {lang} translation", line)
        self.only(value, set(LANGS), label)
        return {lang: value[lang].strip() for lang in LANGS}

    def text_list(self, node: dict, key: str, where: str, *, minimum: int = 1) -> dict[str, list[str]]:
        value = node.get(key)
        line = getattr(value, "line", None) or getattr(node, "line", None)
        if not isinstance(value, dict):
            self.fail(node, f"{where}: '{key}' must give lists in both languages (mn and en)", line)
        self.only(value, set(LANGS), f"{where}: '{key}'")
        lengths = {}
        for lang in LANGS:
            items = value.get(lang)
            if not isinstance(items, list) or not items:
                self.fail(value, f"{where}: '{key}' is missing the {lang} list", line)
            if any(not isinstance(item, str) or not item.strip() for item in items):
                self.fail(value, f"{where}: '{key}' ({lang}) has an empty or non-text item", line)
            lengths[lang] = len(items)
        if lengths["mn"] != lengths["en"]:
            self.fail(
                value,
                f"{where}: '{key}' has {lengths['en']} items in en but {lengths['mn']} in mn",
                line,
            )
        if lengths["en"] < minimum:
            self.fail(value, f"{where}: '{key}' needs at least {minimum} items", line)
        return {lang: [item.strip() for item in value[lang]] for lang in LANGS}

    def integer(self, node: dict, key: str, where: str, *, low: int, high: int, default=None) -> int:
        value = node.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(node, f"{where}: '{key}' must be a whole number from {low} to {high}")
        return value

    # blocks

    def block(self, node: Any, where: str) -> Block:
        if not isinstance(node, dict) or len(node) != 1:
            self.fail(node, f"{where}: a block is a mapping with exactly one key (its type)")
        ((kind, value),) = node.items()
        line = node.line
        if kind not in BLOCK_TYPES:
            self.fail(node, f"{where}: unknown block type '{kind}' (known: {', '.join(BLOCK_TYPES)})")
        where = f"{where} ({kind} block)"
        value = self.mapping(value, where, line)
        getattr(self, f"block_{kind}")(value, where)
        return Block(type=kind, value=value, line=line)

    def block_text(self, value: dict, where: str):
        for lang in LANGS:
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                self.fail(value, f"{where} is missing the {lang} translation")
        self.only(value, set(LANGS), where)

    def block_callout(self, value: dict, where: str):
        self.only(value, {"kind", "title", "text"}, where)
        if value.get("kind") not in CALLOUT_KINDS:
            self.fail(value, f"{where}: kind must be one of {', '.join(CALLOUT_KINDS)}")
        self.text(value, "title", where, required=False)
        self.text(value, "text", where)

    def block_session_plan(self, value: dict, where: str):
        self.only(
            value,
            {
                "title",
                "age_group",
                "duration_minutes",
                "objectives",
                "materials",
                "steps",
                "discussion_questions",
            },
            where,
        )
        self.text(value, "title", where)
        self.text(value, "age_group", where)
        self.integer(value, "duration_minutes", where, low=5, high=600)
        for key in ("objectives", "materials", "steps", "discussion_questions"):
            self.text_list(value, key, where)

    def block_figure(self, value: dict, where: str):
        kind = value.get("kind")
        if kind not in FIGURE_KINDS:
            self.fail(value, f"{where}: kind must be one of {', '.join(FIGURE_KINDS)}")
        self.text(value, "title", where)
        self.text(value, "alt", where)
        if kind == "compare":
            self.only(value, {"kind", "title", "alt", "left", "right"}, where)
            for side in ("left", "right"):
                part = self.mapping(value.get(side), f"{where}: '{side}'", value.line)
                self.text(part, "heading", f"{where}: '{side}'")
                self.text_list(part, "items", f"{where}: '{side}'")
        else:
            self.only(value, {"kind", "title", "alt", "items"}, where)
            items = self.text_list(value, "items", where, minimum=3)
            if len(items["en"]) > 6:
                self.fail(value, f"{where}: a {kind} figure has at most 6 items")

    # questions

    def question(self, node: Any, where: str) -> Question:
        node = self.mapping(node, where)
        qtype = node.get("type")
        if qtype not in QUESTION_TYPES:
            self.fail(node, f"{where}: unknown question type {qtype!r} (known: {', '.join(QUESTION_TYPES)})")
        where = f"{where} ({qtype})"
        text = self.text(node, "text", where)
        explanation = self.text(node, "explanation", where, required=False)
        data = getattr(self, f"question_{qtype}")(node, where)
        return Question(type=qtype, text=text, explanation=explanation, data=data, line=node.line)

    def _options(self, node: dict, where: str) -> list[dict]:
        self.only(node, {"type", "text", "explanation", "options"}, where)
        options = node.get("options")
        if not isinstance(options, list) or len(options) < 2:
            self.fail(node, f"{where}: needs at least 2 options")
        result = []
        for number, option in enumerate(options, 1):
            option_where = f"{where} option {number}"
            option = self.mapping(option, option_where, node.line)
            self.only(option, {"text", "correct", "feedback"}, option_where)
            correct = option.get("correct", False)
            if not isinstance(correct, bool):
                self.fail(option, f"{option_where}: 'correct' must be true or false")
            result.append(
                {
                    "text": self.text(option, "text", option_where),
                    "correct": correct,
                    "feedback": self.text(option, "feedback", option_where, required=False),
                }
            )
        return result

    def question_single_choice(self, node: dict, where: str) -> dict:
        options = self._options(node, where)
        correct = sum(option["correct"] for option in options)
        if correct != 1:
            self.fail(node, f"{where}: needs exactly one correct option (has {correct})")
        return {"options": options}

    def question_multiple_response(self, node: dict, where: str) -> dict:
        options = self._options(node, where)
        if not any(option["correct"] for option in options):
            self.fail(node, f"{where}: has no correct option")
        return {"options": options}

    def question_true_false(self, node: dict, where: str) -> dict:
        self.only(node, {"type", "text", "explanation", "answer"}, where)
        if not isinstance(node.get("answer"), bool):
            self.fail(node, f"{where}: 'answer' must be true or false (the correct answer)")
        return {"answer": node["answer"]}

    def question_short_text(self, node: dict, where: str) -> dict:
        self.only(node, {"type", "text", "explanation", "accepted"}, where)
        return {"accepted": self._accepted(node, where)}

    def _accepted(self, node: dict, where: str) -> dict[str, list[str]]:
        value = node.get("accepted")
        if not isinstance(value, dict):
            self.fail(node, f"{where}: 'accepted' must list accepted answers in mn and en")
        self.only(value, set(LANGS), f"{where}: 'accepted'")
        for lang in LANGS:
            items = value.get(lang)
            if (
                not isinstance(items, list)
                or not items
                or any(not isinstance(item, str | int) or not str(item).strip() for item in items)
            ):
                self.fail(value, f"{where}: 'accepted' needs at least one {lang} answer")
        return {lang: [str(item).strip() for item in value[lang]] for lang in LANGS}

    def question_ordering(self, node: dict, where: str) -> dict:
        self.only(node, {"type", "text", "explanation", "items"}, where)
        items = node.get("items")
        if not isinstance(items, list) or len(items) < 3:
            self.fail(node, f"{where}: needs at least 3 items, listed in the correct order")
        return {"items": [self.text(_wrap(item), "", f"{where} item {n}") for n, item in enumerate(items, 1)]}

    def question_matching(self, node: dict, where: str) -> dict:
        self.only(node, {"type", "text", "explanation", "pairs"}, where)
        pairs = node.get("pairs")
        if not isinstance(pairs, list) or len(pairs) < 2:
            self.fail(node, f"{where}: needs at least 2 pairs")
        result = []
        for number, pair in enumerate(pairs, 1):
            pair_where = f"{where} pair {number}"
            pair = self.mapping(pair, pair_where, node.line)
            self.only(pair, {"left", "right"}, pair_where)
            result.append(
                {"left": self.text(pair, "left", pair_where), "right": self.text(pair, "right", pair_where)}
            )
        rights = [pair["right"]["en"] for pair in result]
        if len(set(rights)) != len(rights):
            self.fail(node, f"{where}: two pairs have the same right-hand side")
        return {"pairs": result}

    def quiz(self, node: Any, where: str, *, minimum: int) -> QuizSpec:
        node = self.mapping(node, where)
        self.only(node, {"title", "pass_mark", "questions"}, where)
        title = self.text(node, "title", where)
        pass_mark = self.integer(node, "pass_mark", where, low=0, high=100, default=70)
        questions = node.get("questions")
        if not isinstance(questions, list) or len(questions) < minimum:
            self.fail(node, f"{where}: needs at least {minimum} questions")
        parsed = [self.question(q, f"{where} question {n}") for n, q in enumerate(questions, 1)]
        return QuizSpec(title=title, pass_mark=pass_mark, questions=parsed, line=node.line)


def _wrap(value: dict) -> LocatedDict:
    wrapper = LocatedDict({"": value})
    wrapper.line = getattr(value, "line", 0)
    return wrapper


# --- entry points -----------------------------------------------------------------------


def read_module(path: Path, *, seen_lessons: dict[str, str]) -> ModuleSpec:
    data = read_yaml(path)
    check = _Checker(path)
    data = check.mapping(data, "module file", 1)
    check.only(data, {"slug", "title", "summary", "lessons", "quiz"}, "module")
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
        check.only(lesson, {"slug", "title", "minutes", "body"}, where)
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
        lessons.append(
            LessonSpec(
                slug=lesson_slug,
                title=check.text(lesson, "title", where),
                minutes=check.integer(lesson, "minutes", where, low=1, high=600, default=15),
                body=[check.block(block, where) for block in body],
                line=lesson.line,
            )
        )
    quiz = check.quiz(data["quiz"], "quiz", minimum=1) if data.get("quiz") is not None else None
    return ModuleSpec(
        slug=slug, title=title, summary=summary, lessons=lessons, quiz=quiz, path=path, line=data.line
    )


def read_course(directory: Path) -> CourseSpec:
    """Read and validate one course's content folder; raise ContentError on the first problem."""
    directory = Path(directory)
    path = directory / "course.yaml"
    data = read_yaml(path)
    check = _Checker(path)
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
            "modules",
            "assessment",
        },
        "course",
    )
    slug = check.slug(data, "course")
    version = str(check.require(data, "version", "course"))
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
        assessment_check = _Checker(assessment_path)
        assessment = assessment_check.quiz(read_yaml(assessment_path), "assessment", minimum=1)
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
        modules=modules,
        assessment=assessment,
        directory=directory,
        files=files,
    )


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m curricula.schema CONTENT_DIR [CONTENT_DIR ...]", file=sys.stderr)
        return 2
    status = 0
    for arg in argv:
        try:
            course = read_course(Path(arg))
        except ContentError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        quiz_questions = sum(len(m.quiz.questions) for m in course.modules if m.quiz)
        print(
            f"{course.slug}: {len(course.modules)} modules, {len(course.lessons)} lessons, "
            f"{quiz_questions} module quiz questions, "
            f"{len(course.assessment.questions) if course.assessment else 0} assessment questions"
        )
        for module in course.modules:
            for lesson in module.lessons:
                en, mn = lesson.word_count("en"), lesson.word_count("mn")
                flag = "" if en >= 200 else "   <-- under 200 English words"
                print(f"  {module.slug}/{lesson.slug}: {en} en words, {mn} mn words{flag}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

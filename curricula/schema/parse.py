"""Parse curriculum content files and check their shape (see CONTENT_FORMAT.md).

Pure Python (PyYAML only). Every problem names the file and line. The rules about what good
content is (balanced assessments, parallel post-tests, one rendering per glossary term) are in
``rules``; ``curricula.schema.read_course`` applies both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LANGS = ("mn", "en")
BLOCK_TYPES = ("text", "callout", "session_plan", "figure", "sources", "shared")
SHARED_DIR = Path(__file__).resolve().parents[1] / "shared"  # blocks every kit uses word for word
CONTENT_NOTE = "content-note"  # the shared blocks a module with ``content_note: true`` opens with
RELEASE_POLICIES = ("nobody", "not_started", "everyone")
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
QUESTION_KEYS = {"type", "text", "explanation", "objective"}
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


# --- validation -------------------------------------------------------------------------


class Checker:
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

    def blocks(self, nodes: list, where: str) -> list[Block]:
        """A lesson body: its blocks, with each ``shared`` block replaced by the blocks it names."""
        result = []
        for node in nodes:
            if isinstance(node, dict) and len(node) == 1 and "shared" in node:
                result.extend(self.shared(node, where))
            else:
                result.append(self.block(node, where))
        return result

    def block(self, node: Any, where: str) -> Block:
        if not isinstance(node, dict) or len(node) != 1:
            self.fail(node, f"{where}: a block is a mapping with exactly one key (its type)")
        ((kind, value),) = node.items()
        line = node.line
        if kind not in BLOCK_TYPES or kind == "shared":
            self.fail(node, f"{where}: unknown block type '{kind}' (known: {', '.join(BLOCK_TYPES)})")
        where = f"{where} ({kind} block)"
        if kind == "sources":
            return Block(type=kind, value={"items": self.block_sources(value, where, line)}, line=line)
        value = self.mapping(value, where, line)
        getattr(self, f"block_{kind}")(value, where)
        return Block(type=kind, value=value, line=line)

    def shared(self, node: dict, where: str) -> list[Block]:
        name = node["shared"]
        if not isinstance(name, str) or not name or set(name) - SLUG_CHARS:
            self.fail(node, f"{where}: 'shared' names a file in curricula/shared/ (a-z, 0-9, '-')")
        return shared_blocks(name, node=node, path=self.path)

    def block_sources(self, value: Any, where: str, line: int) -> list[dict]:
        """Where a lesson's legal and factual claims come from: instrument, article, year, link."""
        if not isinstance(value, list) or not value:
            self.fail(value, f"{where}: list at least one source", line)
        items = []
        for number, item in enumerate(value, 1):
            item_where = f"{where} source {number}"
            item = self.mapping(item, item_where, line)
            self.only(item, {"instrument", "article", "year", "link", "note"}, item_where)
            year = item.get("year")  # left out only for a document without one (an annual report)
            if year is not None and (
                isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100
            ):
                self.fail(item, f"{item_where}: 'year' must be the year of the instrument (e.g. 2000)")
            link = item.get("link")
            if link is not None and (
                not isinstance(link, str) or not link.startswith("https://") or " " in link
            ):
                self.fail(item, f"{item_where}: 'link' must be an https:// address")
            items.append(
                {
                    "instrument": self.text(item, "instrument", item_where),
                    "article": self.text(item, "article", item_where, required=False),
                    "year": year,
                    "link": link or "",
                    "note": self.text(item, "note", item_where, required=False),
                }
            )
        return items

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
        objective = node.get("objective")
        if objective is not None and (not isinstance(objective, str) or set(objective) - SLUG_CHARS):
            self.fail(node, f"{where}: objective {objective!r} must be an objective's slug")
        return Question(
            type=qtype,
            text=text,
            explanation=explanation,
            data=data,
            line=node.line,
            path=self.path,
            objective=objective,
        )

    def _options(self, node: dict, where: str) -> list[dict]:
        self.only(node, {*QUESTION_KEYS, "options"}, where)
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
        self.only(node, {*QUESTION_KEYS, "answer"}, where)
        if not isinstance(node.get("answer"), bool):
            self.fail(node, f"{where}: 'answer' must be true or false (the correct answer)")
        return {"answer": node["answer"]}

    def question_short_text(self, node: dict, where: str) -> dict:
        self.only(node, {*QUESTION_KEYS, "accepted"}, where)
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
        self.only(node, {*QUESTION_KEYS, "items"}, where)
        items = node.get("items")
        if not isinstance(items, list) or len(items) < 3:
            self.fail(node, f"{where}: needs at least 3 items, listed in the correct order")
        return {"items": [self.text(_wrap(item), "", f"{where} item {n}") for n, item in enumerate(items, 1)]}

    def question_matching(self, node: dict, where: str) -> dict:
        self.only(node, {*QUESTION_KEYS, "pairs"}, where)
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

    def assessment(self, node: Any) -> AssessmentSpec:
        """The 1.1 shape (objectives, pre_test, post_test) or the 1.0 shape (one list of questions)."""
        node = self.mapping(node, "assessment file", 1)
        if "questions" in node:  # 1.0: the post-test repeated the pre-test; the rules refuse it
            quiz = self.quiz(node, "assessment", minimum=1)
            return AssessmentSpec(
                pass_mark=quiz.pass_mark,
                objectives={},
                pre=quiz,
                post=quiz,
                parallel=False,
                path=self.path,
                line=node.line,
            )
        self.only(node, {"pass_mark", "objectives", "pre_test", "post_test"}, "assessment")
        pass_mark = self.integer(node, "pass_mark", "assessment", low=0, high=100, default=70)
        objectives_data = node.get("objectives")
        if not isinstance(objectives_data, list) or not objectives_data:
            self.fail(node, "assessment needs a list of 'objectives' (slug and text) that both tests cover")
        objectives: dict[str, dict[str, str]] = {}
        for number, objective in enumerate(objectives_data, 1):
            where = f"assessment objective {number}"
            objective = self.mapping(objective, where, objectives_data.line)
            self.only(objective, {"slug", "text"}, where)
            slug = self.slug(objective, where)
            if slug in objectives:
                self.fail(objective, f"{where}: duplicate objective '{slug}'")
            objectives[slug] = self.text(objective, "text", where)
        forms = {}
        for key in ("pre_test", "post_test"):
            if not isinstance(node.get(key), dict):
                self.fail(node, f"assessment needs '{key}' with a title and its questions")
            form = dict(node[key])
            form["pass_mark"] = pass_mark
            located = LocatedDict(form)
            located.line = node[key].line
            forms[key] = self.quiz(located, key, minimum=1)
        return AssessmentSpec(
            pass_mark=pass_mark,
            objectives=objectives,
            pre=forms["pre_test"],
            post=forms["post_test"],
            parallel=True,
            path=self.path,
            line=node.line,
        )


def _wrap(value: dict) -> LocatedDict:
    wrapper = LocatedDict({"": value})
    wrapper.line = getattr(value, "line", 0)
    return wrapper


# --- entry points -----------------------------------------------------------------------


def shared_blocks(name: str, *, node: Any = None, path: Path | None = None) -> list[Block]:
    """The blocks of ``curricula/shared/<name>.yaml`` (a mapping with ``blocks:``), marked as shared."""
    shared_path = SHARED_DIR / f"{name}.yaml"
    if not shared_path.is_file():
        raise ContentError(
            path or shared_path, getattr(node, "line", None), f"no shared blocks named '{name}'"
        )
    data = read_yaml(shared_path)
    check = Checker(shared_path)
    data = check.mapping(data, "shared blocks file", 1)
    check.only(data, {"blocks"}, "shared blocks file")
    nodes = data.get("blocks")
    if not isinstance(nodes, list) or not nodes:
        check.fail(data, "shared blocks file needs a list under 'blocks'")
    blocks = [check.block(block, f"shared '{name}'") for block in nodes]
    for block in blocks:
        block.shared = name
    return blocks


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

"""What good shipped content is, beyond its shape: assessments that measure learning.

- A post-test is a parallel form of its pre-test: question by question the same objective, the
  same type and the same number of options, and no question asked in both.
- Across a course's quizzes the answer is not given away by where it sits or how long it is:
  the correct option comes first in at most 35 % of choice questions, is the longest option in
  at most 40 % of single-choice questions (in each language), and true/false answers are true
  in 35-65 % of items (or as near half as their number allows).
- Every course writes a glossary term one way: the renderings the glossary refuses are refused.
- Wherever a lesson advises capturing evidence (screenshots, photos, keeping evidence) it carries
  the shared warning against capturing intimate images of a child.

``course_check`` raises ContentError naming the file, the line and every offending item.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from .glossary import Glossary
from .parse import LANGS, AssessmentSpec, ContentError, CourseSpec, Question, texts_of

FIRST_MAX = 0.35
LONGEST_MAX = 0.40
TRUE_SHARE = (0.35, 0.65)
SIMILAR_STEMS = 0.9  # stems at least this alike (difflib ratio) are the same question reworded
CHOICE_TYPES = ("single_choice", "multiple_response")


@dataclass
class Balance:
    """Where answers sit in a course's quizzes (module quizzes, pre-test and post-test)."""

    choice: int = 0  # single-choice and multiple-response questions
    first: list[Question] = field(default_factory=list)  # ... whose first option is correct
    single: int = 0
    longest: dict[str, list[Question]] = field(default_factory=lambda: {lang: [] for lang in LANGS})
    true_false: int = 0
    true: list[Question] = field(default_factory=list)
    false: list[Question] = field(default_factory=list)

    @property
    def first_share(self) -> float:
        return len(self.first) / self.choice if self.choice else 0.0

    def longest_share(self, lang: str) -> float:
        return len(self.longest[lang]) / self.single if self.single else 0.0

    @property
    def true_share(self) -> float:
        return len(self.true) / self.true_false if self.true_false else 0.0

    @property
    def true_false_balanced(self) -> bool:
        if not self.true_false:
            return True
        low, high = TRUE_SHARE
        # Three items cannot be 35-65 % true; as near half as the count allows is balanced too.
        return low <= self.true_share <= high or abs(len(self.true) - len(self.false)) <= 1


def course_questions(spec: CourseSpec) -> list[Question]:
    """Every question a learner meets in the course, each once."""
    questions = [q for module in spec.modules if module.quiz for q in module.quiz.questions]
    if spec.assessment is not None:
        questions += spec.assessment.pre.questions
        if spec.assessment.parallel:
            questions += spec.assessment.post.questions
    return questions


def balance_of(questions: list[Question]) -> Balance:
    balance = Balance()
    for question in questions:
        if question.type in CHOICE_TYPES:
            options = question.data["options"]
            balance.choice += 1
            if options[0]["correct"]:
                balance.first.append(question)
        if question.type == "single_choice":
            balance.single += 1
            for lang in LANGS:
                lengths = [len(option["text"][lang]) for option in question.data["options"]]
                correct = next(i for i, option in enumerate(question.data["options"]) if option["correct"])
                if lengths[correct] >= max(lengths):
                    balance.longest[lang].append(question)
        if question.type == "true_false":
            balance.true_false += 1
            (balance.true if question.data["answer"] else balance.false).append(question)
    return balance


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _material(question: Question) -> frozenset[str] | None:
    """What the learner chooses from or gives (options, items, pairs, accepted answers), in English.

    Choice options count with their key: the same categories asked about a different case (a
    different correct option) are a new question, the same options with the same key are not.
    """
    data = question.data
    if "options" in data:
        values = [f"{option['correct']}: {option['text']['en']}" for option in data["options"]]
    elif "items" in data:
        values = [item["en"] for item in data["items"]]
    elif "pairs" in data:
        values = [f"{pair['left']['en']} = {pair['right']['en']}" for pair in data["pairs"]]
    elif "accepted" in data:
        values = data["accepted"]["en"]
    else:
        return None
    return frozenset(_normal(value) for value in values)


def _size(question: Question) -> int:
    data = question.data
    for key in ("options", "items", "pairs"):
        if key in data:
            return len(data[key])
    return 0


def same_question(a: Question, b: Question) -> bool:
    """Whether two questions are one item: the same stem (reworded or not) or the same choices."""
    if a.type != b.type and {a.type, b.type} != set(CHOICE_TYPES):
        return False
    if any(_normal(a.text[lang]) == _normal(b.text[lang]) for lang in LANGS):
        return True
    if difflib.SequenceMatcher(None, _normal(a.text["en"]), _normal(b.text["en"])).ratio() >= SIMILAR_STEMS:
        return True
    material = _material(a)
    return material is not None and material == _material(b)


def shared_questions(assessment: AssessmentSpec) -> list[tuple[Question, Question]]:
    """(pre-test question, post-test question) pairs that are the same item."""
    if not assessment.parallel:
        return [(q, q) for q in assessment.pre.questions]
    return [
        (pre, post)
        for post in assessment.post.questions
        for pre in assessment.pre.questions
        if same_question(pre, post)
    ]


def _items(questions: list[Question], limit: int = 12) -> str:
    shown = ", ".join(question.where for question in questions[:limit])
    return shown + (f" and {len(questions) - limit} more" if len(questions) > limit else "")


def parallel_forms_check(assessment: AssessmentSpec) -> None:
    """A post-test is a parallel form of its pre-test and shares no question with it."""
    path = assessment.path
    if not assessment.parallel:
        raise ContentError(
            path,
            assessment.line,
            "the post-test would ask the pre-test's questions again: give 'objectives', a 'pre_test' and a "
            "parallel 'post_test' with new questions on the same objectives (see CONTENT_FORMAT.md)",
        )
    pre, post = assessment.pre.questions, assessment.post.questions
    if len(pre) != len(post):
        raise ContentError(
            path,
            assessment.post.line,
            f"the post_test has {len(post)} questions but the pre_test has {len(pre)}",
        )
    for form, questions in (("pre_test", pre), ("post_test", post)):
        for number, question in enumerate(questions, 1):
            if question.objective not in assessment.objectives:
                raise ContentError(
                    path,
                    question.line,
                    f"{form} question {number}: 'objective' must name one of the assessment's objectives "
                    f"({', '.join(assessment.objectives)})",
                )
    for number, (a, b) in enumerate(zip(pre, post, strict=True), 1):
        if (a.objective, a.type, _size(a)) != (b.objective, b.type, _size(b)):
            raise ContentError(
                path,
                b.line,
                f"post_test question {number} must be a parallel form of pre_test question {number} "
                f"(line {a.line}): the same objective ('{a.objective}'), the same type ({a.type})"
                + (f" and the same number of choices ({_size(a)})" if _size(a) else ""),
            )
    uncovered = [slug for slug in assessment.objectives if slug not in {q.objective for q in pre}]
    if uncovered:
        raise ContentError(
            path, assessment.line, f"no question tests the objective(s): {', '.join(uncovered)}"
        )
    shared = shared_questions(assessment)
    if shared:
        a, b = shared[0]
        raise ContentError(
            path,
            b.line,
            f"post_test question at line {b.line} repeats the pre_test question at line {a.line}: a post-test "
            "asks new questions on the same objectives, never the pre-test's",
        )


def balance_check(spec: CourseSpec) -> None:
    """Neither the position, the length nor true/false gives the answer away, across the course."""
    balance = balance_of(course_questions(spec))
    path = spec.directory / "course.yaml"
    if balance.first_share > FIRST_MAX:
        raise ContentError(
            path,
            None,
            f"course '{spec.slug}': the correct option is listed first in {len(balance.first)} of "
            f"{balance.choice} choice questions ({balance.first_share:.0%}; at most {FIRST_MAX:.0%}): "
            f"move it in some of {_items(balance.first)}",
        )
    for lang in LANGS:
        if balance.longest_share(lang) > LONGEST_MAX:
            longest = balance.longest[lang]
            raise ContentError(
                path,
                None,
                f"course '{spec.slug}': the correct option is the longest ({lang}) in {len(longest)} of "
                f"{balance.single} single-choice questions ({balance.longest_share(lang):.0%}; at most "
                f"{LONGEST_MAX:.0%}): make a wrong option as full, or the right one shorter, in some of "
                f"{_items(longest)}",
            )
    if not balance.true_false_balanced:
        answer = "true" if balance.true_share > TRUE_SHARE[1] else "false"
        items = balance.true if answer == "true" else balance.false
        raise ContentError(
            path,
            None,
            f"course '{spec.slug}': {len(balance.true)} of {balance.true_false} true/false answers are true "
            f"({balance.true_share:.0%}; between {TRUE_SHARE[0]:.0%} and {TRUE_SHARE[1]:.0%}): too many are "
            f"{answer}: rewrite some of {_items(items)}",
        )


# Advice to capture evidence: taking or keeping screenshots, keeping or saving evidence.
EVIDENCE_ADVICE = re.compile(
    r"\b(?:take|taking|took)\s+(?:a\s+)?screen\s?-?shots?"
    r"|\bscreen\s?-?shots?\s+(?:of|with|kept)\b"
    r"|\b(?:keep|keeping|save|saving|preserve|preserving)\s+(?:the\s+|any\s+|all\s+)?evidence",
    re.IGNORECASE,
)
INTIMATE_IMAGE_WARNING = "intimate-image-warning"


def question_texts(question: Question, lang: str) -> list[str]:
    """What a learner reads of a question (not the accepted answers, which are what they may type)."""
    data = {key: value for key, value in question.data.items() if key != "accepted"}
    texts = [question.text[lang]]
    if question.explanation:
        texts.append(question.explanation[lang])
    texts.extend(texts_of(data, lang))
    return texts


def located_texts(spec: CourseSpec, lang: str):
    """(file, line, text) for everything a reader sees in the course, in one language."""
    course_file = spec.directory / "course.yaml"
    for key in ("title", "summary", "description"):
        yield course_file, None, getattr(spec, key)[lang]
    for module in spec.modules:
        yield module.path, module.line, module.title[lang]
        if module.summary:
            yield module.path, module.line, module.summary[lang]
        for lesson in module.lessons:
            yield lesson.path, lesson.line, lesson.title[lang]
            for block in lesson.body:
                for text in texts_of(block.value, lang):
                    yield lesson.path, block.line, text
    for question in course_questions(spec):
        for text in question_texts(question, lang):
            yield question.path, question.line, text


def glossary_check(spec: CourseSpec, glossary: Glossary) -> None:
    """No course uses a rendering of a term that the glossary refuses."""
    for lang in LANGS:
        for path, line, text in located_texts(spec, lang):
            refused = glossary.refused_in(text, lang)
            if refused:
                words, term = refused[0]
                raise ContentError(
                    path,
                    line,
                    f"“{words}” is not how the glossary writes this term: write “{term.term[lang]}” "
                    f"(glossary term '{term.slug}', one rendering in every course)",
                )


def evidence_warning_check(spec: CourseSpec) -> None:
    """Advice to capture evidence always comes with the warning about intimate images of a child."""
    for lesson in spec.lessons:
        advice = next(
            (m.group(0) for text in lesson.texts("en") for m in [EVIDENCE_ADVICE.search(text)] if m), None
        )
        if advice and not any(block.shared == INTIMATE_IMAGE_WARNING for block in lesson.body):
            raise ContentError(
                lesson.path,
                lesson.line,
                f"lesson '{lesson.slug}' advises capturing evidence (“{advice}”): add the warning against "
                f"capturing intimate images of a child (- shared: {INTIMATE_IMAGE_WARNING})",
            )


def glossary_use(spec: CourseSpec, glossary: Glossary, lang: str) -> list[tuple[str, set[str]]]:
    """For each lesson, the glossary terms it uses (a figure the checker prints)."""
    return [(lesson.slug, glossary.used_in(lesson.texts(lang), lang)) for lesson in spec.lessons]


def course_check(spec: CourseSpec, glossary: Glossary | None = None) -> None:
    """Every content rule, in the order an author would fix them."""
    if spec.assessment is not None:
        parallel_forms_check(spec.assessment)
    balance_check(spec)
    if glossary is not None:
        glossary_check(spec, glossary)
    evidence_warning_check(spec)

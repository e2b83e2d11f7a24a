"""The four curricula that ship with CPC Learn: complete, bilingual, and with sound quizzes."""

import re
from pathlib import Path

import pytest

from assessments import grading
from curricula.quizzes import _question_fields
from curricula.schema import LANGS, read_course

CONTENT = Path(__file__).resolve().parents[2] / "curricula"
COURSES = {
    "smart_navigator": ("smart-navigator", "open"),
    "voice_up": ("voice-up-for-change", "open"),
    "kcso": ("keeping-children-safe-online", "open"),
    "child_friendly_investigation": ("child-friendly-investigation", "justice"),
}
CYRILLIC = re.compile(r"[А-Яа-яЁёӨөҮү]")
LATIN_WORD = re.compile(r"\b[A-Za-z]{4,}\b")


def _texts(value, lang):
    """Every string of one language inside a block value."""
    if isinstance(value, dict):
        if set(value) == set(LANGS):
            inner = value[lang]
            yield from (inner if isinstance(inner, list) else [inner])
        else:
            for key, inner in value.items():
                if key != "kind":
                    yield from _texts(inner, lang)
    elif isinstance(value, list):
        for inner in value:
            yield from _texts(inner, lang)


@pytest.fixture(scope="module", params=list(COURSES))
def course(request):
    return request.param, read_course(CONTENT / request.param / "content")


def test_course_identity(course):
    app, spec = course
    assert (spec.slug, spec.audience) == COURSES[app]
    assert spec.version == "1.0"


def test_at_least_four_modules_and_twelve_lessons(course):
    _app, spec = course
    assert len(spec.modules) >= 4
    assert len(spec.lessons) >= 12


def test_every_lesson_has_two_hundred_english_words_and_a_mongolian_translation(course):
    _app, spec = course
    for lesson in spec.lessons:
        assert lesson.word_count("en") >= 200, lesson.slug
        # A translation, not a copy: Mongolian text is long, Cyrillic, and nearly free of English words.
        assert lesson.word_count("mn") >= 0.6 * lesson.word_count("en"), lesson.slug
        mongolian = " ".join(text for block in lesson.body for text in _texts(block.value, "mn"))
        assert len(CYRILLIC.findall(mongolian)) > 0.6 * len(re.findall(r"\w", mongolian)), lesson.slug
        english_words = [
            w for w in LATIN_WORD.findall(mongolian) if w not in ("CPC", "KCSO", "NICHD", "MDTF", "SOP")
        ]
        assert len(english_words) <= 0.05 * len(mongolian.split()) + 3, (lesson.slug, english_words[:10])


def test_session_guides_use_the_session_plan_block(course):
    app, spec = course
    plans = [block for lesson in spec.lessons for block in lesson.body if block.type == "session_plan"]
    assert len(plans) >= (1 if app == "child_friendly_investigation" else 4)


def test_figures_have_alt_text_in_both_languages(course):
    _app, spec = course
    figures = [block for lesson in spec.lessons for block in lesson.body if block.type == "figure"]
    assert len(figures) >= 3
    for figure in figures:
        assert all(len(figure.value["alt"][lang].split()) >= 5 for lang in LANGS)


def test_module_quizzes_and_the_assessment_are_big_enough_and_gradable(course):
    _app, spec = course
    for module in spec.modules:
        assert module.quiz is not None and len(module.quiz.questions) >= 5, module.slug
    assert spec.assessment is not None and len(spec.assessment.questions) >= 10
    quizzes = [module.quiz for module in spec.modules] + [spec.assessment]
    kinds = set()
    for quiz in quizzes:
        for number, question in enumerate(quiz.questions):
            fields = _question_fields(question, f"check/{number}")
            key = grading.answer_key_from_fields(
                kind=fields["kind"],
                options=fields["options"],
                true_false_answer=fields["true_false_answer"],
                accepted_mn=fields["accepted_mn"],
                accepted_en=fields["accepted_en"],
                partial_credit="right_minus_wrong",
            )
            assert grading.answer_key_errors(key) == {}, (quiz.title["en"], question.text["en"])
            kinds.add(question.type)
    assert kinds == {"single_choice", "multiple_response", "true_false", "short_text", "ordering", "matching"}


def test_no_invented_phone_numbers(course):
    """The only local numbers the content may use are the child helpline 108 and the police 102."""
    _app, spec = course
    for path in spec.files:
        text = path.read_text(encoding="utf-8")
        numbers = set(re.findall(r"(?<![\d.,:-])\b1\d{2}\b(?![\d.,%-])", text))
        assert numbers <= {"108", "102"}, (path.name, numbers)
        assert not re.search(r"\+976|\b\d{4}[- ]\d{4}\b", text), path.name

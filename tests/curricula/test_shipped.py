"""The four curricula that ship with CPC Learn: complete, bilingual, and with sound quizzes."""

import re
from pathlib import Path

import pytest

from assessments import grading
from curricula.quizzes import _question_fields
from curricula.schema import LANGS, read_course, read_glossary
from curricula.schema.rules import (
    EVIDENCE_ADVICE,
    FIRST_MAX,
    TRUE_SHARE,
    balance_of,
    course_questions,
    glossary_use,
    shared_questions,
)

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
    assert spec.version == "1.1" and spec.release_policy == "everyone"
    assert spec.release_notes["en"].startswith("Version 1.1")
    assert spec.release_notes["mn"].startswith("1.1 хувилбар")


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
    assert spec.assessment is not None and len(spec.assessment.pre.questions) >= 10
    quizzes = [module.quiz for module in spec.modules] + [spec.assessment.pre, spec.assessment.post]
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
        # ILO conventions are numbers too (No. 138, No. 182; "182 дугаар конвенц"): not phone numbers.
        text = re.sub(r"No\.\s+1\d{2}\b|\b1\d{2}\s+дугаар\s+конвенц", "", text)
        numbers = set(re.findall(r"(?<![\d.,:-])\b1\d{2}\b(?![\d.,%-])", text))
        assert numbers <= {"108", "102"}, (path.name, numbers)
        assert not re.search(r"\+976|\b\d{4}[- ]\d{4}\b", text), path.name


def test_assessments_measure_learning_not_test_taking(course):
    """Issue 17's figures: correct option first in at most 35 % of choice questions, true in
    35-65 % of true/false items, and a post-test that shares no question with its pre-test."""
    _app, spec = course
    balance = balance_of(course_questions(spec))
    assert balance.first_share <= FIRST_MAX
    assert TRUE_SHARE[0] <= balance.true_share <= TRUE_SHARE[1]
    assert spec.assessment.parallel and shared_questions(spec.assessment) == []
    assert len(spec.assessment.post.questions) == len(spec.assessment.pre.questions)
    # Neither "always the longest option" nor "always false" beats guessing on either test.
    for form in (spec.assessment.pre, spec.assessment.post):
        picked = 0
        for question in form.questions:
            if question.type == "true_false":
                picked += question.data["answer"] is False
            elif question.type == "single_choice":
                options = question.data["options"]
                longest = max(range(len(options)), key=lambda i: len(options[i]["text"]["en"]))
                picked += options[longest]["correct"]
        assert picked <= len(form.questions) * 0.4, (spec.slug, form.title["en"], picked)


def test_the_helpline_and_police_numbers_are_not_asked_again_and_again(course):
    """108 and 102 matter, but asking for them nine times is trivia: at most twice per course as the
    answer itself (they may still appear inside judgement items)."""
    _app, spec = course
    asked = [
        question
        for question in course_questions(spec)
        if question.type == "short_text" and set(question.data["accepted"]["en"]) & {"108", "102"}
    ]
    assert len(asked) <= 2, [question.where for question in asked]
    trivia = [q for q in course_questions(spec) if "approved" in q.text["en"] and "When" in q.text["en"]]
    assert not trivia


@pytest.mark.parametrize("lang", LANGS)
def test_glossary_terms_are_used_in_at_least_half_the_lessons(course, lang):
    """Issue 17: a glossary term in at least half the lessons (so lessons link to it)."""
    _app, spec = course
    use = glossary_use(spec, read_glossary(), lang)
    with_terms = [slug for slug, terms in use if terms]
    assert len(with_terms) >= len(use) / 2, (lang, [slug for slug, terms in use if not terms])


def test_evidence_advice_always_comes_with_the_intimate_image_warning(course):
    _app, spec = course
    for lesson in spec.lessons:
        if any(EVIDENCE_ADVICE.search(text) for text in lesson.texts("en")):
            assert any(block.shared == "intimate-image-warning" for block in lesson.body), lesson.slug


def test_self_care_and_content_notes(course):
    app, spec = course
    slugs = [lesson.slug for lesson in spec.lessons]
    assert "looking-after-yourself" in slugs
    noted = [module for module in spec.modules if module.lessons[0].body[0].shared == "content-note"]
    assert noted, "modules on abuse and exploitation open with a content note"


def test_investigation_lessons_with_legal_content_name_their_sources():
    spec = read_course(CONTENT / "child_friendly_investigation" / "content")
    flagged = [lesson for lesson in spec.lessons if lesson.legal_review]
    assert len(flagged) >= 5
    for lesson in flagged:
        sources = [item for block in lesson.body if block.type == "sources" for item in block.value["items"]]
        assert sources, lesson.slug
    new = {lesson.slug for lesson in spec.modules[1].lessons}
    assert new == {
        "defining-child-trafficking",
        "non-punishment-of-trafficked-children",
        "forced-child-labour",
        "cross-border-cases",
        "legal-framework",
    }

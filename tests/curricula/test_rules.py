"""The content checker's rules about assessments: each has an example it refuses.

Pure Python (no database): these are the checks `python -m curricula.schema` and
`load_curricula` run before anything is written.
"""

import pytest

from curricula.schema import ContentError, read_course
from curricula.schema.__main__ import main as check_main
from curricula.schema.rules import balance_of, course_questions, shared_questions

from .content_helpers import balanced_assessment, deep, module, short, single, text, true_false, write_course


def _refused(directory, *fragments):
    with pytest.raises(ContentError) as error:
        read_course(directory)
    for fragment in fragments:
        assert fragment in str(error.value), str(error.value)
    return error.value


def test_a_balanced_parallel_assessment_passes(tmp_path):
    spec = read_course(write_course(tmp_path / "c", assessment=balanced_assessment()))
    assert spec.assessment.parallel
    assert [q.objective for q in spec.assessment.post.questions] == ["listening", "reporting"]
    assert shared_questions(spec.assessment) == []


# --- a post-test is a parallel form of its pre-test ----------------------------------------------------


def test_the_10_shape_that_repeats_the_pre_test_is_refused_but_readable_as_history(tmp_path):
    legacy = {
        "title": text("Check", "Шалгалт"),
        "pass_mark": 70,
        "questions": [true_false("Report the same day.", True), true_false("Keep secrets.", False)],
    }
    directory = write_course(tmp_path / "c", assessment=legacy)
    error = _refused(directory, "would ask the pre-test's questions again")
    assert error.path.endswith("assessment.yaml") and error.line == 1
    spec = read_course(directory, rules=False)  # content of an earlier release, as it shipped
    assert not spec.assessment.parallel
    assert spec.assessment.pre.questions == spec.assessment.post.questions


def test_a_post_test_question_asked_in_the_pre_test_is_refused(tmp_path):
    assessment = balanced_assessment()
    assessment["post_test"]["questions"][1] = deep(assessment["pre_test"]["questions"][1])
    error = _refused(write_course(tmp_path / "c", assessment=assessment), "repeats the pre_test question")
    assert error.line is not None


def test_a_reworded_repeat_is_still_the_same_question(tmp_path):
    assessment = balanced_assessment()
    repeat = deep(assessment["pre_test"]["questions"][0])
    repeat["text"] = text(
        "A child says that she is scared to go home. What do you say first?", "Өөр үгээр (мн)"
    )  # the Mongolian differs entirely; the English stem is the same question reworded
    assessment["post_test"]["questions"][0] = repeat
    _refused(write_course(tmp_path / "c", assessment=assessment), "repeats the pre_test question")


def test_the_same_choices_with_the_same_key_are_the_same_question(tmp_path):
    assessment = balanced_assessment()
    pre = assessment["pre_test"]["questions"][0]
    post = deep(pre)
    post["text"] = text("Which reply do you give a child who is afraid?", "Айсан хүүхдэд юу гэж хариулах вэ?")
    assessment["post_test"]["questions"][0] = post
    _refused(write_course(tmp_path / "c", assessment=assessment), "repeats the pre_test question")


def test_the_same_categories_about_another_case_are_a_new_question(tmp_path):
    """Classifying a different case from the same list of kinds is a parallel item, not a repeat."""
    kinds = ["Contact risk", "Content risk", "Conduct risk"]
    assessment = balanced_assessment()
    assessment["pre_test"]["questions"][0] = single("A stranger offers a job abroad.", kinds, 0, "listening")
    assessment["post_test"]["questions"][0] = single("An app shows diet videos.", kinds, 1, "listening")
    spec = read_course(write_course(tmp_path / "c", assessment=assessment), rules=False)
    assert shared_questions(spec.assessment) == []


def test_a_short_answer_repeated_under_another_stem_is_refused(tmp_path):
    assessment = balanced_assessment()
    assessment["pre_test"]["questions"].append(short("What is the child helpline?", ["108"], "reporting"))
    assessment["post_test"]["questions"].append(
        short("Which number gives advice about a child?", ["108"], "reporting")
    )
    _refused(write_course(tmp_path / "c", assessment=assessment), "repeats the pre_test question")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a["post_test"]["questions"].pop(), "the post_test has 1 questions but the pre_test has 2"),
        (
            lambda a: a["post_test"]["questions"].__setitem__(
                1, single("Who do you tell?", ["Nobody at all", "The safeguarding lead"], 1, "reporting")
            ),
            "must be a parallel form of pre_test question 2",
        ),
        (
            lambda a: a["post_test"]["questions"][1].__setitem__("objective", "listening"),
            "same objective ('reporting')",
        ),
        (
            lambda a: a["post_test"]["questions"][0]["options"].append(
                {"text": text("Shrug.", "Мөр хавчих.")}
            ),
            "the same number of choices (3)",
        ),
        (
            lambda a: a["pre_test"]["questions"][0].pop("objective"),
            "must name one of the assessment's objectives",
        ),
        (
            lambda a: a["objectives"].append({"slug": "referral", "text": text("Refer", "Шилжүүлэх")}),
            "no question tests the objective(s): referral",
        ),
        (lambda a: a.pop("post_test"), "needs 'post_test'"),
    ],
)
def test_a_post_test_that_is_not_parallel_is_refused(tmp_path, change, message):
    assessment = balanced_assessment()
    change(assessment)
    _refused(write_course(tmp_path / "c", assessment=assessment), message)


# --- the answer is not given away by position, length or true/false ----------------------------------


def _quiz(questions):
    return {"title": text("Quiz", "Сорил"), "questions": questions}


def _options(n_correct_first: int, n_other: int) -> list[dict]:
    questions = []
    for n in range(n_correct_first):
        questions.append(single(f"First {n}?", ["Right one", "A wrong answer", "Another wrong answer"], 0))
    for n in range(n_other):
        questions.append(single(f"Other {n}?", ["A wrong answer", "Right one", "Another wrong answer"], 1))
    return questions


def test_the_correct_option_first_in_more_than_35_percent_of_choice_questions_is_refused(tmp_path):
    # With the assessment's two questions (one single-choice, not first), 4 of 10 is 40 %.
    directory = write_course(
        tmp_path / "c", modules=[module(quiz=_quiz(_options(4, 5)))], assessment=balanced_assessment()
    )
    error = _refused(directory, "listed first in 4 of 11 choice questions (36%; at most 35%)", "01.yaml:")
    assert error.path.endswith("course.yaml")
    fine = write_course(
        tmp_path / "d", modules=[module(quiz=_quiz(_options(3, 6)))], assessment=balanced_assessment()
    )
    assert balance_of(course_questions(read_course(fine))).first_share <= 0.35


@pytest.mark.parametrize("lang", ["en", "mn"])
def test_the_correct_option_systematically_the_longest_is_refused_in_either_language(tmp_path, lang):
    questions = []
    for n in range(3):
        question = single(f"Question {n}?", ["Short", "The right answer, much longer", "Short too"], 1)
        other = "mn" if lang == "en" else "en"
        # In the other language the right answer is the shortest, so only ``lang`` gives it away.
        for number, option in enumerate(question["options"]):
            option["text"][other] = "Зөв" if number == 1 else "Буруу, гэхдээ урт хариулт"
        questions.append(question)
    directory = write_course(tmp_path / "c", modules=[module(quiz=_quiz(questions))])
    _refused(directory, f"the correct option is the longest ({lang}) in 3 of 3 single-choice questions")


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([False] * 6 + [True], "1 of 7 true/false answers are true (14%"),
        ([True] * 5 + [False], "5 of 6 true/false answers are true (83%"),
    ],
)
def test_true_false_answers_mostly_one_way_are_refused(tmp_path, answers, message):
    questions = [true_false(f"Statement {n}.", answer) for n, answer in enumerate(answers)]
    directory = write_course(tmp_path / "c", modules=[module(quiz=_quiz(questions))])
    error = _refused(directory, message, "rewrite some of 01.yaml:")
    assert "too many are " + ("false" if answers.count(False) > answers.count(True) else "true") in str(error)


def test_three_true_false_items_two_to_one_are_as_balanced_as_three_can_be(tmp_path):
    questions = [true_false("One.", True), true_false("Two.", False), true_false("Three.", False)]
    spec = read_course(write_course(tmp_path / "c", modules=[module(quiz=_quiz(questions))]))
    assert balance_of(course_questions(spec)).true_false_balanced


def test_the_command_line_checker_prints_the_figures_and_fails_on_a_refusal(tmp_path, capsys):
    good = write_course(tmp_path / "good", assessment=balanced_assessment())
    assert check_main([str(good)]) == 0
    out = capsys.readouterr().out
    assert "correct option first: 0 of 2 choice questions (0%)" in out
    assert "post-test questions shared with the pre-test: 0" in out
    bad_assessment = balanced_assessment()
    bad_assessment["post_test"]["questions"][1] = deep(bad_assessment["pre_test"]["questions"][1])
    bad = write_course(tmp_path / "bad", assessment=bad_assessment)
    assert check_main([str(bad)]) == 1
    assert "repeats the pre_test question" in capsys.readouterr().err

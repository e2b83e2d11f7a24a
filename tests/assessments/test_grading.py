"""The grading rules, question type by question type (pure functions, no database)."""

import pytest

from assessments import grading


def key(kind, options=(), **extra):
    base = {
        "kind": kind,
        "options": list(options),
        "answer": None,
        "accepted": {"mn": [], "en": []},
        "partial_credit": "right_minus_wrong",
    }
    base.update(extra)
    return base


def opt(option_id, correct=False, match=""):
    return {
        "id": option_id,
        "correct": correct,
        "text_mn": option_id,
        "text_en": option_id,
        "match_mn": match,
        "match_en": match,
        "feedback_mn": "",
        "feedback_en": "",
    }


SINGLE = key("single_choice", [opt("a", True), opt("b"), opt("c")])
MULTI = key("multiple_response", [opt("a", True), opt("b", True), opt("c"), opt("d")])


def test_single_choice():
    assert grading.grade(SINGLE, {"option": "a"}) == 1.0
    assert grading.grade(SINGLE, {"option": "b"}) == 0.0
    assert grading.grade(SINGLE, None) == 0.0


@pytest.mark.parametrize(
    ("method", "chosen", "expected"),
    [
        ("all_or_nothing", ["a", "b"], 1.0),
        ("all_or_nothing", ["a"], 0.0),
        ("right_minus_wrong", ["a"], 0.5),
        ("right_minus_wrong", ["a", "c"], 0.0),
        ("right_minus_wrong", ["c", "d"], 0.0),  # never below zero
        ("right_minus_wrong", ["a", "b", "c"], 0.5),
        ("per_option", ["a"], 0.75),  # a right, b wrongly left out, c and d rightly left out
        ("per_option", [], 0.5),
        ("per_option", ["a", "b"], 1.0),
    ],
)
def test_multiple_response_partial_credit(method, chosen, expected):
    assert grading.grade({**MULTI, "partial_credit": method}, {"options": chosen}) == pytest.approx(expected)


def test_true_false():
    k = key("true_false", answer=False)
    assert grading.grade(k, {"value": False}) == 1.0
    assert grading.grade(k, {"value": True}) == 0.0


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Digital footprint", 1.0),
        ("  digital   FOOTPRINT!! ", 1.0),
        ("digital-footprint", 1.0),
        ("ЦАХИМ ул мөр.", 1.0),
        ("цахим ул", 0.0),
        ("", 0.0),
    ],
)
def test_short_text_ignores_case_spaces_and_punctuation(given, expected):
    k = key("short_text", accepted={"mn": ["Цахим ул мөр"], "en": ["digital footprint"]})
    assert grading.grade(k, {"text": given}) == expected


def test_ordering_is_all_or_nothing():
    k = key("ordering", [opt("1"), opt("2"), opt("3")])
    assert grading.grade(k, {"order": ["1", "2", "3"]}) == 1.0
    assert grading.grade(k, {"order": ["2", "1", "3"]}) == 0.0


def test_matching_gives_credit_per_pair():
    k = key("matching", [opt("x", match="X"), opt("y", match="Y"), opt("z", match="Z"), opt("w", match="W")])
    assert grading.grade(k, {"pairs": {"x": "x", "y": "y", "z": "z", "w": "w"}}) == 1.0
    assert grading.grade(k, {"pairs": {"x": "x", "y": "z", "z": "y"}}) == 0.25


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        ({"option": "zzz"}, ["a", "b", "c"]),  # an option that does not exist
        ({"option": "c"}, ["a", "b"]),  # one that exists but was not shown
        ({"option": ["a"]}, ["a", "b", "c"]),
        ("a", ["a"]),
    ],
)
def test_clean_answer_refuses_options_not_shown(answer, shown):
    with pytest.raises(grading.InvalidAnswer):
        grading.clean_answer(SINGLE, answer, shown)


def test_clean_answer_checks_every_shape():
    with pytest.raises(grading.InvalidAnswer):
        grading.clean_answer(MULTI, {"options": ["a", "x"]}, ["a", "b", "c", "d"])
    with pytest.raises(grading.InvalidAnswer):
        grading.clean_answer(key("true_false"), {"value": "yes"}, [])
    with pytest.raises(grading.InvalidAnswer):
        grading.clean_answer(key("short_text"), {"text": "x" * 501}, [])
    with pytest.raises(grading.InvalidAnswer):
        grading.clean_answer(key("ordering"), {"order": ["1", "1", "2"]}, ["1", "2", "3"])
    with pytest.raises(grading.InvalidAnswer):
        grading.clean_answer(key("matching"), {"pairs": {"x": "nope"}}, ["x", "y"])
    assert grading.clean_answer(MULTI, {"options": ["b", "a"]}, ["a", "b", "c", "d"]) == {
        "options": ["a", "b"]
    }


@pytest.mark.parametrize(
    ("k", "field"),
    [
        (key("single_choice", [opt("a", True), opt("b", True)]), "options"),
        (key("single_choice", [opt("a")]), "options"),
        (key("multiple_response", [opt("a"), opt("b")]), "options"),
        (key("true_false"), "true_false_answer"),
        (key("short_text"), "accepted_mn"),
        (key("matching", [opt("a", match="X"), opt("b", match="x")]), "options"),
        (key("matching", [opt("a", match="X"), opt("b")]), "options"),
    ],
)
def test_unsound_answer_keys_are_named(k, field):
    assert field in grading.answer_key_errors(k)


def test_sound_keys_pass():
    assert grading.answer_key_errors(SINGLE) == {}
    assert grading.answer_key_errors(MULTI) == {}

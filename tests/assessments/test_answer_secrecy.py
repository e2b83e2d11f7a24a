"""Nothing about the answer reaches the page.

A "cheater" builds answers from the attempt page's HTML alone: names, values, element ids,
labels and the order things come in (the first or last option, the lowest or highest value,
the option whose value equals the prompt's key, items sorted by id). Against a question bank
written to make such clues pay (right answers authored first, option ids that sort in the right
order, matching answers that share their item's id, as the curricula loader writes them), it
must score no better than chance on every question type, over many attempts. The chance score
of each strategy is worked out from the real questions by enumerating every possible answer of
the strategy's shape and grading it with the real grading function.
"""

from __future__ import annotations

import itertools
import math
import random
import statistics
from collections import defaultdict

import pytest
from bs4 import BeautifulSoup
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from assessments import forms, grading, layout, selectors, services
from assessments.models import Question, QuizAttempt, QuizResponse
from courses import services as course_services
from tests.assessments import helpers

pytestmark = pytest.mark.django_db

SEED = 20260513
ATTEMPTS = 200
# Two-sided band of Z standard errors around the chance score: a page that carries no
# information leaves it with a probability of about 6e-5, and the seed is fixed.
Z = 4.0
KINDS = [kind.value for kind in Question.Kind]


def leaky_id(question: int, index: int) -> str:
    """Ids that sort in the authored order (the order of the right answer for ordering)."""
    return f"{question:08d}-0000-4000-8000-{index:012d}"


def bank_fields(kind: str, n: int) -> dict:
    """Question ``n`` of a kind, written so that every clue in the markup would pay."""
    ids = [leaky_id(n + 1, i) for i in range(4)]
    option = helpers.option
    if kind == "single_choice":
        return {"options": [option(f"S{i}", correct=i == 0, option_id=ids[i]) for i in range(4)]}
    if kind == "multiple_response":
        return {"options": [option(f"M{i}", correct=i < 2, option_id=ids[i]) for i in range(4)]}
    if kind == "true_false":
        return {"true_false_answer": n % 2 == 0}  # balanced: two true statements, two false
    if kind == "short_text":
        return {"accepted_en": "safety plan", "accepted_mn": "аюулгүй байдлын төлөвлөгөө"}
    if kind == "ordering":
        return {"options": [option(f"Step {i}", option_id=ids[i]) for i in range(3)]}
    return {"options": [option(f"Item {i}", match=f"Answer {i}", option_id=ids[i]) for i in range(3)]}


def build_bank(kind: str) -> list[Question]:
    return [helpers.question(kind, text=f"{kind} {n}", **bank_fields(kind, n)) for n in range(4)]


# --- reading the page --------------------------------------------------------------------------


def page_questions(html: str) -> list[tuple[int, BeautifulSoup]]:
    at = html.index('class="quiz-form"')  # parse the quiz form only: the whole page is slow to parse
    soup = BeautifulSoup(html[html.rindex("<form", 0, at) : html.index("</form>", at) + 7], "html.parser")
    return [(int(fs["data-question"]), fs) for fs in soup.select("fieldset.question")]


def _inputs(fieldset, kind: str):
    return fieldset.select(f"input[type={kind}]")


def _hidden(fieldset) -> dict:
    return {tag["name"]: tag["value"] for tag in _inputs(fieldset, "hidden")}


def _selects(fieldset):
    return fieldset.select("select")


def _key(select) -> str:
    """What follows the question in a select's name (an option id on a page that leaks)."""
    return select["name"].split("-", 1)[1]


def _values(select) -> list[str]:
    return [option["value"] for option in select.select("option") if option["value"]]


def _one(pick):
    def strategy(fieldset):
        radios = _inputs(fieldset, "radio")
        return {radios[0]["name"]: pick([radio["value"] for radio in radios])}

    strategy.__name__ = pick.__name__
    return strategy


def _two(pick):
    def strategy(fieldset):
        boxes = _inputs(fieldset, "checkbox")
        return {**_hidden(fieldset), boxes[0]["name"]: pick([box["value"] for box in boxes])}

    strategy.__name__ = pick.__name__
    return strategy


def first(values):
    return values[0]


def last(values):
    return values[-1]


def lowest(values):
    return min(values)


def highest(values):
    return max(values)


def first_two(values):
    return values[:2]


def last_two(values):
    return values[-2:]


def lowest_two(values):
    return sorted(values)[:2]


def highest_two(values):
    return sorted(values)[-2:]


def _text(pick):
    def strategy(fieldset):
        box = _inputs(fieldset, "text")[0]
        return {box["name"]: pick(fieldset, box)}

    strategy.__name__ = pick.__name__
    return strategy


def text_is_name(fieldset, box):
    return box["name"]


def text_is_id(fieldset, box):
    return box["id"]


def text_is_value(fieldset, box):
    return box.get("value", "")


def text_is_label(fieldset, box):
    return fieldset.select_one(f"label[for='{box['id']}']").get_text(strip=True)


def _order(rank):
    def strategy(fieldset):
        selects = rank(_selects(fieldset))
        return {select["name"]: str(position) for position, select in enumerate(selects, 1)}

    strategy.__name__ = rank.__name__
    return strategy


def as_shown(selects):
    return selects


def reversed_shown(selects):
    return selects[::-1]


def by_id(selects):
    return sorted(selects, key=_key)


def by_id_descending(selects):
    return sorted(selects, key=_key, reverse=True)


def _match(pair):
    def strategy(fieldset):
        selects = _selects(fieldset)
        return dict(zip([s["name"] for s in selects], pair(selects, _values(selects[0])), strict=True))

    strategy.__name__ = pair.__name__
    return strategy


def value_equals_key(selects, values):
    """The answer whose value is the prompt's own key; failing that, pair keys and values by rank."""
    ranked = dict(zip(sorted(_key(s) for s in selects), sorted(values), strict=True))
    return [_key(s) if _key(s) in values else ranked[_key(s)] for s in selects]


def same_position(selects, values):
    return values


def opposite_position(selects, values):
    return values[::-1]


def value_rank_descending(selects, values):
    ranked = dict(zip(sorted(_key(s) for s in selects), sorted(values, reverse=True), strict=True))
    return [ranked[_key(s)] for s in selects]


STRATEGIES = {
    "single_choice": [_one(f) for f in (first, last, lowest, highest)],
    "multiple_response": [_two(f) for f in (first_two, last_two, lowest_two, highest_two)],
    "true_false": [_one(f) for f in (first, last, lowest, highest)],
    "short_text": [_text(f) for f in (text_is_name, text_is_id, text_is_value, text_is_label)],
    "ordering": [_order(f) for f in (as_shown, reversed_shown, by_id, by_id_descending)],
    "matching": [
        _match(f) for f in (value_equals_key, same_position, opposite_position, value_rank_descending)
    ],
}


def chance(key: dict) -> tuple[float, float]:
    """Mean and variance of the score of an answer of the strategies' shape given blindly."""
    ids = [option["id"] for option in key["options"]]
    kind = key["kind"]
    if kind == "single_choice":
        scores = [grading.grade(key, {"option": option_id}) for option_id in ids]
    elif kind == "multiple_response":
        scores = [grading.grade(key, {"options": list(c)}) for c in itertools.combinations(ids, 2)]
    elif kind == "true_false":
        scores = [grading.grade(key, {"value": value}) for value in (True, False)]
    elif kind == "short_text":
        scores = [0.0]  # no text is guessed by chance
    elif kind == "ordering":
        scores = [grading.grade(key, {"order": list(p)}) for p in itertools.permutations(ids)]
    else:
        scores = [
            grading.grade(key, {"pairs": dict(zip(ids, p, strict=True))}) for p in itertools.permutations(ids)
        ]
    return statistics.fmean(scores), statistics.pvariance(scores)


def quiz_of(learner, kinds: list[str] = KINDS) -> dict:
    """One quiz of four questions of each kind, in a course of its own; the learner enrolled."""
    banks = {kind: build_bank(kind) for kind in kinds}
    quiz = helpers.quiz(
        [question for bank in banks.values() for question in bank],
        pass_mark=100,
        show_feedback="never",
        show_correct_answers="never",
    )
    built = helpers.course_with_quiz(quiz, lessons=1, quiz_position=0, slug="secrecy")
    course_services.enrollment_create(user=learner, course=built.mn)
    kind_of = {question.pk: kind for kind, bank in banks.items() for question in bank}
    return {"quiz": quiz, "lesson": built.lessons["en"][0], "banks": banks, "kind_of": kind_of}


@pytest.fixture
def learner_client(learner):
    client = Client()
    client.force_login(learner)
    return client


def cheat(client, learner, quiz: dict, attempts: int) -> dict[tuple[str, str], list[float]]:
    """Take the quiz ``attempts`` times answering from the HTML alone. Within each kind, the
    strategies rotate over the questions, so every strategy meets every question equally often."""
    rng = random.Random(SEED)
    fractions: dict[tuple[str, str], list[float]] = defaultdict(list)
    for n in range(attempts):
        attempt = services.attempt_start(user=learner, quiz=quiz["quiz"], lesson=quiz["lesson"], rng=rng)
        page = client.get(f"/en/learn/attempts/{attempt.pk}/")
        assert page.status_code == 200
        data, used, seen = {}, {}, defaultdict(int)
        for question_id, fieldset in page_questions(page.content.decode()):
            kind = quiz["kind_of"][question_id]
            strategies = STRATEGIES[kind]
            strategy = strategies[(seen[kind] + n) % len(strategies)]
            seen[kind] += 1
            data.update(strategy(fieldset))
            used[question_id] = (kind, strategy.__name__)
        response = client.post(f"/en/learn/attempts/{attempt.pk}/submit/", data)
        assert response.status_code == 302, response.content[:300]
        graded = dict(QuizResponse.objects.filter(attempt=attempt).values_list("question_id", "fraction"))
        for question_id, name in used.items():
            fractions[name].append(graded.get(question_id) or 0.0)
    return fractions


def test_answers_built_from_the_page_score_no_better_than_chance(site, learner, learner_client):
    quiz = quiz_of(learner)
    fractions = cheat(learner_client, learner, quiz, ATTEMPTS)
    assert set(fractions) == {(kind, s.__name__) for kind in KINDS for s in STRATEGIES[kind]}
    report, beaten = [], []
    for (kind, name), scores in sorted(fractions.items()):
        mean, variance = chance(quiz["banks"][kind][0].answer_key())
        assert len(scores) == ATTEMPTS
        band = Z * math.sqrt(variance / len(scores)) + 1e-9
        observed = statistics.fmean(scores)
        line = f"{kind}, '{name}': {observed:.3f} against a chance score of {mean:.3f} ± {band:.3f}"
        report.append(line)
        if abs(observed - mean) > band:
            beaten.append(line)
    for kind in KINDS:  # all strategies of a kind together: four times the answers, half the band
        scores = [f for (k, _name), values in fractions.items() if k == kind for f in values]
        mean, variance = chance(quiz["banks"][kind][0].answer_key())
        band = Z * math.sqrt(variance / len(scores)) + 1e-9
        observed = statistics.fmean(scores)
        line = f"{kind}, all strategies: {observed:.3f} against a chance score of {mean:.3f} ± {band:.3f}"
        report.append(line)
        if abs(observed - mean) > band:
            beaten.append(line)
    print("\n".join(report))  # shown with -s: the figures of the run
    assert not beaten, "\n".join(beaten)


def test_the_cheater_wins_on_a_page_that_leaks(site, learner):
    """The same cheater against the markup of an attempt from before tokens (real ids in the page):
    it finds every matching answer and every order. So the test above could fail."""
    request = RequestFactory().get("/en/")
    request.user = learner
    quiz = quiz_of(learner, ["ordering", "matching"])
    attempt = services.attempt_start(
        user=learner, quiz=quiz["quiz"], lesson=quiz["lesson"], rng=random.Random(SEED)
    )
    legacy = [{k: v for k, v in e.items() if k not in ("tokens", "match_tokens")} for e in attempt.layout]
    QuizAttempt.objects.filter(pk=attempt.pk).update(layout=legacy)
    attempt.refresh_from_db()
    html = render_to_string(
        "assessments/attempt.html",
        {"attempt": attempt, "quiz": attempt.quiz, "questions": selectors.attempt_questions(attempt)},
        request=request,
    )
    pick = {"matching": "value_equals_key", "ordering": "by_id"}
    post = QueryDict(mutable=True)
    for question_id, fieldset in page_questions(html):
        kind = quiz["kind_of"][question_id]
        post.update(next(s for s in STRATEGIES[kind] if s.__name__ == pick[kind])(fieldset))
    answers = forms.answers_from_post(attempt, post)
    keys = {question.pk: question.answer_key() for bank in quiz["banks"].values() for question in bank}
    assert len(answers) == 8
    assert {qid: grading.grade(keys[qid], answer) for qid, answer in answers.items()} == dict.fromkeys(
        keys, 1.0
    )


def right_form(entry: dict) -> dict:
    """The right answer to one question, as the form would carry it (from the server's layout)."""
    key = Question.objects.get(pk=entry["question"]).answer_key()
    name, token, match = f"q{entry['question']}", layout.token_of_option(entry), layout.token_of_match(entry)
    if key["kind"] == "single_choice":
        return {name: next(token[o["id"]] for o in key["options"] if o["correct"])}
    if key["kind"] == "multiple_response":
        return {name: [token[o["id"]] for o in key["options"] if o["correct"]], f"{name}-present": "1"}
    if key["kind"] == "true_false":
        return {name: "true" if key["answer"] else "false"}
    if key["kind"] == "short_text":
        return {name: key["accepted"]["en"][0]}
    if key["kind"] == "ordering":
        return {f"{name}-{token[o['id']]}": str(n) for n, o in enumerate(key["options"], 1)}
    return {f"{name}-{token[o['id']]}": match[o["id"]] for o in key["options"]}


def test_no_real_option_id_reaches_the_page_or_the_responses(site, learner, learner_client):
    """Attempt page, autosave answers (right and wrong) and the result page before review is
    allowed: no real option id anywhere; the same autosave answer for every answer the page offers
    and for the right one; a real id is not accepted in place of this attempt's tokens, and is
    refused in the same words whether it is right or wrong."""
    client = learner_client
    quiz = quiz_of(learner)
    questions = {question.pk: question for bank in quiz["banks"].values() for question in bank}
    ids_of = {pk: [o["id"] for o in q.answer_key()["options"]] for pk, q in questions.items()}
    real_ids = {option_id for ids in ids_of.values() for option_id in ids}
    attempt = services.attempt_start(user=learner, quiz=quiz["quiz"], lesson=quiz["lesson"])
    html = client.get(f"/en/learn/attempts/{attempt.pk}/").content.decode()
    assert not [option_id for option_id in real_ids if option_id in html]
    replies, refusals = defaultdict(set), defaultdict(set)
    for question_id, fieldset in page_questions(html):
        kind = quiz["kind_of"][question_id]
        assert not fieldset.select("[data-correct], [data-answer], script"), kind
        entry = next(e for e in attempt.layout if e["question"] == question_id)
        for data in [strategy(fieldset) for strategy in STRATEGIES[kind]] + [right_form(entry)]:
            if not all(data.values()):
                continue  # an empty answer is not saved at all
            response = client.post(
                f"/en/learn/attempts/{attempt.pk}/answer/", data, HTTP_X_REQUESTED_WITH="fetch"
            )
            replies[kind].add((response.status_code, response.content))
        for option_id in ids_of[question_id]:
            if kind in ("single_choice", "multiple_response"):
                data = {f"q{question_id}": option_id}
            else:
                data = {f"q{question_id}-{option_id}": "1"}
            response = client.post(
                f"/en/learn/attempts/{attempt.pk}/answer/", data, HTTP_X_REQUESTED_WITH="fetch"
            )
            refusals[kind].add((response.status_code, response.content))
    assert replies == dict.fromkeys(KINDS, {(200, b'{"saved": 1}')})
    assert set(refusals) == {"single_choice", "multiple_response", "ordering", "matching"}
    for kind, answered in refusals.items():
        assert len(answered) == 1 and next(iter(answered))[0] == 400, (kind, answered)
        assert not [option_id for option_id in real_ids if option_id in next(iter(answered))[1].decode()]
    response = client.post(f"/en/learn/attempts/{attempt.pk}/submit/", {})
    result = client.get(response["Location"]).content.decode()
    assert "%" in result  # the score is there
    assert not [option_id for option_id in real_ids if option_id in result]
    assert not [token for entry in attempt.layout for token in layout.option_tokens(entry) if token in result]
    assert 'id="review-title"' not in result and "(mn)" not in result.split("<h1>", 1)[1]


def test_an_attempt_started_before_tokens_resumes_saves_and_grades(site, learner, learner_client):
    """An attempt whose layout has no tokens (started before them): a page still open from then
    keeps saving with real ids; reopened, it gets tokens once, shows no real id, keeps every saved
    answer, and is graded as before."""
    client = learner_client
    quiz = quiz_of(learner)
    questions = {question.pk: question for bank in quiz["banks"].values() for question in bank}
    attempt = services.attempt_start(user=learner, quiz=quiz["quiz"], lesson=quiz["lesson"])
    legacy = [{k: v for k, v in e.items() if k not in ("tokens", "match_tokens")} for e in attempt.layout]
    QuizAttempt.objects.filter(pk=attempt.pk).update(layout=legacy)
    single = next(e for e in legacy if e["kind"] == "single_choice")
    right = next(o["id"] for o in questions[single["question"]].answer_key()["options"] if o["correct"])
    # The page from before the change, still open, saves an answer by its real id.
    response = client.post(
        f"/en/learn/attempts/{attempt.pk}/answer/",
        {f"q{single['question']}": right},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.json() == {"saved": 1}
    html = client.get(f"/en/learn/attempts/{attempt.pk}/").content.decode()
    attempt.refresh_from_db()
    assert not layout.needs_tokens(attempt.layout)
    assert [e["options"] for e in attempt.layout] == [e["options"] for e in legacy], "the order shown stays"
    real_ids = {o["id"] for q in questions.values() for o in q.answer_key()["options"]}
    assert not [option_id for option_id in real_ids if option_id in html]
    entry = next(e for e in attempt.layout if e["question"] == single["question"])
    assert f'value="{layout.token_of_option(entry)[right]}" checked' in html, "the saved answer is kept"
    tokens = [e["tokens"] for e in attempt.layout]
    client.get(f"/en/learn/attempts/{attempt.pk}/")
    attempt.refresh_from_db()
    assert [e["tokens"] for e in attempt.layout] == tokens, "tokens are given once"
    # From now on only tokens are answers; the rest is answered rightly and the attempt submitted.
    response = client.post(
        f"/en/learn/attempts/{attempt.pk}/answer/",
        {f"q{single['question']}": right},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 400
    data = {}
    for entry in attempt.layout:
        if entry["question"] != single["question"]:
            data.update(right_form(entry))
    response = client.post(f"/en/learn/attempts/{attempt.pk}/submit/", data)
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 100.0
    assert QuizResponse.objects.get(attempt=attempt, question_id=single["question"]).answer == {
        "option": right
    }

"""Checking questions, quizzes and the course assessment (part of :class:`Checker`)."""

from __future__ import annotations

from typing import Any

from .constants import LANGS, QUESTION_KEYS, QUESTION_TYPES, SLUG_CHARS
from .specs import AssessmentSpec, Question, QuizSpec
from .yaml_files import LocatedDict


class _QuestionChecks:
    """Questions, quizzes and the assessment: part of :class:`Checker` (uses its ``fail``,
    ``mapping``, ``require``, ``only``, ``text``, ``text_list`` and ``integer``)."""

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

"""Small content folders for the checker and loader tests, written as an author would write them."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

TEXT = {"en": "Listen first.", "mn": "Эхлээд сонс."}


def text(en: str, mn: str) -> dict:
    return {"en": en, "mn": mn}


def single(stem: str, options: list[str], correct: int, objective: str | None = None) -> dict:
    """A single-choice question; options are English texts (the Mongolian is derived)."""
    question = {
        "type": "single_choice",
        "text": text(stem, f"{stem} (мн)"),
        "options": [
            {"text": text(option, f"{option} (мн)"), **({"correct": True} if n == correct else {})}
            for n, option in enumerate(options)
        ],
    }
    if objective:
        question["objective"] = objective
    return question


def true_false(stem: str, answer: bool, objective: str | None = None) -> dict:
    question = {"type": "true_false", "text": text(stem, f"{stem} (мн)"), "answer": answer}
    if objective:
        question["objective"] = objective
    return question


def short(stem: str, accepted: list[str], objective: str | None = None) -> dict:
    question = {
        "type": "short_text",
        "text": text(stem, f"{stem} (мн)"),
        "accepted": {"en": accepted, "mn": [f"{answer} мн" for answer in accepted]},
    }
    if objective:
        question["objective"] = objective
    return question


def balanced_assessment() -> dict:
    """A pre-test and a parallel post-test that pass every rule."""
    return {
        "pass_mark": 70,
        "objectives": [
            {"slug": "listening", "text": text("Listen to a child", "Хүүхдийг сонсох")},
            {"slug": "reporting", "text": text("Report the same day", "Тэр өдөртөө мэдээлэх")},
        ],
        "pre_test": {
            "title": text("Pre-test", "Өмнөх тест"),
            "questions": [
                single(
                    "A child says she is scared to go home. What do you say first?",
                    [
                        "Why were you out so late again?",
                        "Thank you for telling me.",
                        "Go home now and it will pass.",
                    ],
                    1,
                    "listening",
                ),
                true_false("You wait for proof before you report a worry.", False, "reporting"),
            ],
        },
        "post_test": {
            "title": text("Post-test", "Дараах тест"),
            "questions": [
                single(
                    "A boy tells you an older student takes his money. Which reply fits best?",
                    [
                        "It's nothing, just ignore him.",
                        "Tell me his name right now.",
                        "I'm glad you told me.",
                    ],
                    2,
                    "listening",
                ),
                true_false(
                    "A worry is enough to tell the safeguarding lead the same day.", True, "reporting"
                ),
            ],
        },
    }


def module(lessons: list[dict] | None = None, quiz: dict | None = None, slug: str = "basics") -> dict:
    data = {
        "slug": slug,
        "title": text("Basics", "Үндэс"),
        "lessons": lessons
        or [{"slug": f"{slug}-first", "title": text("First", "Нэгдүгээр"), "body": [{"text": dict(TEXT)}]}],
    }
    if quiz is not None:
        data["quiz"] = quiz
    return data


def write_course(
    root: Path,
    *,
    modules: list[dict] | None = None,
    assessment: dict | None = None,
    version: str = "1.0",
    extra: dict | None = None,
) -> Path:
    """Write a course folder (course.yaml, module files, assessment.yaml) and return it."""
    root.mkdir(parents=True, exist_ok=True)
    names = []
    for number, data in enumerate(modules or [module()], 1):
        name = f"{number:02d}.yaml"
        (root / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        names.append(name)
    course = {
        "slug": "test-course",
        "version": version,
        "title": text("Test course", "Туршилтын сургалт"),
        "summary": text("Summary", "Товч"),
        "description": text("About", "Тухай"),
        "audience": "open",
        "estimated_hours": 2,
        "modules": names,
        **(extra or {}),
    }
    if assessment is not None:
        course["assessment"] = "assessment.yaml"
        (root / "assessment.yaml").write_text(
            yaml.safe_dump(assessment, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    (root / "course.yaml").write_text(
        yaml.safe_dump(course, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return root


def deep(value):
    return copy.deepcopy(value)

"""python -m curricula.schema CONTENT_DIR [...]: check content folders and print their figures."""

from __future__ import annotations

import sys
from pathlib import Path

from . import GLOSSARY_PATH, ContentError, read_course, read_glossary
from .rules import balance_of, course_questions, glossary_use, shared_questions


def describe(course) -> list[str]:
    quiz_questions = sum(len(m.quiz.questions) for m in course.modules if m.quiz)
    assessment = course.assessment
    lines = [
        f"{course.slug} {course.version}: {len(course.modules)} modules, {len(course.lessons)} lessons, "
        f"{quiz_questions} module quiz questions, "
        + (
            f"pre-test {len(assessment.pre.questions)} and post-test {len(assessment.post.questions)} "
            f"questions on {len(assessment.objectives)} objectives"
            if assessment
            else "no pre-test or post-test"
        )
    ]
    balance = balance_of(course_questions(course))
    lines.append(
        f"  correct option first: {len(balance.first)} of {balance.choice} choice questions "
        f"({balance.first_share:.0%}); correct option the longest: "
        + ", ".join(
            f"{len(balance.longest[lang])} of {balance.single} ({balance.longest_share(lang):.0%}, {lang})"
            for lang in ("en", "mn")
        )
        + f"; true/false: {len(balance.true)} of {balance.true_false} true ({balance.true_share:.0%})"
    )
    if assessment:
        lines.append(f"  post-test questions shared with the pre-test: {len(shared_questions(assessment))}")
    if GLOSSARY_PATH.is_file():
        glossary = read_glossary()
        figures = []
        for lang in ("en", "mn"):
            use = glossary_use(course, glossary, lang)
            figures.append(f"{sum(1 for _slug, terms in use if terms)} of {len(use)} lessons ({lang})")
        lines.append("  lessons using a glossary term: " + ", ".join(figures))
    flagged = [lesson.slug for lesson in course.lessons if lesson.legal_review]
    if flagged:
        lines.append(f"  lessons marked for legal review: {', '.join(flagged)}")
    for module in course.modules:
        for lesson in module.lessons:
            en, mn = lesson.word_count("en"), lesson.word_count("mn")
            flag = "" if en >= 200 else "   <-- under 200 English words"
            lines.append(f"  {module.slug}/{lesson.slug}: {en} en words, {mn} mn words{flag}")
    return lines


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
        print("\n".join(describe(course)))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Benchmark: submitting and grading a 30-question quiz attempt (issue: assessments).

Builds a 30-question quiz (all six question types) in a throwaway database, gives N learners an
open attempt with every answer saved, then measures for each submit: the SQL queries, the time
of the grading service alone, and the time of the whole HTTP request (Django test client, no
network). Reports the median and the 95th percentile.

Usage (from the project folder, after `make setup`):
    .venv/bin/python benchmarks/quiz_submit.py [--learners 60]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python benchmarks/quiz_submit.py
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    ROOT,
    drop_database,
    percentile,
    prepare_environment,
)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--learners", type=int, default=60)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cpc-bench-"))
    env = {}
    try:
        env = prepare_environment(tmp)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        call_command("migrate", verbosity=0, interactive=False)
        call_command("setup_site", verbosity=0)
        from assessments import services
        from assessments.models import Question
        from courses import services as course_services
        from tests.assessments import helpers
        from tests.factories import UserFactory

        kinds = list(Question.Kind)
        questions = [helpers.question(kinds[n % len(kinds)], text=f"Q{n}") for n in range(30)]
        quiz = helpers.quiz(questions, pass_mark=50)
        built = helpers.course_with_quiz(quiz, lessons=1, quiz_position=0, slug="bench-quiz")
        lesson = built.lessons["en"][0]

        def right_answers(attempt):
            answers = {}
            for entry in attempt.layout:
                key = Question.objects.get(pk=entry["question"]).answer_key()
                kind = entry["kind"]
                if kind == "single_choice":
                    answers[entry["question"]] = {
                        "option": next(o["id"] for o in key["options"] if o["correct"])
                    }
                elif kind == "multiple_response":
                    answers[entry["question"]] = {
                        "options": [o["id"] for o in key["options"] if o["correct"]]
                    }
                elif kind == "true_false":
                    answers[entry["question"]] = {"value": key["answer"]}
                elif kind == "short_text":
                    answers[entry["question"]] = {"text": key["accepted"]["en"][0]}
                elif kind == "ordering":
                    answers[entry["question"]] = {"order": [o["id"] for o in key["options"]]}
                else:
                    answers[entry["question"]] = {"pairs": {o["id"]: o["id"] for o in key["options"]}}
            return answers

        service_ms, http_ms, queries = [], [], []
        for n in range(args.learners):
            user = UserFactory(email=f"bench{n}@example.mn")
            course_services.enrollment_create(user=user, course=built.mn)
            attempt = services.attempt_start(user=user, quiz=quiz, lesson=lesson)
            services.responses_save(user=user, attempt_id=attempt.pk, answers=right_answers(attempt))
            if n % 2 == 0:  # half through the service alone, half through the HTTP view
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    graded = services.attempt_submit(user=user, attempt_id=attempt.pk)
                    service_ms.append((time.perf_counter() - start) * 1000)
                queries.append(len(ctx))
                assert graded.score == 100.0, graded.score
            else:
                client = Client()
                client.force_login(user)
                start = time.perf_counter()
                response = client.post(f"/en/learn/attempts/{attempt.pk}/submit/", {})
                http_ms.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 302, response.status_code
        report = {
            "database": env["DATABASE_URL"].split(":", 1)[0],
            "questions": 30,
            "submits": args.learners,
            "queries_per_submit": sorted(set(queries)),
            "grading_service_ms": {
                "median": round(statistics.median(service_ms), 2),
                "p95": round(percentile(service_ms, 0.95), 2),
            },
            "http_submit_ms": {
                "median": round(statistics.median(http_ms), 2),
                "p95": round(percentile(http_ms, 0.95), 2),
            },
        }
        print(json.dumps(report, indent=2))
        out = ROOT / "benchmarks" / "results"
        out.mkdir(exist_ok=True)
        (out / "quiz_submit.json").write_text(json.dumps(report, indent=2))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        drop_database(env)


if __name__ == "__main__":
    sys.exit(main())

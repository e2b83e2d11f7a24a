"""What the assessments app stores about a person: their quiz attempts and answers."""

from .models import Question, QuizAttempt, QuizResponse

ERASED = "[removed at the learner's request]"


def export(user) -> dict:
    attempts = QuizAttempt.objects.filter(user=user).select_related("quiz").prefetch_related("responses")
    return {
        "quiz_attempts": [
            {
                "quiz": attempt.quiz.title_en or attempt.quiz.title_mn,
                "attempt": attempt.number,
                "status": attempt.status,
                "started_at": attempt.started_at.isoformat(),
                "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
                "score": attempt.score,
                "passed": attempt.passed,
                "answers": [
                    {
                        "question": response.question_id,
                        "answer": response.answer,
                        "fraction": response.fraction,
                    }
                    for response in attempt.responses.all()
                ],
            }
            for attempt in attempts
        ]
    }


def erase(user) -> None:
    """Typed answers may contain personal text; scores stay for the aggregates."""
    responses = QuizResponse.objects.filter(attempt__user=user, question__kind=Question.Kind.SHORT_TEXT)
    for response in responses:
        response.answer = {"text": ERASED}
    QuizResponse.objects.bulk_update(responses, ["answer"])

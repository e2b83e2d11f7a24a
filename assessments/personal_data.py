"""What the assessments app stores about a person: quiz attempts and answers, H5P results."""

from .models import (
    H5PAttempt,
    H5PQuestionResult,
    H5PStatement,
    H5PUserState,
    Question,
    QuizAttempt,
    QuizResponse,
)

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
        ],
        "h5p_attempts": [
            {
                "activity": attempt.activity.title,
                "attempt": attempt.number,
                "finished_at": attempt.finished_at.isoformat(),
                "raw": attempt.raw,
                "max": attempt.max,
                "scaled": attempt.scaled,
                "success": attempt.success,
                "questions": [
                    {"question": result.question, "response": result.response, "scaled": result.scaled}
                    for result in attempt.question_results.all()
                ],
            }
            for attempt in H5PAttempt.objects.filter(user=user)
            .select_related("activity")
            .prefetch_related("question_results")
        ],
        "h5p_statements": H5PStatement.objects.filter(user=user).count(),
    }


def erase(user) -> None:
    """Typed answers may contain personal text; scores stay for the aggregates."""
    responses = QuizResponse.objects.filter(attempt__user=user, question__kind=Question.Kind.SHORT_TEXT)
    for response in responses:
        response.answer = {"text": ERASED}
    QuizResponse.objects.bulk_update(responses, ["answer"])
    # H5P: what was typed and the raw statements go; attempts' scores stay.
    H5PQuestionResult.objects.filter(user=user).exclude(response="").update(response=ERASED)
    H5PStatement.objects.filter(user=user).delete()
    H5PUserState.objects.filter(user=user).delete()

"""How a refused learner action is answered, for every view of the learner's side.

A page's form gets the refusal page (the message and a way back); a script gets JSON
(``lms.http.wants_json``). The error
carries its HTTP status and readable message (``courses.errors.CourseActionError`` and the
errors of the apps above, which follow the same shape).
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from lms.http import wants_json


def refusal(request, error, back_url: str | None = None) -> HttpResponse:
    """The answer to an action that cannot be done: ``error`` has ``status`` and ``message``."""
    if wants_json(request):
        return JsonResponse({"error": str(error.message)}, status=error.status)
    return render(
        request,
        "courses/action_refused.html",
        {"message": error.message, "back_url": back_url},
        status=error.status,
    )

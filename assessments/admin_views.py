"""Staff screens in the Wagtail admin: quiz results with item analysis, and regrading a question."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import regrading, selectors, services
from .models import Question, Quiz, QuizAttempt

PERMISSION = "assessments.change_quiz"


def _require(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def quiz_results(request, quiz_id: int):
    """Attempts at one quiz with filters, the item analysis, and for a post-test the knowledge gain
    against its paired pre-test."""
    _require(request)
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    status = request.GET.get("status", "")
    passed = {"yes": True, "no": False}.get(request.GET.get("passed", ""))
    since, until = _date(request.GET.get("since", "")), _date(request.GET.get("until", ""))
    errors = []
    if (request.GET.get("since") and since is None) or (request.GET.get("until") and until is None):
        errors.append(_("Dates must look like 2026-03-31."))
    if since and until and until < since:
        errors.append(_("The end date is before the start date."))
    if status not in ("", QuizAttempt.Status.IN_PROGRESS, QuizAttempt.Status.SUBMITTED):
        errors.append(_("Unknown status."))
    attempts = (
        selectors.quiz_attempts(
            quiz=quiz,
            status=status or None,
            passed=passed,
            search=request.GET.get("q", "").strip()[:100],
            since=since,
            until=until,
        )
        if not errors
        else QuizAttempt.objects.none()
    )
    page = Paginator(attempts, 50).get_page(request.GET.get("page"))
    context = {
        "quiz": quiz,
        "page_obj": page,
        "summary": selectors.quiz_summary(quiz=quiz),
        "items": selectors.item_analysis(quiz=quiz),
        "errors": errors,
        "filters": request.GET,
    }
    if quiz.kind == Quiz.Kind.POST_TEST:
        context["gain"] = selectors.knowledge_gain(post_test=quiz)
        context["gain_rule"] = selectors.GAIN_RULE
    return render(request, "assessments/admin/quiz_results.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
def question_regrade(request, question_id: int):
    """Preview who a corrected answer key would change; apply it on confirmation."""
    _require(request)
    question = get_object_or_404(Question, pk=question_id)
    try:
        if request.method == "POST":
            try:
                expected = int(request.POST.get("expected_changes", ""))
            except ValueError:
                expected = -1
            plan = regrading.regrade_apply(question=question, by=request.user, expected_changes=expected)
            messages.success(
                request,
                _("Regraded %(count)s attempts; %(changed)s results changed.")
                % {"count": len(plan.rows), "changed": len(plan.changed)},
            )
            return redirect("assessments_admin:question_regrade", question.pk)
        plan = regrading.regrade_plan(question=question)
    except services.QuizActionError as error:
        return render(
            request,
            "assessments/admin/question_regrade.html",
            {"question": question, "plan": None, "error": error.message},
            status=409,
        )
    return render(
        request,
        "assessments/admin/question_regrade.html",
        {"question": question, "plan": plan, "logs": selectors.regrade_logs(question=question)},
    )

"""The quiz panel inside a lesson page."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .. import selectors

register = template.Library()


@register.inclusion_tag("assessments/includes/quiz_panel.html", takes_context=True)
def quiz_panel(context, quiz):
    request = context.get("request")
    user = getattr(request, "user", None)
    lesson_state = context.get("lesson_state")
    state = selectors.quiz_state_for_user(quiz=quiz, user=user) if user is not None else None
    return {
        "request": request,
        "quiz": quiz,
        "state": state,
        "page": context.get("page"),
        "enrolled": bool(lesson_state and lesson_state.is_enrolled),
        "user": user,
        "csrf_token": context.get("csrf_token"),
    }


_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EM = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


@register.filter
def inline_markdown(text: str):
    """Question texts may use **bold** and *italic*; everything else is escaped."""
    html = escape(text or "")
    html = _STRONG.sub(r"<strong>\1</strong>", html)
    html = _EM.sub(r"<em>\1</em>", html)
    return mark_safe(html.replace("\n", "<br>"))  # noqa: S308 - built from escaped text  # nosec B308 B703

"""The H5P player inside a lesson page: a sandboxed frame per activity (see
``assessments.h5p.frame``); the page itself keeps its strict Content Security Policy."""

from django import template

from ..h5p import selectors

register = template.Library()


@register.inclusion_tag("assessments/includes/h5p_player.html", takes_context=True)
def h5p_player(context, activity, completion=""):
    """One player for an H5P block (``completion``: the block's own rule, if any); the first on a
    page also brings the script that talks to the frames."""
    request = context.get("request")
    user = getattr(request, "user", None)
    lesson_state = context.get("lesson_state")
    page = context.get("page")
    enrolled = bool(lesson_state and lesson_state.is_enrolled and not getattr(request, "is_preview", False))
    shown = getattr(request, "h5p_players", [])
    if request is not None:
        request.h5p_players = [*shown, activity.pk]
    player = selectors.player_settings(
        activity=activity,
        lesson=page,
        user=user,
        enrolled=enrolled,
        repeat=shown.count(activity.pk),
        block_rule=completion or "",
    )
    results = (
        selectors.learner_results(activity=activity, user=user) if enrolled and user is not None else None
    )
    return {
        "player": player,
        "init_id": f"{player.dom_id}-init",
        "activity": activity,
        "results": results,
        "first": not shown,
        "enrolled": enrolled,
        "user": user,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }

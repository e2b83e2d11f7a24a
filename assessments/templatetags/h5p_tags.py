"""The H5P player inside a lesson page."""

from django import template
from django.conf import settings
from django.templatetags.static import static

from ..h5p import selectors

register = template.Library()


@register.inclusion_tag("assessments/includes/h5p_player.html", takes_context=True)
def h5p_player(context, activity):
    """One player; the first on a page also brings the player's scripts and relaxes the page's
    Content Security Policy just enough for it (see ``lms.security``)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    lesson_state = context.get("lesson_state")
    page = context.get("page")
    enrolled = bool(lesson_state and lesson_state.is_enrolled)
    shown = getattr(request, "h5p_players", [])
    if request is not None:
        request.h5p_players = [*shown, activity.pk]
    player = selectors.player_settings(
        activity=activity, lesson=page, user=user, enrolled=enrolled, repeat=shown.count(activity.pk)
    )
    player.options.update(
        {
            "frameJs": static("h5p-standalone/frame.bundle.js"),
            "frameCss": static("h5p-standalone/styles/h5p.css"),
            "customJs": [static("js/h5p-frame.js")],
            "saveFreq": settings.H5P_SAVE_SECONDS if enrolled else False,
            "fullScreen": True,
        }
    )
    results = (
        selectors.learner_results(activity=activity, user=user) if enrolled and user is not None else None
    )
    return {
        "player": player,
        "options_id": f"{player.dom_id}-options",
        "activity": activity,
        "results": results,
        "first": not shown,
        "enrolled": enrolled,
        "user": user,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }

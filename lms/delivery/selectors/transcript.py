"""Club delivery on a person's transcript (the programme reports' page about one learner)."""

from __future__ import annotations

from . import access
from .meetings import attended_meetings


def transcript_section(person) -> dict | None:
    """The template and context of the transcript's club delivery section (None: nothing to show)."""
    meetings = attended_meetings(person)
    clubs = list(
        access.clubs_of(person).select_related("kit", "organisation", "region").order_by("created_at")
    )
    if not meetings and not clubs:
        return None
    return {
        "template": "delivery/includes/transcript_section.html",
        "context": {
            "meetings": meetings,
            "clubs": clubs,
            "person": person,
            "lead_ids": {c.pk for c in clubs if c.facilitator_id == person.pk},
        },
    }

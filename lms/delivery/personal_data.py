"""What club delivery stores about a person (a facilitator, never a child), for their data export,
and what their account deletion erases: the session notes they typed. Counts stay for the reports."""

from .models import MeetingParticipant, SessionLog
from .selectors import access


def export(user) -> dict:
    clubs = access.clubs_of(user).select_related("kit", "organisation", "region")
    return {
        "clubs": [
            {
                "club": str(club),
                "role": "facilitator" if club.facilitator_id == user.pk else "co-facilitator",
                "district": club.region.name_en or club.region.name_mn,
                "status": club.status,
                "registered_at": club.created_at.isoformat(),
            }
            for club in clubs
        ],
        "sessions_logged": [
            {
                "club": log.club_id,
                "held_on": log.held_on.isoformat(),
                "duration_minutes": log.duration_minutes,
                "girls": log.girls,
                "boys": log.boys,
                "note": log.note,
                "needs_support": log.needs_support,
                "safeguarding_concern": log.safeguarding_concern,
            }
            for log in SessionLog.objects.filter(logged_by=user).order_by("held_on")
        ],
        "review_meetings": [
            {
                "meeting": str(row.meeting),
                "invited_at": row.invited_at.isoformat() if row.invited_at else None,
                "attended_at": row.attended_at.isoformat() if row.attended_at else None,
                "checked_in": row.checked_in,
            }
            for row in MeetingParticipant.objects.filter(person=user).select_related(
                "meeting", "meeting__kit", "meeting__region"
            )
        ],
    }


def erase(user) -> None:
    SessionLog.objects.filter(logged_by=user).exclude(note="").update(note="")

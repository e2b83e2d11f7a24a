"""Background work of club delivery: each task takes plain ids, fetches, calls one service."""

from celery import shared_task

from .services import alerts, meetings


@shared_task(name="delivery.safeguarding_alert_email")
def safeguarding_alert_email(alert_id: int) -> bool:
    return alerts.alert_email_send(alert_id=alert_id)


@shared_task(name="delivery.safeguarding_alerts_sweep")
def safeguarding_alerts_sweep() -> int:
    """Alerts whose email was not sent (a broker outage, a mail server down, nobody to tell yet)."""
    return sum(
        alerts.alert_email_send(alert_id=pk) for pk in alerts.alerts_unsent().values_list("pk", flat=True)
    )


@shared_task(name="delivery.meeting_email")
def meeting_email(meeting_id: int, person_ids: list[int], kind: str) -> int:
    return meetings.meeting_email_send(meeting_id=meeting_id, person_ids=person_ids, kind=kind)

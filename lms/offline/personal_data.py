"""What offline learning stores about a person, for their data export and account deletion."""

from .models import OfflinePaper, SyncedItem


def export(user) -> dict:
    return {
        "offline_items": [
            {
                "kind": item.kind,
                "happened_at": item.happened_at.isoformat(),
                "received_at": item.received_at.isoformat(),
                "status": item.status,
            }
            for item in SyncedItem.objects.filter(user=user).order_by("happened_at")
        ]
    }


def erase(user) -> None:
    SyncedItem.objects.filter(user=user).delete()
    OfflinePaper.objects.filter(user=user).delete()

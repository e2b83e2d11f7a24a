"""What the certificates app stores about a person."""

from .models import Certificate


def export(user) -> dict:
    return {
        "certificates": [
            {
                "code": c.code,
                "course": c.course_title_en or c.course_title_mn,
                "release": c.release_version,
                "completed_on": c.completed_on.isoformat(),
                "status": c.status,
                "issued_at": c.issued_at.isoformat(),
            }
            for c in Certificate.objects.filter(user=user)
        ]
    }

"""Build the things offline tests need: a device's queued items, a paper's answers from its page."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

from bs4 import BeautifulSoup
from django.urls import reverse

from courses import services as course_services
from courses.models import Enrollment
from lms.offline.models import OfflinePaper

# Work synced in these tests was done hours ago, offline: the enrolment and the papers it needed
# existed before (the server never dates work earlier than those).
BEFORE = timedelta(days=1)


def item(kind: str, at: datetime, **fields) -> dict:
    return {"id": str(uuid.uuid4()), "kind": kind, "at": at.isoformat(), **fields}


def sync(client, *items, language_prefix: str = "/en") -> tuple[int, dict]:
    response = client.post(
        language_prefix + reverse("offline:sync").removeprefix("/en"),
        data=json.dumps({"items": list(items)}),
        content_type="application/json",
    )
    return response.status_code, response.json()


def enrol(user, course):
    """An enrolment made a day ago."""
    enrollment = course_services.enrollment_create(user=user, course=course)
    Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=enrollment.enrolled_at - BEFORE)
    enrollment.refresh_from_db()
    return enrollment


def download(client, course_page) -> dict:
    """A download's list; its quiz papers dated a day back, as if downloaded then."""
    response = client.post(reverse("offline:download", args=[course_page.pk]), HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200, response.content[:300]
    listing = response.json()
    for paper in OfflinePaper.objects.filter(token__in=[p["token"] for p in listing["papers"]]):
        OfflinePaper.objects.filter(pk=paper.pk).update(created_at=paper.created_at - BEFORE)
    return listing


def right_answers(paper_html: str, right: str = "Right") -> list[list[str]]:
    """[name, value] pairs of a paper form choosing, in each question, the option labelled ``right``
    (in either language)."""
    soup = BeautifulSoup(paper_html, "html.parser")
    form = soup.select_one("form[data-offline-paper]")
    assert form is not None, "the paper page has the offline form"
    pairs = []
    for fieldset in form.select("fieldset.question"):
        for label in fieldset.select("label.choice"):
            if label.get_text(" ", strip=True) in (right, f"{right} (mn)"):
                field = label.select_one("input")
                pairs.append([field["name"], field["value"]])
    return pairs

"""Build the things offline tests need: a device's queued items, a paper's answers from its page."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from bs4 import BeautifulSoup
from django.urls import reverse


def item(kind: str, at: datetime, **fields) -> dict:
    return {"id": str(uuid.uuid4()), "kind": kind, "at": at.isoformat(), **fields}


def sync(client, *items, language_prefix: str = "/en") -> tuple[int, dict]:
    response = client.post(
        language_prefix + reverse("offline:sync").removeprefix("/en"),
        data=json.dumps({"items": list(items)}),
        content_type="application/json",
    )
    return response.status_code, response.json()


def download(client, course_page) -> dict:
    response = client.post(reverse("offline:download", args=[course_page.pk]), HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200, response.content[:300]
    return response.json()


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

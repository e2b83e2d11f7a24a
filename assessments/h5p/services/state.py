"""Saving where a learner is in a player (H5P's contentUserData)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.utils import timezone

from ..models import H5PActivity, H5PUserState
from ..xapi import TooDeep, parse_json
from .common import BadState, StateTooDeep, StateTooLarge
from .results import enrollment_for


def state_save(
    *,
    user,
    activity: H5PActivity,
    lesson_key: uuid.UUID,
    data_type: str,
    sub_content_id: str,
    data: str,
    preload: bool = False,
    invalidate: bool = False,
) -> bool:
    """Save where a learner is in a player; ``data == "0"`` deletes it (H5P's convention).

    Returns whether a state is now stored. Raises NotEnrolled, StateTooLarge or BadState.
    """
    if len(data.encode()) > settings.H5P_MAX_STATE_BYTES:
        raise StateTooLarge()
    enrollment_for(user=user, lesson_key=lesson_key, lock=False)
    where = {"activity": activity, "user": user, "data_type": data_type, "sub_content_id": sub_content_id}
    if data == "0":
        H5PUserState.objects.filter(**where).delete()
        return False
    if not data:
        raise BadState()
    try:
        parse_json(data)  # H5P saves JSON (H5P.setUserData stringifies); anything else is not its
    except TooDeep:
        raise StateTooDeep() from None
    except ValueError:
        raise BadState() from None
    H5PUserState.objects.update_or_create(
        **where,
        defaults={"data": data, "preload": preload, "invalidate": invalidate, "saved_at": timezone.now()},
    )
    return True

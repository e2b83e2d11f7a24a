"""Writes for courses, by sub-domain. Errors they raise live in ``courses.errors``.

- ``progress``: lesson visits, completion (the one path, ``lesson_complete``), the one completion
  step and the one reopen, review meetings, reading time.
- ``enrolment``: enrolling, and the congratulation email.
- ``releases``: publishing, rolling back, moving learners between releases.
- ``files``: keeping the files of restricted courses private.

Import from the package (``from courses import services``); ``releases`` builds on ``progress``,
nothing else imports a sibling.
"""

from .enrolment import (
    enrollment_completion_notify,
    enrollment_create,
)
from .files import (
    RestrictedFilesReport,
    restricted_files_sync,
)
from .progress import (
    MAX_TIME_PER_REPORT,
    VISIT_RECORD_INTERVAL,
    completion_rule_met_q,
    completion_withdraw,
    completions_record,
    enrollment_review_meeting_set,
    lesson_complete,
    lesson_reopen,
    lesson_time_add,
    lesson_visit,
    progress_reopen,
)
from .releases import (
    MOVE_CHUNK,
    enrollment_move,
    release_apply_policy,
    release_finalise,
    release_publish,
    release_rollback,
)

__all__ = [
    "MAX_TIME_PER_REPORT",
    "MOVE_CHUNK",
    "RestrictedFilesReport",
    "VISIT_RECORD_INTERVAL",
    "completion_rule_met_q",
    "completion_withdraw",
    "completions_record",
    "enrollment_completion_notify",
    "enrollment_create",
    "enrollment_move",
    "enrollment_review_meeting_set",
    "lesson_complete",
    "lesson_reopen",
    "lesson_time_add",
    "lesson_visit",
    "progress_reopen",
    "release_apply_policy",
    "release_finalise",
    "release_publish",
    "release_rollback",
    "restricted_files_sync",
]

"""Writes for H5P activities, by sub-domain: importing packages (``importing``), recording
results (``results``), saving a learner's place (``state``), removing what nothing uses
(``cleanup``); ``common`` holds where files go and the errors. Completing a lesson goes through
``courses.services.lesson_complete`` — the one completion path.
"""

from .cleanup import CleanupReport, h5p_cleanup
from .common import (
    INSTALL_PERMISSION,
    BadState,
    BadStatement,
    H5PError,
    OtherLearner,
    PackageRefused,
    StateTooDeep,
    StateTooLarge,
    activity_iri,
    h5p_limits,
    h5p_root,
)
from .importing import activity_import, blocked_hosts, media_report, revision_pinned
from .results import (
    Recorded,
    activity_grade,
    effective_rule,
    enrollment_for,
    learner_actor,
    player_error_record,
    rule_can_be_met,
    statements_clean,
    statements_record,
    suggested_rule,
)
from .state import state_save

__all__ = [
    "INSTALL_PERMISSION",
    "BadState",
    "BadStatement",
    "CleanupReport",
    "H5PError",
    "OtherLearner",
    "PackageRefused",
    "Recorded",
    "StateTooDeep",
    "StateTooLarge",
    "activity_grade",
    "activity_import",
    "activity_iri",
    "blocked_hosts",
    "effective_rule",
    "enrollment_for",
    "h5p_cleanup",
    "h5p_limits",
    "h5p_root",
    "learner_actor",
    "media_report",
    "player_error_record",
    "revision_pinned",
    "rule_can_be_met",
    "state_save",
    "statements_clean",
    "statements_record",
    "suggested_rule",
]

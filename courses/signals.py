"""Named signals through which course news flows to the apps above (certificates, reports)."""

from django.dispatch import Signal

# Sent after the transaction that completed a course commits. Keyword argument: enrollment_id.
course_completed = Signal()

# Sent after a commit that took a completed course back to in progress (a regrade removed a pass).
course_reopened = Signal()

# Sent after the transaction that published a release commits. Keyword arguments: release_id, policy.
release_published = Signal()

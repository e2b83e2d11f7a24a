"""What every H5P write shares: where files go, the activity's xAPI IRI, the errors."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from courses import errors as course_errors

from ..package import MB, Limits

INSTALL_PERMISSION = "assessments.install_h5plibrary"


# --- where files go --------------------------------------------------------------------------------


def h5p_root() -> Path:
    """The private folder holding packages, extracted content and libraries."""
    return Path(settings.H5P_ROOT) if settings.H5P_ROOT else Path(settings.PRIVATE_MEDIA_ROOT) / "h5p"


def h5p_limits() -> Limits:
    """Package limits from the settings (``H5P_MAX_*``)."""
    return Limits(
        max_package_bytes=settings.H5P_MAX_PACKAGE_MB * MB,
        max_total_uncompressed_bytes=settings.H5P_MAX_UNCOMPRESSED_MB * MB,
        max_files=settings.H5P_MAX_FILES,
        max_compression_ratio=settings.H5P_MAX_COMPRESSION_RATIO,
    )


def activity_iri(activity_id: int) -> str:
    """The activity's xAPI IRI: ``object.id`` of its statements (sub-content adds a query)."""
    return f"{settings.SITE_URL}/h5p/activities/{activity_id}"


# --- errors ----------------------------------------------------------------------------------------


class H5PError(course_errors.CourseActionError):
    """An H5P action that cannot be done; carries an HTTP status and a readable message."""


class PackageRefused(H5PError):
    """A package that cannot be imported; ``problems`` lists every reason."""

    status = 400

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(self.problems[0] if len(self.problems) == 1 else "; ".join(self.problems))


class BadStatement(H5PError):
    status = 400


class OtherLearner(H5PError):
    status = 403
    message = _("These statements are about another learner.")


class StateTooLarge(H5PError):
    status = 413
    message = _("The saved state is too large.")


class BadState(H5PError):
    status = 400
    message = _("The saved state is not valid.")


class StateTooDeep(H5PError):
    status = 400
    message = _("The saved state is nested too deeply.")

"""The lessons of a release that are marked for legal review, for editors and reviewers."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from courses.models import CourseRelease

from .selectors import legal_reviews_in_release


def release_legal_review(request, release_id: int):
    if not (
        request.user.has_perm("courses.view_courserelease")
        or request.user.has_perm("courses.change_courserelease")
    ):
        raise PermissionDenied
    release = get_object_or_404(CourseRelease.objects.select_related("course"), pk=release_id)
    language = "mn" if (get_language() or "").startswith("mn") else "en"
    flagged = legal_reviews_in_release(release=release, language=language)
    return render(
        request,
        "curricula/admin/release_legal_review.html",
        {"release": release, "flagged": flagged, "language": language},
    )

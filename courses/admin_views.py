"""A published release, read-only: what it contains, what it changed, who moved to it."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from .models import CourseRelease, ReleaseMove
from .selectors import release_changes


def release_detail(request, release_id: int):
    if not request.user.has_perm("courses.change_courserelease") and not request.user.has_perm(
        "courses.view_courserelease"
    ):
        raise PermissionDenied
    release = get_object_or_404(
        CourseRelease.objects.select_related("course", "published_by", "source_release"), pk=release_id
    )
    return render(
        request,
        "courses/admin/release_detail.html",
        {
            "release": release,
            "changes": release_changes(course=release.course, release=release),
            "moves": ReleaseMove.objects.filter(to_release=release).count(),
        },
    )

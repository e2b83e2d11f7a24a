"""Who may do what in club delivery.

The one place here that asks the courses' access decision (``kit_open_to``): when the platform's
single access selector lands, this is the line to switch.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from courses import selectors as course_selectors
from courses.models import CourseCompletion, Enrollment

from ..models import Club, Kit

VIEW_ALL = "delivery.view_all_clubs"
MANAGE_MEETINGS = "delivery.manage_review_meetings"
FOLLOW_UP_ALERTS = "delivery.change_safeguardingalert"


def kit_open_to(*, user, kit: Kit) -> bool:
    """Whether the person may see the kit's course at all (audience, two-factor): the courses' decision."""
    return course_selectors.course_is_visible_to(user=user, course=kit.course)


def sees_all_clubs(user) -> bool:
    """Programme managers (and administrators) see every club; facilitators only their own."""
    return user.is_authenticated and user.has_perm(VIEW_ALL)


def manages_meetings(user) -> bool:
    return user.is_authenticated and user.has_perm(MANAGE_MEETINGS)


def trained_kit_ids(user) -> set[int]:
    """The kits whose course this person completed (any release, ever): they may run its clubs."""
    if not user.is_authenticated:
        return set()
    courses = CourseCompletion.objects.filter(enrollment__user=user).values("enrollment__course")
    return set(Kit.objects.filter(course__in=courses).values_list("pk", flat=True))


def kits_for_registration(user) -> list[Kit]:
    """Kits open for new clubs that this person was trained on and may see."""
    trained = trained_kit_ids(user)
    kits = Kit.objects.filter(pk__in=trained, is_active=True).select_related("course")
    return [kit for kit in kits if kit_open_to(user=user, kit=kit)]


def enrolled_kit_ids(user) -> set[int]:
    """Kits whose course the person is taking or took: they may attend its review meetings."""
    courses = Enrollment.objects.filter(user=user).values("course")
    return set(Kit.objects.filter(course__in=courses).values_list("pk", flat=True))


def clubs_of(user) -> QuerySet[Club]:
    """The clubs a person runs, as facilitator or co-facilitator."""
    if not user.is_authenticated:
        return Club.objects.none()
    ids = Club.objects.filter(Q(facilitator=user) | Q(co_facilitators=user)).values("pk")
    return Club.objects.filter(pk__in=ids)


def runs_club(user, club: Club) -> bool:
    """Facilitators and co-facilitators of a club share it: each may see and change it."""
    if not user.is_authenticated:
        return False
    return club.facilitator_id == user.pk or club.co_facilitators.filter(pk=user.pk).exists()


def may_see_club(user, club: Club) -> bool:
    return runs_club(user, club) or sees_all_clubs(user)


def may_change_club(user, club: Club) -> bool:
    """Only the people running a club change it; managers read (their changes would not be the club's)."""
    return runs_club(user, club)

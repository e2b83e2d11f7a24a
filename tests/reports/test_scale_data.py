"""generate_scale_data makes a consistent data set the reports can count, once."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from assessments.models import QuizAttempt
from courses.models import CourseCompletion, Enrollment, LessonProgress
from lms.accounts.models import User
from lms.reports import selectors
from lms.reports.scale import DOMAIN
from lms.reports.selectors import Filters
from tests.factories import build_course


def test_a_small_data_set_is_consistent_and_made_once(site, capsys):
    with pytest.raises(CommandError, match="load_curricula"):
        call_command("generate_scale_data", "--learners", "10")
    courses = [build_course(lessons=4, slug=f"scale-{n}") for n in range(2)]
    course_ids = {built.mn.pk for built in courses}
    call_command("generate_scale_data", "--learners", "120", "--seed", "7")
    output = capsys.readouterr().out
    assert "learners: 120" in output

    people = User.objects.filter(email__endswith="@" + DOMAIN)
    assert people.count() == 120 and not any(p.has_usable_password() for p in people[:20])
    assert people.exclude(region=None).count() == 120  # everyone is somewhere
    enrollments = Enrollment.objects.filter(user__in=people)
    assert 120 <= enrollments.count() <= 240
    completed = enrollments.filter(completed_at__isnull=False)
    assert CourseCompletion.objects.filter(enrollment__in=enrollments).count() == completed.count() > 0
    # A completed enrolment has progress on every lesson; nobody has progress without starting.
    per_completed = set(
        LessonProgress.objects.filter(enrollment__in=completed)
        .values("enrollment")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    assert per_completed == {4}
    assert not LessonProgress.objects.filter(enrollment__in=enrollments.filter(started_at=None)).exists()
    assert not enrollments.filter(completed_at__lt=F("enrolled_at")).exists()
    # The reports count them: everyone who completed is a person trained.
    headline = selectors.headline(Filters())
    assert headline["people_trained"] == completed.values("user").distinct().count()
    assert sum(row["enrolled"] for row in selectors.course_table(Filters())) == enrollments.count()
    assert set(enrollments.values_list("course", flat=True)) == course_ids  # both courses, nothing else

    with pytest.raises(CommandError, match="already here"):
        call_command("generate_scale_data", "--learners", "5")
    call_command("generate_scale_data", "--remove")
    assert not User.objects.filter(email__endswith="@" + DOMAIN).exists()
    assert not QuizAttempt.objects.exists() and not Enrollment.objects.exists()

"""Programme figures, computed by the database: people trained, completion, knowledge gain, rosters.

Definitions (also shown on the page):
- **Enrolled, started, completed** follow the enrolments made in the period (a cohort): of those,
  how many started and how many completed by the end of the period.
- **People trained** counts unique persons who completed a course within the period, whenever
  they enrolled. A person who completes two courses is one person overall and one per course.
- **Knowledge gain**: per enrolment of the cohort with both a pre-test and a post-test, the score
  of its first pre-test attempt against the score of its first post-test attempt. Retakes count
  for passing and completion, never for the gain (``assessments.selectors.knowledge_gain_sums``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from assessments.selectors import gain_summary, knowledge_gain_sums
from courses.models import CourseCompletion, CoursePage, CourseRelease, Enrollment, LessonProgress
from lms.accounts.models import Organisation, Region, User

SUPPRESS_BELOW = 5

# (code, label, lowest age, highest age); ages on 1 January of the period's last year.
AGE_BANDS = [
    ("under_25", _("Under 25"), None, 24),
    ("25_34", _("25–34"), 25, 34),
    ("35_44", _("35–44"), 35, 44),
    ("45_54", _("45–54"), 45, 54),
    ("55_plus", _("55 and over"), 55, None),
    ("unknown", _("Not stated"), None, None),
]

BREAKDOWNS = {
    "region": (_("Aimag or district"), "user__region"),
    "organisation_kind": (_("Organisation type"), "user__organisation__kind"),
    "organisation": (_("Organisation"), "user__organisation"),
    "role": (_("Role"), "user__role"),
    "sex": (_("Sex"), "user__sex"),
    "age_band": (_("Age"), None),
}


@dataclass(frozen=True)
class Filters:
    start: dt.date | None = None
    end: dt.date | None = None
    course: CoursePage | None = None
    release: CourseRelease | None = None
    role: str = ""
    organisation_kind: str = ""
    organisation: Organisation | None = None
    region: Region | None = None
    sex: str = ""
    age_band: str = ""
    suppress: bool = False

    @property
    def reference_year(self) -> int:
        return (self.end or timezone.localdate()).year

    def _start_at(self):
        return _midnight(self.start) if self.start else None

    def _end_before(self):
        return _midnight(self.end + dt.timedelta(days=1)) if self.end else None

    def in_period(self, field: str) -> Q:
        q = Q()
        if self.start:
            q &= Q(**{f"{field}__gte": self._start_at()})
        if self.end:
            q &= Q(**{f"{field}__lt": self._end_before()})
        return q

    def by_period_end(self, field: str) -> Q:
        return Q(**{f"{field}__lt": self._end_before()}) if self.end else Q(**{f"{field}__isnull": False})

    def people(self, prefix: str) -> Q:
        """The person filters, on a user reached through ``prefix`` (e.g. ``"user__"``)."""
        q = Q()
        if self.role:
            q &= Q(**{f"{prefix}role": self.role})
        if self.sex:
            q &= Q(**{f"{prefix}sex": self.sex})
        if self.region:
            q &= Q(**{f"{prefix}region": self.region})
        if self.organisation:
            q &= Q(**{f"{prefix}organisation": self.organisation})
        if self.organisation_kind:
            q &= Q(**{f"{prefix}organisation__kind": self.organisation_kind})
        if self.age_band:
            q &= _age_q(prefix, self.age_band, self.reference_year)
        return q


def _midnight(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _age_q(prefix: str, band: str, year: int) -> Q:
    for code, _label, low, high in AGE_BANDS:
        if code == band:
            if code == "unknown":
                return Q(**{f"{prefix}birth_year__isnull": True})
            q = Q(**{f"{prefix}birth_year__isnull": False})
            if low is not None:
                q &= Q(**{f"{prefix}birth_year__lte": year - low})
            if high is not None:
                q &= Q(**{f"{prefix}birth_year__gte": year - high})
            return q
    raise ValueError(band)


def _age_band_expression(prefix: str, year: int):
    whens = []
    for code, _label, _low, _high in AGE_BANDS:
        if code != "unknown":
            whens.append(When(_age_q(prefix, code, year), then=Value(code)))
    return Case(*whens, default=Value("unknown"), output_field=CharField())


def report_courses() -> QuerySet[CoursePage]:
    """Courses are counted once, on their default-language page (where learner data is kept)."""
    return CoursePage.objects.filter(locale=Locale.get_default()).order_by("path")


# --- the querysets everything else counts ------------------------------------------------------------


def cohort(filters: Filters) -> QuerySet[Enrollment]:
    """Enrolments made in the period by the people and courses filtered."""
    qs = Enrollment.objects.filter(filters.people("user__"), filters.in_period("enrolled_at"))
    if filters.course:
        qs = qs.filter(course=filters.course)
    if filters.release:
        qs = qs.filter(release=filters.release)
    return qs


def completions(filters: Filters) -> QuerySet[CourseCompletion]:
    """Completions within the period by the people and courses filtered."""
    qs = CourseCompletion.objects.filter(
        filters.people("enrollment__user__"), filters.in_period("completed_at")
    )
    if filters.course:
        qs = qs.filter(enrollment__course=filters.course)
    if filters.release:
        qs = qs.filter(release=filters.release)
    return qs


def _release_q(filters: Filters, field: str) -> Q:
    return Q(**{field: filters.release}) if filters.release else Q()


def _cohort_completions(filters: Filters) -> QuerySet[CourseCompletion]:
    """Completions, by the end of the period, of the cohort's enrolments."""
    qs = CourseCompletion.objects.filter(
        filters.people("enrollment__user__"),
        filters.in_period("enrollment__enrolled_at"),
        filters.by_period_end("completed_at"),
    )
    if filters.course:
        qs = qs.filter(enrollment__course=filters.course)
    if filters.release:
        qs = qs.filter(enrollment__release=filters.release)
    return qs


# --- the dashboard -----------------------------------------------------------------------------------


def headline_from(course_rows: list[dict], breakdown_rows: list[dict]) -> dict:
    """The totals, summed from tables already counted: every breakdown is an attribute of the person
    (one region, one sex…), so its groups split people without overlap, and every enrolment
    belongs to one course. Equal to ``headline`` without two more queries."""
    return {
        "people_enrolled": sum(row["people_enrolled"] for row in breakdown_rows),
        "enrolments": sum(row["enrolled"] for row in course_rows),
        "people_trained": sum(row["people_trained"] for row in breakdown_rows),
    }


def headline(filters: Filters) -> dict:
    enrolled = cohort(filters).aggregate(people=Count("user", distinct=True), enrolments=Count("id"))
    trained = completions(filters).aggregate(people=Count("enrollment__user", distinct=True))
    return {
        "people_enrolled": enrolled["people"],
        "enrolments": enrolled["enrolments"],
        "people_trained": trained["people"],
    }


def _median_days(filters: Filters) -> dict[int, float]:
    """Median days from enrolment to first completion, per course, for the cohort."""
    duration = ExpressionWrapper(
        F("completed_at") - F("enrollment__enrolled_at"), output_field=DurationField()
    )
    qs = _cohort_completions(filters).annotate(took=duration)
    if connection.vendor == "postgresql":
        from .aggregates import Median

        rows = (
            qs.values("enrollment__course")
            .annotate(median=Median("took"))
            .values_list("enrollment__course", "median")
        )
        return {course: _days(median) for course, median in rows}
    medians = {}
    for course, count in (
        qs.values("enrollment__course").annotate(n=Count("id")).values_list("enrollment__course", "n")
    ):
        ordered = qs.filter(enrollment__course=course).order_by("took").values_list("took", flat=True)
        middle = list(ordered[(count - 1) // 2 : count // 2 + 1])
        medians[course] = _days(sum(middle, dt.timedelta()) / len(middle))
    return medians


def _days(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return round(value.total_seconds() / 86400, 1)
    return round(float(value) / 86400, 1)  # seconds (PostgreSQL's percentile over an epoch)


def gains(filters: Filters, breakdown: str | None = None) -> list[dict]:
    """Knowledge-gain sums of the cohort by course (and by the breakdown), in one query; both the
    course table and the breakdown table are summed from it."""
    dimensions = ["course"] + ([_dimension(breakdown, "user__", filters)] if breakdown else [])
    return knowledge_gain_sums(cohort(filters), *dimensions)


def course_table(filters: Filters, gain_sums: list[dict] | None = None) -> list[dict]:
    """One row per course: enrolled, started, completed, rate, median days, people trained, gain."""
    counts = {
        row["course"]: row
        for row in cohort(filters)
        .values("course")
        .annotate(
            enrolled=Count("id"),
            started=Count("id", filter=filters.by_period_end("started_at")),
        )
    }
    # Completions of the cohort and people trained in the period, from one pass over completions.
    cohort_done = filters.in_period("enrollment__enrolled_at") & filters.by_period_end("completed_at")
    in_period = filters.in_period("completed_at")
    both = CourseCompletion.objects.filter(filters.people("enrollment__user__"))
    if filters.course:
        both = both.filter(enrollment__course=filters.course)
    if filters.release:  # the cohort is the version's enrolments; people trained, its completions
        both = both.filter(Q(enrollment__release=filters.release) | Q(release=filters.release))
    if filters.start or filters.end:
        both = both.filter(cohort_done | in_period)
    completed, trained = {}, {}
    for course, done, people in (
        both.values("enrollment__course")
        .annotate(
            done=Count(
                "enrollment", distinct=True, filter=cohort_done & _release_q(filters, "enrollment__release")
            ),
            people=Count(
                "enrollment__user", distinct=True, filter=in_period & _release_q(filters, "release")
            ),
        )
        .values_list("enrollment__course", "done", "people")
    ):
        completed[course], trained[course] = done, people
    medians = _median_days(filters)
    by_course = gain_summary(gain_sums if gain_sums is not None else gains(filters), 0)
    courses = report_courses()
    if filters.course:
        courses = courses.filter(pk=filters.course.pk)
    rows = []
    for course in courses:
        enrolled = counts.get(course.pk, {}).get("enrolled", 0)
        done = completed.get(course.pk, 0)
        gain = by_course.get(course.pk, {})
        rows.append(
            {
                "course": course,
                "key": course.pk,
                "label": course.title,
                "enrolled": enrolled,
                "started": counts.get(course.pk, {}).get("started", 0),
                "completed": done,
                "completion_rate": round(done / enrolled, 4) if enrolled else None,
                "median_days": medians.get(course.pk),
                "people_trained": trained.get(course.pk, 0),
                "gain": gain,
            }
        )
    return rows


def _labels(breakdown: str, filters: Filters) -> dict:
    if breakdown == "region":
        return {r.pk: r.name for r in Region.objects.all()}
    if breakdown == "organisation":
        return {o.pk: o.name for o in Organisation.objects.all()}
    if breakdown == "organisation_kind":
        return dict(Organisation.Kind.choices)
    if breakdown == "role":
        return dict(User.Role.choices)
    if breakdown == "sex":
        return dict(User.Sex.choices)
    return {code: label for code, label, _low, _high in AGE_BANDS}


def _dimension(breakdown: str, prefix: str, filters: Filters):
    path = BREAKDOWNS[breakdown][1]
    if path is None:
        return _age_band_expression(prefix, filters.reference_year)
    return F(prefix + path.removeprefix("user__")) if prefix != "user__" else F(path)


def breakdown_table(filters: Filters, breakdown: str, gain_sums: list[dict] | None = None) -> list[dict]:
    """People enrolled, people trained and knowledge gain per value of one breakdown."""
    if breakdown not in BREAKDOWNS:
        raise ValueError(breakdown)
    enrolled = dict(
        cohort(filters)
        .annotate(report_key=_dimension(breakdown, "user__", filters))
        .values("report_key")
        .annotate(n=Count("user", distinct=True))
        .values_list("report_key", "n")
    )
    trained = dict(
        completions(filters)
        .annotate(report_key=_dimension(breakdown, "enrollment__user__", filters))
        .values("report_key")
        .annotate(n=Count("enrollment__user", distinct=True))
        .values_list("report_key", "n")
    )
    by_key = gain_summary(gain_sums if gain_sums is not None else gains(filters, breakdown), 1)
    labels = _labels(breakdown, filters)
    keys = [key for key in labels if key in enrolled or key in trained]
    keys += [key for key in {*enrolled, *trained} if key not in labels]  # e.g. no region given (None)
    rows = [
        {
            "key": key,
            "label": labels.get(key, _("Not stated")),
            "people_enrolled": enrolled.get(key, 0),
            "people_trained": trained.get(key, 0),
            "gain": by_key.get(key, {}),
        }
        for key in keys
    ]
    rows.sort(key=lambda row: (-row["people_trained"], -row["people_enrolled"], str(row["label"])))
    return rows


def target_progress(filters: Filters) -> list[dict]:
    """Targets overlapping the period (all, without one), with the people trained toward each."""
    from .models import Target

    targets = Target.objects.select_related("course").order_by("start", "course__path", "pk")
    if filters.course:
        targets = targets.filter(course=filters.course)
    if filters.start:
        targets = targets.filter(end__gte=filters.start)
    if filters.end:
        targets = targets.filter(start__lte=filters.end)
    rows = []
    for target in targets:
        trained = completions(
            Filters(start=target.start, end=target.end, course=target.course, role=target.role)
        ).aggregate(n=Count("enrollment__user", distinct=True))["n"]
        rows.append(
            {
                "target": target,
                "label": str(target.course.title),
                "people": target.people,
                "trained": trained,
                "share": round(trained / target.people, 4) if target.people else None,
            }
        )
    return rows


# --- rosters and transcripts -------------------------------------------------------------------------


ROSTER_COLUMNS = [
    ("name", _("Name")),
    ("role", _("Role")),
    ("organisation", _("Organisation")),
    ("region", _("Aimag or district")),
    ("course", _("Course")),
    ("version", _("Version")),
    ("enrolled", _("Enrolled")),
    ("progress", _("Required lessons done")),
    ("status", _("Status")),
    ("completed", _("Completed")),
]


def roster(filters: Filters) -> QuerySet[Enrollment]:
    """Who is enrolled (in the period) and where they are: one row per enrolment."""
    return (
        cohort(filters)
        .select_related("user", "user__organisation", "user__region", "course", "release")
        .order_by("user__organisation__name_mn", "user__full_name", "user_id", "course__path")
    )


def roster_values(filters: Filters):
    """The roster as plain tuples for exports (one query, read in chunks, nothing held in memory)."""
    roles, statuses = dict(User.Role.choices), dict(Enrollment.Status.choices)
    rows = (
        cohort(filters)
        .order_by("user__organisation__name_mn", "user__full_name", "user_id", "course__path")
        .values_list(
            "user__full_name",
            "user__email",
            "user__role",
            "user__organisation__name_mn",
            "user__region__name_mn",
            "course__title",
            "release__version",
            "enrolled_at",
            "completed_lessons",
            "release__required_lesson_count",
            "status",
            "completed_at",
        )
    )
    for (
        name,
        email,
        role,
        organisation,
        region,
        course,
        version,
        enrolled,
        done,
        required,
        status,
        completed,
    ) in rows.iterator(chunk_size=2000):
        yield [
            name or email,
            str(roles.get(role, role)),
            organisation or "",
            region or "",
            course,
            version or "",
            timezone.localtime(enrolled).date().isoformat() if enrolled else "",
            f"{done}/{required or 0}",
            str(statuses.get(status, status)),
            timezone.localtime(completed).date().isoformat() if completed else "",
        ]


def transcript(user: User) -> dict:
    """Everything a manager may see about one learner's training: no quiz answers, only scores."""
    from assessments.models import QuizAttempt
    from certificates.models import Certificate

    enrollments = list(
        Enrollment.objects.filter(user=user).select_related("course", "release").order_by("enrolled_at")
    )
    lessons_done = dict(
        LessonProgress.objects.filter(enrollment__user=user, completed_at__isnull=False)
        .values("enrollment")
        .annotate(n=Count("id"))
        .values_list("enrollment", "n")
    )
    attempts = (
        QuizAttempt.objects.filter(user=user, status=QuizAttempt.Status.SUBMITTED)
        .select_related("quiz")
        .only(
            "quiz__title_mn",
            "quiz__title_en",
            "quiz__kind",
            "number",
            "score",
            "passed",
            "submitted_at",
            "enrollment_id",
        )
        .order_by("submitted_at")
    )
    certificates = Certificate.objects.filter(enrollment__user=user).order_by("issued_at")
    return {
        "person": user,
        "enrollments": [
            {
                "enrollment": e,
                "lessons_done": lessons_done.get(e.pk, 0),
                "attempts": [a for a in attempts if a.enrollment_id == e.pk],
            }
            for e in enrollments
        ],
        "certificates": list(certificates),
    }


def suppressed(value, filters: Filters):
    """Counts of 1 to 4 people hidden as "<5" when the report leaves the programme."""
    if filters.suppress and isinstance(value, int) and 0 < value < SUPPRESS_BELOW:
        return f"<{SUPPRESS_BELOW}"
    return value

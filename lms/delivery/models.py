"""Club delivery: the clubs trained facilitators run, what they deliver, and their review meetings.

Privacy: nothing here describes a child. Clubs keep counts of members (by sex and age band) per
term, sessions keep counts of attendance, and a safeguarding concern is a flag that alerts the
programme's safeguarding lead, never a description. Every field that could hold free text is
listed with its reason in ``privacy.TEXT_FIELDS`` (a test fails on any other).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from lms.accounts.models import BilingualNameMixin

# Children are counted by sex and by age band, never listed.
SEXES = [("girls", _("Girls")), ("boys", _("Boys"))]
AGE_BANDS = [
    ("under_12", _("Under 12")),
    ("12_14", _("12–14")),
    ("15_17", _("15–17")),
    ("18_plus", _("18 and over")),
]
MEMBERSHIP_FIELDS = [f"{sex}_{band}" for sex, _label in SEXES for band, _band_label in AGE_BANDS]
MAX_CLUB_MEMBERS = 500  # a club is a group, not a school: larger numbers are typing mistakes


class Kit(BilingualNameMixin):
    """A club training kit (Smart Navigator…): a course whose trained facilitators run clubs."""

    course = models.OneToOneField(
        "courses.CoursePage",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("facilitator course"),
        limit_choices_to={"locale__language_code": settings.LANGUAGE_CODE},
        help_text=_("Facilitators who completed this course may register clubs with the kit."),
    )
    is_active = models.BooleanField(
        _("open for new clubs"), default=True, help_text=_("Existing clubs keep running either way.")
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("name_mn"),
        FieldPanel("name_en"),
        FieldPanel("course", widget=forms.Select),
        FieldRowPanel([FieldPanel("is_active"), FieldPanel("sort_order")]),
    ]

    class Meta:
        ordering = ["sort_order", "name_mn"]
        verbose_name = _("club kit")
        verbose_name_plural = _("club kits")

    def clean(self):
        if self.course_id and self.course.locale.language_code != settings.LANGUAGE_CODE:
            raise ValidationError(
                {"course": _("Choose the Mongolian course page (learner data is kept there).")}
            )


class Term(BilingualNameMixin):
    """A school term: membership is recorded once per club and term, and children are counted so."""

    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    panels = [
        FieldPanel("name_mn"),
        FieldPanel("name_en"),
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
    ]

    class Meta:
        ordering = ["-start"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="term_end_after_start"
            ),
        ]

    def clean(self):
        if self.start and self.end:
            if self.end < self.start:
                raise ValidationError({"end": _("The last day comes before the first day.")})
            overlapping = Term.objects.filter(start__lte=self.end, end__gte=self.start).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(
                    _("Terms cannot overlap: %(term)s already covers some of these days.")
                    % {"term": overlapping.first()}
                )

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class Club(models.Model):
    """A Children and Youth club: one kit, run at a school or TVET centre by trained facilitators."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Running")
        CLOSED = "closed", _("Closed")

    kit = models.ForeignKey(Kit, on_delete=models.PROTECT, related_name="clubs", verbose_name=_("kit"))
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="clubs",
        verbose_name=_("school or TVET centre"),
    )
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, related_name="clubs", verbose_name=_("district")
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="clubs_led",
        verbose_name=_("facilitator"),
    )
    co_facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="clubs_co_facilitated",
        verbose_name=_("co-facilitators"),
    )
    first_term = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="+", verbose_name=_("first term")
    )
    # The club's number among the clubs of this kit at this organisation (1, 2…), for its label.
    number = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"))
    updated_at = models.DateTimeField(_("changed at"))

    class Meta:
        ordering = ["kit__sort_order", "organisation__name_mn", "number"]
        verbose_name = _("club")
        verbose_name_plural = _("clubs")
        permissions = [
            ("view_all_clubs", _("Can see every club and the club delivery report")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kit", "organisation", "number"], name="club_unique_number"),
        ]

    def __str__(self) -> str:
        label = f"{self.kit.name} · {self.organisation.name}"
        return f"{label} · {self.number}" if self.number > 1 else label

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class ClubMembership(models.Model):
    """How many children a club has in one term, by sex and age band (counts only)."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="memberships")
    term = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("term")
    )
    girls_under_12 = models.PositiveSmallIntegerField(_("girls under 12"), default=0)
    girls_12_14 = models.PositiveSmallIntegerField(_("girls 12–14"), default=0)
    girls_15_17 = models.PositiveSmallIntegerField(_("girls 15–17"), default=0)
    girls_18_plus = models.PositiveSmallIntegerField(_("girls 18 and over"), default=0)
    boys_under_12 = models.PositiveSmallIntegerField(_("boys under 12"), default=0)
    boys_12_14 = models.PositiveSmallIntegerField(_("boys 12–14"), default=0)
    boys_15_17 = models.PositiveSmallIntegerField(_("boys 15–17"), default=0)
    boys_18_plus = models.PositiveSmallIntegerField(_("boys 18 and over"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["club", "-term__start"]
        verbose_name = _("club membership")
        verbose_name_plural = _("club memberships")
        constraints = [
            models.UniqueConstraint(fields=["club", "term"], name="membership_once_per_club_and_term"),
        ]

    def __str__(self) -> str:
        return f"{self.club_id}/{self.term_id}: {self.total}"

    @property
    def girls(self) -> int:
        return sum(getattr(self, f"girls_{band}") for band, _label in AGE_BANDS)

    @property
    def boys(self) -> int:
        return sum(getattr(self, f"boys_{band}") for band, _label in AGE_BANDS)

    @property
    def total(self) -> int:
        return self.girls + self.boys


class SessionLog(models.Model):
    """One club session as delivered: which session plan of the kit, when, how long, how many came."""

    club = models.ForeignKey(Club, on_delete=models.PROTECT, related_name="sessions")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="sessions")
    # The session plan: the release it was chosen from, the lesson holding it, and its place there.
    release = models.ForeignKey("courses.CourseRelease", on_delete=models.PROTECT, related_name="+")
    lesson_key = models.UUIDField()
    plan_index = models.PositiveSmallIntegerField(default=0)
    held_on = models.DateField(_("date"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    girls = models.PositiveSmallIntegerField(_("girls who attended"), default=0)
    boys = models.PositiveSmallIntegerField(_("boys who attended"), default=0)
    needs_support = models.BooleanField(_("I would like support with this session"), default=False)
    note = models.TextField(_("note"), max_length=300, blank=True)
    safeguarding_concern = models.BooleanField(_("a safeguarding concern came up"), default=False)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on", "-logged_at"]
        verbose_name = _("session log")
        verbose_name_plural = _("session logs")
        constraints = [
            models.UniqueConstraint(
                fields=["club", "held_on", "lesson_key", "plan_index"], name="session_logged_once"
            ),
            models.CheckConstraint(
                condition=models.Q(girls__gt=0) | models.Q(boys__gt=0), name="session_has_attendance"
            ),
        ]
        indexes = [
            models.Index(fields=["held_on"], name="session_held_on_idx"),
            models.Index(fields=["club", "term"], name="session_club_term_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.club_id} {self.held_on:%Y-%m-%d}"

    @property
    def attended(self) -> int:
        return self.girls + self.boys


class SafeguardingAlert(models.Model):
    """A facilitator flagged a safeguarding concern at a session: the lead follows it up in person.

    The alert names the club, the session and the facilitator to call; never the child or what
    happened (that is told to the lead directly, and to the helpline 108 or the police 102)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for follow-up")
        FOLLOWED_UP = "followed_up", _("Followed up")

    session = models.OneToOneField(SessionLog, on_delete=models.PROTECT, related_name="alert")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    # Claimed by whoever is sending the email now (a lease, see lms/outbox.py).
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)

    class Meta:
        ordering = ["status", "-raised_at"]
        verbose_name = _("safeguarding alert")
        verbose_name_plural = _("safeguarding alerts")
        permissions = [("receive_safeguarding_alerts", _("Receives safeguarding alerts by email"))]

    def __str__(self) -> str:
        return f"{self.session_id} ({self.status})"


class ReviewMeeting(models.Model):
    """A quality review meeting of a kit's facilitators in a district, in person or online."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    kit = models.ForeignKey(Kit, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("kit"))
    region = models.ForeignKey(
        "accounts.Region",
        on_delete=models.PROTECT,
        related_name="review_meetings",
        verbose_name=_("district"),
    )
    mode = models.CharField(_("how"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=120)
    venue = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online meeting link"), max_length=300, blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("organiser")
    )
    check_in_code = models.CharField(_("check-in code"), max_length=12, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    minutes = models.TextField(_("minutes"), max_length=5000, blank=True)
    minutes_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        permissions = [("manage_review_meetings", _("Can schedule review meetings and take attendance"))]

    def __str__(self) -> str:
        return f"{self.kit.name} · {self.region.name} · {self.starts_at:%Y-%m-%d}"

    @property
    def ends_at(self):
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class MeetingParticipant(models.Model):
    """A facilitator invited to a review meeting, and whether (and how) they attended."""

    class CheckIn(models.TextChoices):
        CODE = "code", _("Checked in with the code")
        ORGANISER = "organiser", _("Marked by the organiser")

    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_meetings"
    )
    invited_at = models.DateTimeField(null=True, blank=True)
    invitation_emailed_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    checked_in = models.CharField(max_length=10, choices=CheckIn.choices, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["person__full_name", "person__email"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="participant_once_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.person_id}"


class DeliveryTarget(models.Model):
    """How many clubs a kit should have running, and how many children they should reach, in a period."""

    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="targets", verbose_name=_("kit"))
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    clubs = models.PositiveIntegerField(_("clubs running"), null=True, blank=True)
    children = models.PositiveIntegerField(_("children reached"), null=True, blank=True)

    panels = [
        FieldPanel("kit"),
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
        FieldRowPanel([FieldPanel("clubs"), FieldPanel("children")]),
    ]

    class Meta:
        ordering = ["start", "kit__sort_order"]
        verbose_name = _("delivery target")
        verbose_name_plural = _("delivery targets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="delivery_target_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kit.name}: {self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end comes before the start.")})
        if self.clubs is None and self.children is None:
            raise ValidationError(_("Give a number of clubs, of children, or both."))

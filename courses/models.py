"""Courses as Wagtail pages, their releases, and each learner's enrolment and progress.

Learner data is keyed on the canonical course page (the default-locale page) and on each
lesson's ``translation_key``, so a learner can switch language mid-course and lose nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import DraftStateMixin, LockableMixin, Page, RevisionMixin, WorkflowMixin
from wagtail.search import index

from lms.http import is_offline_download
from lms.i18n import bilingual

from .blocks import RICH_TEXT_FEATURES, LessonStreamBlock, blocks_complete_lesson
from .routing import RouteChainMixin


class AudienceMixin:
    """Course pages and everything under them exist only for the course's audience."""

    def serve(self, request, *args, **kwargs):
        self.refuse_outsiders(request)
        return super().serve(request, *args, **kwargs)

    def refuse_outsiders(self, request) -> None:
        """Ask the one access decision; outsiders get a 404, members without two-factor sign-in
        are sent to set it up. Previews are the admin's (which checks its own permissions)."""
        if getattr(request, "is_preview", False):
            return
        from . import selectors

        selectors.access_for(user=request.user, page=self).enforce()

    def get_sitemap_urls(self, request=None):
        from . import selectors

        if selectors.page_audience(self) is not None:
            return []  # the sitemap is public: restricted courses are not in it
        return super().get_sitemap_urls(request)


class CourseIndexPage(RouteChainMixin, Page):
    """The catalogue: lists the courses a person may take, with their progress."""

    intro = RichTextField(blank=True, features=RICH_TEXT_FEATURES, verbose_name=_("introduction"))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1
    template = "courses/course_index_page.html"

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context["courses"] = selectors.catalogue_for_user(index_page=self, user=request.user)
        return context


class CoursePage(AudienceMixin, RouteChainMixin, Page):
    """One curriculum (a training kit or a set of modules) that learners enrol in."""

    class Audience(models.TextChoices):
        OPEN = "open", _("Open to everyone")
        RESTRICTED = "restricted", _("Restricted to the groups below (invisible to everyone else)")

    class CompletionRule(models.TextChoices):
        ALL_REQUIRED = "all_required", _("Complete every required lesson")
        # Blended training (lms.delivery): the lessons online, then one review meeting in person or
        # online; lms.delivery records the attendance through ``enrollment_review_meeting_set``.
        WITH_REVIEW_MEETING = (
            "with_review_meeting",
            _("Complete every required lesson and attend a review meeting"),
        )

    summary = models.TextField(
        _("summary"), max_length=400, help_text=_("One or two sentences for the catalogue.")
    )
    description = RichTextField(_("description"), blank=True, features=RICH_TEXT_FEATURES)
    estimated_hours = models.DecimalField(_("estimated hours"), max_digits=5, decimal_places=1, default=1)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.OPEN)
    audience_groups = ParentalManyToManyField(
        "auth.Group",
        blank=True,
        related_name="+",
        verbose_name=_("audience groups"),
        help_text=_(
            "For a restricted course: the groups whose members may see and take it. With no group, "
            "only administrators can see it."
        ),
    )
    completion_rule = models.CharField(
        _("completion rule"),
        max_length=20,
        choices=CompletionRule.choices,
        default=CompletionRule.ALL_REQUIRED,
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("default pass mark (%)"), default=70, help_text=_("Used by quizzes that do not set their own.")
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("estimated_hours"),
                FieldPanel("audience"),
                FieldPanel("completion_rule"),
                FieldPanel("pass_mark"),
            ],
            heading=_("Course settings"),
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("description")]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]
    template = "courses/course_page.html"

    class Meta:
        verbose_name = _("course")

    @property
    def is_restricted(self) -> bool:
        return self.audience == self.Audience.RESTRICTED

    @property
    def requires_review_meeting(self) -> bool:
        return self.completion_rule == self.CompletionRule.WITH_REVIEW_MEETING

    @property
    def hours(self) -> int:
        """Estimated hours as a whole number (at least 1), for "about N hours"."""
        return max(1, round(self.estimated_hours or 0))

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context["outline"] = selectors.course_outline_for_user(course=self, user=request.user)
        context["catalogue"] = self.route_ancestors()[-1]
        return context


class ModulePage(AudienceMixin, RouteChainMixin, Page):
    """A group of lessons within a course."""

    summary = models.TextField(_("summary"), blank=True, max_length=400)

    content_panels = Page.content_panels + [FieldPanel("summary")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]
    template = "courses/module_page.html"

    class Meta:
        verbose_name = _("module")

    def serve(self, request, *args, **kwargs):
        # A module has no page of its own: its lessons are listed on the course page.
        from django.shortcuts import redirect

        self.refuse_outsiders(request)
        return redirect(self.get_parent().get_url(request) + f"#module-{self.pk}")

    def get_sitemap_urls(self, request=None):
        return []  # modules redirect to their course


class LessonPage(AudienceMixin, RouteChainMixin, Page):
    """One lesson: what a learner reads, watches and does, then marks complete."""

    body = StreamField(LessonStreamBlock(), verbose_name=_("body"))
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=15)
    required = models.BooleanField(
        _("required for completion"),
        default=True,
        help_text=_("Optional lessons do not count toward completing the course."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("estimated_minutes"), FieldPanel("required")], heading=_("Lesson settings")
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []
    template = "courses/lesson_page.html"

    class Meta:
        verbose_name = _("lesson")

    @property
    def completes_by_activity(self) -> bool:
        """Whether a quiz or an H5P activity (whose content can meet its rule) in the lesson
        decides its completion."""
        return blocks_complete_lesson(list(self.body.raw_data))

    @property
    def completes_by_pre_test(self) -> bool:
        """Whether the lesson's quiz is a pre-test, completed by taking it whatever the score."""
        return any(
            block.block_type == "quiz" and getattr(block.value["quiz"], "is_pre_test", False)
            for block in self.body
        )

    @property
    def completes_by_h5p(self) -> bool:
        """Whether an H5P activity (rather than a quiz) decides its completion."""
        return blocks_complete_lesson([block for block in self.body.raw_data if block.get("type") == "h5p"])

    def route(self, request, path_components):
        # A lesson removed from the current release stays readable for learners of older releases.
        if not path_components and not self.live:
            from . import selectors

            if selectors.lesson_in_users_release(lesson=self, user=request.user):
                from wagtail.url_routing import RouteResult

                return RouteResult(self)
        return super().route(request, path_components)

    def serve(self, request, *args, **kwargs):
        """Serve the lesson as the viewer's release has it (their enrolment's, else the current one)."""
        self.refuse_outsiders(request)
        if getattr(request, "is_preview", False):
            return super(AudienceMixin, self).serve(request, *args, **kwargs)
        from . import selectors

        state = selectors.lesson_state_for_user(lesson=self, user=request.user)
        if state.revision_id is None:
            raise Http404  # not part of the release this person follows
        page = self
        if state.release_differs(self):
            page = state.released_page(self)
        request._cpc_lesson_state = state
        return Page.serve(page, request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from . import selectors, services

        context = super().get_context(request, *args, **kwargs)
        state = getattr(request, "_cpc_lesson_state", None) or selectors.lesson_state_for_user(
            lesson=self, user=request.user
        )
        if (
            state.enrollment is not None
            and not getattr(request, "is_preview", False)
            and not is_offline_download(request)
        ):
            services.lesson_visit(
                enrollment=state.enrollment, lesson_key=self.translation_key, progress=state.progress
            )
        context["lesson_state"] = state
        context["page_translations"] = state.translations
        # The course and the module, for the breadcrumb and the "go to the course" link.
        context["breadcrumbs"] = [page for page in self.route_ancestors() if page.depth >= self.depth - 2]
        return context


class CourseRelease(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, models.Model):
    """A version of a course ("Smart Navigator 1.1"): which revision of every lesson and quiz
    belongs to it, its release notes, and who moves to it. Prepared as a draft by an editor,
    approved by a reviewer in a workflow, then frozen."""

    class Policy(models.TextChoices):
        NOBODY = "nobody", _("Nobody moves: learners finish the version they started")
        NOT_STARTED = "not_started", _("Learners who have not started yet move")
        EVERYONE = "everyone", _("Everyone moves, keeping progress on lessons that did not change")

    course = models.ForeignKey(
        CoursePage,
        on_delete=models.PROTECT,
        related_name="releases",
        verbose_name=_("course"),
        limit_choices_to={"locale__language_code": settings.LANGUAGE_CODE},
    )
    version = models.CharField(_("version"), max_length=20, help_text=_("For example 1.1 or 2.0."))
    notes_mn = models.TextField(_("release notes (Mongolian)"), blank=True)
    notes_en = models.TextField(_("release notes (English)"), blank=True)
    policy = models.CharField(
        _("who moves to this version"), max_length=12, choices=Policy.choices, default=Policy.NOBODY
    )
    source_release = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("roll back to"),
        help_text=_(
            "Leave empty to release the course as it stands now. Choose an earlier version to "
            "publish its content again as this new version."
        ),
    )
    is_current = models.BooleanField(_("current release"), default=False, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # {activity id: {"revision": package revision number, "title": ...}}: the H5P files it plays.
    h5p_pins = models.JSONField(default=dict, editable=False)
    lesson_count = models.PositiveIntegerField(default=0, editable=False)
    required_lesson_count = models.PositiveIntegerField(default=0, editable=False)
    # {quiz id: {"revision": quiz revision id, "questions": {question id: revision id}}}
    quiz_pins = models.JSONField(default=dict, editable=False)
    # {module translation key: {language: revision id}}: the module titles this release shows.
    module_revisions = models.JSONField(default=dict, editable=False)
    moves_total = models.PositiveIntegerField(default=0, editable=False)
    moves_done = models.PositiveIntegerField(default=0, editable=False)
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="course_release")

    class Meta:
        verbose_name = _("course release")
        verbose_name_plural = _("course releases")
        ordering = ["course", "-published_at"]
        get_latest_by = "published_at"
        constraints = [
            models.UniqueConstraint(fields=["course", "version"], name="release_unique_version"),
            models.UniqueConstraint(
                fields=["course"], condition=models.Q(is_current=True), name="release_one_current_per_course"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.title} {self.version}"

    @property
    def revisions(self):
        return self._revisions

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def state(self) -> str:
        """Where the release stands, in words: draft, awaiting approval, current or superseded."""
        if self.is_published:
            return _("current") if self.is_current else _("superseded")
        return _("awaiting approval") if self.workflow_in_progress else _("draft")

    state.short_description = _("state")

    def notes(self, language: str) -> str:
        return bilingual(self, "notes", language)

    def clean(self):
        super().clean()
        if self.pk:
            frozen = CourseRelease.objects.filter(pk=self.pk, published_at__isnull=False).exists()
            if frozen:
                raise ValidationError(
                    _("A published release cannot be changed. Prepare a new release instead.")
                )
        if self.source_release_id and self.source_release.course_id != self.course_id:
            raise ValidationError({"source_release": _("Choose an earlier version of the same course.")})
        if self.source_release_id and not self.source_release.is_published:
            raise ValidationError({"source_release": _("Only a published version can be rolled back to.")})
        if (
            self.course_id
            and not self.source_release_id
            and not LessonPage.objects.descendant_of(self.course).exists()
        ):
            raise ValidationError({"course": _("The course has no lessons to release.")})


class ReleaseLesson(models.Model):
    """A lesson as it stands in one release: its place, whether it is required, its revision."""

    class Completion(models.TextChoices):
        MANUAL = "manual", _("The learner marks it complete")
        ACTIVITY = "activity", _("Its activity completes it (a passed quiz, an H5P activity)")

    release = models.ForeignKey(CourseRelease, on_delete=models.CASCADE, related_name="lessons")
    lesson_key = models.UUIDField(_("lesson translation key"))
    module_key = models.UUIDField(_("module translation key"))
    position = models.PositiveIntegerField()
    required = models.BooleanField(default=True)
    completion = models.CharField(max_length=10, choices=Completion.choices, default=Completion.MANUAL)
    # {language code: revision id} of the lesson page in each language, as released.
    revisions = models.JSONField(default=dict)
    # Changes whenever the lesson's text or its quiz changes; equal hashes mean "nothing to redo".
    content_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["release", "position"]
        constraints = [
            models.UniqueConstraint(fields=["release", "lesson_key"], name="release_lesson_unique"),
            models.UniqueConstraint(fields=["release", "position"], name="release_lesson_unique_position"),
        ]
        indexes = [models.Index(fields=["lesson_key"], name="release_lesson_key_idx")]

    def __str__(self) -> str:
        return f"{self.release_id}#{self.position}"


class Enrollment(models.Model):
    """A learner taking a course, pinned to one release of it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In progress")
        COMPLETED = "completed", _("Completed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("learner"),
    )
    course = models.ForeignKey(
        CoursePage, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("course")
    )
    release = models.ForeignKey(
        CourseRelease, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("release")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(_("enrolled at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    # Kept by the courses services so progress and completion never recount the course.
    completed_lessons = models.PositiveIntegerField(_("required lessons completed"), default=0)
    last_lesson_key = models.UUIDField(null=True, blank=True)
    # The first review meeting attended for this course (kept by lms.delivery through
    # services.enrollment_review_meeting_set); a course may require one for completion.
    review_meeting_attended_at = models.DateTimeField(_("review meeting attended"), null=True, blank=True)
    # The congratulation email: sent (the mail server took it), and claimed by whoever is sending
    # it now (a lease, see lms/outbox.py).
    completion_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    completion_notify_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enrollment_unique_user_course"),
            models.CheckConstraint(
                condition=models.Q(status="active", completed_at__isnull=True)
                | models.Q(status="completed", completed_at__isnull=False),
                name="enrollment_completed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["course", "status"], name="enrollment_course_status_idx"),
            models.Index(fields=["completed_at"], name="enrollment_completed_at_idx"),
            # Programme reports count enrolments by period.
            models.Index(fields=["enrolled_at"], name="enrollment_enrolled_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.course_id}"

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def awaits_review_meeting(self) -> bool:
        """Whether the course still waits for a review meeting (needs ``course`` loaded)."""
        return (
            not self.is_completed
            and self.review_meeting_attended_at is None
            and self.course.requires_review_meeting
        )

    @property
    def percent(self) -> int:
        """Whole percent of required lessons completed (needs ``release`` loaded)."""
        total = self.release.required_lesson_count
        if not total:
            return 100 if self.is_completed else 0
        return min(100, (100 * self.completed_lessons) // total)


class LessonProgress(models.Model):
    """One learner's progress on one lesson of the course they are enrolled in."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    lesson_key = models.UUIDField(_("lesson translation key"))
    started_at = models.DateTimeField(_("started at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    time_spent_seconds = models.PositiveIntegerField(_("time spent (seconds)"), default=0)
    # When reading time was last reported: a report never counts more than the time since then.
    last_beat_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "lesson_key"], name="progress_unique_lesson"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}:{self.lesson_key}"


class ReleaseMove(models.Model):
    """A learner moved from one release of a course to another: by a release's policy, or by choice."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="moves")
    from_release = models.ForeignKey(CourseRelease, on_delete=models.PROTECT, related_name="+")
    to_release = models.ForeignKey(CourseRelease, on_delete=models.PROTECT, related_name="+")
    moved_at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(max_length=20)  # "policy" | "learner"
    reopened_lessons = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-moved_at"]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.from_release_id} → {self.to_release_id}"


class CourseCompletion(models.Model):
    """A completion of one release of a course, kept even if the learner later moves to a newer one."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="completions")
    release = models.ForeignKey(CourseRelease, on_delete=models.PROTECT, related_name="completions")
    completed_at = models.DateTimeField()

    class Meta:
        ordering = ["-completed_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "release"], name="completion_once_per_release"),
        ]
        indexes = [models.Index(fields=["completed_at"], name="completion_completed_at_idx")]

    def __str__(self) -> str:
        return f"{self.enrollment_id} completed {self.release_id}"


class RestrictedFile(models.Model):
    """An image or document used only inside restricted courses: stored under a name nobody can
    derive, outside the public media folder, and served only to people the access decision lets
    into one of those courses. Kept up to date by ``courses.services.restricted_files_sync``."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("image")
        DOCUMENT = "document", _("document")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    # Translation keys of the restricted courses that use it: any of their audiences may see it.
    course_keys = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("restricted file")
        verbose_name_plural = _("restricted files")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="restricted_file_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"

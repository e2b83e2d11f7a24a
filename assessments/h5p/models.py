"""H5P activities: shared libraries, imported packages, learners' attempts, results and state.

Imported by ``assessments.models`` (Django finds the models there). Scores here come from the
learner's browser (the H5P player reports them): they are recorded and used for completion, but
a course that certifies should also require a server-graded quiz.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index

from .. import grading


class H5PLibrary(models.Model):
    """One H5P library (machine name and major.minor), stored once and shared by every package.

    A newer patch version replaces the files of the same major.minor (H5P's own rule: patches
    are compatible), in a new folder, so cached copies of the old files are never mixed in.
    """

    machine_name = models.CharField(_("machine name"), max_length=255)
    major = models.PositiveIntegerField(_("major version"))
    minor = models.PositiveIntegerField(_("minor version"))
    patch = models.PositiveIntegerField(_("patch version"), default=0)
    title = models.CharField(_("title"), max_length=255, blank=True)
    runnable = models.BooleanField(default=False)
    # Relative to the H5P storage folder: libraries/<machineName>-<major>.<minor>.<patch>-<random>
    folder = models.CharField(max_length=400, editable=False)
    library_json = models.JSONField(default=dict, editable=False)
    installed_at = models.DateTimeField(_("installed"))
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["machine_name", "major", "minor"]
        verbose_name = _("H5P library")
        verbose_name_plural = _("H5P libraries")
        constraints = [
            models.UniqueConstraint(
                fields=["machine_name", "major", "minor"], name="h5p_library_unique_version"
            )
        ]
        permissions = [
            (
                "install_h5plibrary",
                _("Can install H5P library code (JavaScript that runs on the site) from a package"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.machine_name} {self.major}.{self.minor}.{self.patch}"

    @property
    def key(self) -> str:
        """The folder name the player asks for: ``<machineName>-<major>.<minor>``."""
        return f"{self.machine_name}-{self.major}.{self.minor}"


class H5PActivity(index.Indexed, models.Model):
    """An imported H5P package that lessons show with the H5P block, with its completion rules."""

    class CompletionRule(models.TextChoices):
        VIEWED = "viewed", _("Viewed: opening the activity is enough")
        ANSWERED = "answered", _("Answered: answering a question in it is enough")
        COMPLETED = "completed", _("Completed: finishing the activity is enough")
        PASSED = "passed", _("Passed: the score must reach the pass mark")

    Grading = grading.Grading  # shared with quizzes (assessments.grading)

    title = models.CharField(_("title"), max_length=255)
    main_library = models.ForeignKey(
        H5PLibrary, on_delete=models.PROTECT, related_name="main_of", verbose_name=_("main library")
    )
    libraries = models.ManyToManyField(H5PLibrary, related_name="activities", blank=True)
    # Relative to the H5P storage folder: the uploaded file, and the folder it was extracted to.
    package = models.CharField(max_length=400, editable=False)
    content_folder = models.CharField(max_length=400, editable=False)
    revision = models.PositiveIntegerField(default=1, editable=False)
    # Changes whenever the code of one of its libraries changes: library URLs carry it.
    libraries_token = models.CharField(max_length=32, editable=False)
    h5p_json = models.JSONField(default=dict, editable=False)
    # What the current revision's content is made of, and the hosts its media come from.
    content_types = models.JSONField(default=list, editable=False)
    external_hosts = models.JSONField(default=list, editable=False)
    graded = models.BooleanField(
        _("graded"),
        default=True,
        help_text=_("Untick for content that gives no score (a presentation, a video without questions)."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=70, validators=[MaxValueValidator(100)]
    )
    # Empty on upload: the rule suggested for the content type (a score to reach, else viewed).
    completion_rule = models.CharField(
        _("the lesson is complete when"),
        max_length=10,
        choices=CompletionRule.choices,
        blank=True,
        default="",
        help_text=_(
            "Leave empty for the rule that suits the content: passed when it gives a score, viewed "
            "otherwise. A lesson block can choose another rule."
        ),
    )
    grading_method = models.CharField(
        _("grading method"), max_length=10, choices=Grading.choices, default=Grading.HIGHEST
    )
    uploaded_at = models.DateTimeField(_("uploaded"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    panels = [
        FieldPanel("title"),
        MultiFieldPanel(
            [
                FieldPanel("graded"),
                FieldRowPanel([FieldPanel("completion_rule"), FieldPanel("pass_mark")]),
                FieldPanel("grading_method"),
            ],
            heading=_("Completion and grading"),
        ),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        ordering = ["title"]
        verbose_name = _("H5P activity")
        verbose_name_plural = _("H5P activities")

    def __str__(self) -> str:
        return self.title

    @property
    def needs_pass(self) -> bool:
        return self.graded and self.completion_rule == self.CompletionRule.PASSED


class H5PPackageRevision(models.Model):
    """One uploaded file of an activity, kept while a course release pins it (learners on that
    release keep playing it) or while it is the activity's current file."""

    activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="package_revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=255)
    main_library = models.ForeignKey(H5PLibrary, on_delete=models.PROTECT, related_name="+")
    libraries = models.ManyToManyField(H5PLibrary, related_name="package_revisions", blank=True)
    package = models.CharField(max_length=400)
    content_folder = models.CharField(max_length=400)
    libraries_token = models.CharField(max_length=32)
    h5p_json = models.JSONField(default=dict)
    content_types = models.JSONField(default=list)
    external_hosts = models.JSONField(default=list)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["activity", "number"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "number"], name="h5p_package_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} r{self.number}"


class H5PPlayerError(models.Model):
    """A player that failed to start in a learner's browser, as the page reported it (for staff)."""

    activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="player_errors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    package_revision = models.PositiveIntegerField(null=True, blank=True)
    message = models.CharField(max_length=500)
    user_agent = models.CharField(max_length=300, blank=True)
    count = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen"]
        indexes = [models.Index(fields=["activity", "-last_seen"], name="h5p_player_error_idx")]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.message[:60]}"


class H5PStatement(models.Model):
    """An xAPI statement as the player sent it, with the actor replaced, an id and a timestamp."""

    statement_id = models.UUIDField(unique=True)
    activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="statements")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="h5p_statements"
    )
    lesson_key = models.UUIDField()
    verb = models.CharField(max_length=255)
    object_iri = models.CharField(max_length=600)
    sub_content_id = models.CharField(max_length=64, blank=True)
    top_level = models.BooleanField()
    data = models.JSONField()
    stored_at = models.DateTimeField()

    class Meta:
        ordering = ["stored_at", "pk"]
        indexes = [models.Index(fields=["activity", "user"], name="h5p_statement_learner_idx")]

    def __str__(self) -> str:
        return f"{self.verb.rsplit('/', 1)[-1]} {self.object_iri}"


class H5PAttempt(models.Model):
    """One play of an activity to its end (a top-level answered or completed statement)."""

    activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="h5p_attempts")
    enrollment = models.ForeignKey(
        "courses.Enrollment", on_delete=models.SET_NULL, null=True, blank=True, related_name="h5p_attempts"
    )
    lesson_key = models.UUIDField()
    number = models.PositiveIntegerField()
    statement = models.OneToOneField(H5PStatement, on_delete=models.SET_NULL, null=True, related_name="+")
    verb = models.CharField(max_length=20)
    # Answers inside a container that has not ended yet: the score so far, from its questions.
    open = models.BooleanField(default=False)
    # The whole activity's maximum, as the player reported it with the answers: an open
    # attempt is scored out of it (not out of the questions answered so far).
    whole_max = models.FloatField(null=True, blank=True)
    package_revision = models.PositiveIntegerField(null=True, blank=True)
    # Null for ungraded content (max score 0 or no score): no score rather than a score of 0.
    raw = models.FloatField(null=True, blank=True)
    max = models.FloatField(null=True, blank=True)
    scaled = models.FloatField(null=True, blank=True)
    success = models.BooleanField(null=True)  # decided here from scaled and the pass mark
    completion = models.BooleanField(null=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    pass_mark = models.PositiveSmallIntegerField()
    finished_at = models.DateTimeField()

    class Meta:
        ordering = ["activity", "user", "number"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "user", "number"], name="h5p_attempt_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.user_id}#{self.number}"

    @property
    def percent(self) -> float | None:
        return None if self.scaled is None else round(self.scaled * 100, 1)


class H5PQuestionResult(models.Model):
    """A learner's answer to one question inside a container (Question Set, Interactive Video…).

    Kept without an attempt until the container's own top-level statement ends the attempt.
    """

    activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="question_results")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    attempt = models.ForeignKey(
        H5PAttempt, on_delete=models.CASCADE, null=True, blank=True, related_name="question_results"
    )
    statement = models.OneToOneField(H5PStatement, on_delete=models.SET_NULL, null=True, related_name="+")
    sub_content_id = models.CharField(max_length=64)
    # The container the question sits in, when that is itself inside the activity (a Question
    # Set inside a Column): its own score is not counted again with its questions'.
    parent_sub_content_id = models.CharField(max_length=64, blank=True)
    question = models.CharField(max_length=500, blank=True)
    interaction_type = models.CharField(max_length=40, blank=True)
    response = models.TextField(blank=True)
    raw = models.FloatField(null=True, blank=True)
    max = models.FloatField(null=True, blank=True)
    scaled = models.FloatField(null=True, blank=True)
    success = models.BooleanField(null=True)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["answered_at", "pk"]
        indexes = [models.Index(fields=["activity", "user", "attempt"], name="h5p_result_learner_idx")]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.user_id}:{self.sub_content_id}"


class H5PUserState(models.Model):
    """Where a learner left off in a player (H5P's contentUserData), to resume it."""

    activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="user_states")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="h5p_states")
    data_type = models.CharField(max_length=64)
    sub_content_id = models.CharField(max_length=64)
    data = models.TextField()
    preload = models.BooleanField(default=False)
    invalidate = models.BooleanField(default=False)  # forget it when the package is replaced
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user", "data_type", "sub_content_id"], name="h5p_state_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.user_id}:{self.data_type}/{self.sub_content_id}"

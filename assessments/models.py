"""Quizzes: a bilingual question bank, quizzes built from it, and learners' attempts.

A question keeps both languages in one object, so there is one answer key whatever language
the learner reads. Options are StreamField items: their ids stay stable across edits, and an
attempt refers to them by id. An attempt records the revision of every question it showed and
the order it showed the options in; grading reads the answer key from those revisions. The page
names options by per-attempt tokens, never by their ids (``assessments.layout``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import DraftStateMixin, LockableMixin, Orderable, RevisionMixin
from wagtail.search import index

from lms.i18n import bilingual

from . import grading


class QuestionCategory(models.Model):
    """A topic in the question bank; random quizzes draw N questions per category."""

    name_mn = models.CharField(_("name (Mongolian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    panels = [FieldPanel("name_mn"), FieldPanel("name_en"), FieldPanel("slug")]

    class Meta:
        ordering = ["name_mn"]
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self, "name")


class QuestionTag(TaggedItemBase):
    content_object = ParentalKey(
        "assessments.Question", on_delete=models.CASCADE, related_name="tagged_items"
    )


class OptionBlock(blocks.StructBlock):
    """One option (or ordering item, or matching pair) of a question, in both languages."""

    text_mn = blocks.CharBlock(label=_("Text (Mongolian)"), max_length=500)
    text_en = blocks.CharBlock(label=_("Text (English)"), max_length=500, required=False)
    correct = blocks.BooleanBlock(
        label=_("Correct"),
        required=False,
        help_text=_("Single choice and multiple response: a right answer."),
    )
    match_mn = blocks.CharBlock(
        label=_("Matches (Mongolian)"),
        max_length=500,
        required=False,
        help_text=_("Matching questions only: the right-hand side paired with this item."),
    )
    match_en = blocks.CharBlock(label=_("Matches (English)"), max_length=500, required=False)
    feedback_mn = blocks.CharBlock(
        label=_("Feedback (Mongolian)"),
        max_length=500,
        required=False,
        help_text=_("Shown to a learner who chose this option."),
    )
    feedback_en = blocks.CharBlock(label=_("Feedback (English)"), max_length=500, required=False)

    class Meta:
        icon = "tick"
        label = _("Option")


class Question(DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, ClusterableModel):
    """A question in the bank, with its answer key, feedback and explanation in mn and en."""

    class Kind(models.TextChoices):
        SINGLE = "single_choice", _("Single choice")
        MULTIPLE = "multiple_response", _("Multiple response")
        TRUE_FALSE = "true_false", _("True or false")
        SHORT_TEXT = "short_text", _("Short text")
        ORDERING = "ordering", _("Ordering")
        MATCHING = "matching", _("Matching")

    class PartialCredit(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", _("All or nothing: full marks only for exactly the right options")
        RIGHT_MINUS_WRONG = (
            "right_minus_wrong",
            _("Right minus wrong: each right option adds, each wrong option takes away (never below zero)"),
        )
        PER_OPTION = "per_option", _("Per option: a share of the marks for every option judged correctly")

    category = models.ForeignKey(
        QuestionCategory, on_delete=models.PROTECT, related_name="questions", verbose_name=_("category")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.SINGLE)
    text_mn = models.TextField(_("question (Mongolian)"))
    text_en = models.TextField(_("question (English)"), blank=True)
    options = StreamField(
        [("option", OptionBlock())],
        blank=True,
        verbose_name=_("options"),
        help_text=_(
            "Choice questions: the options, with the right ones ticked. Ordering: the items in the "
            "right order. Matching: each item with what it matches."
        ),
    )
    true_false_answer = models.BooleanField(_("the statement is true"), null=True, blank=True)
    accepted_mn = models.TextField(
        _("accepted answers (Mongolian)"),
        blank=True,
        help_text=_(
            "Short text only: one accepted answer per line. Case, spaces and punctuation are ignored."
        ),
    )
    accepted_en = models.TextField(_("accepted answers (English)"), blank=True)
    partial_credit = models.CharField(
        _("partial credit"),
        max_length=20,
        choices=PartialCredit.choices,
        default=PartialCredit.RIGHT_MINUS_WRONG,
        help_text=_("Multiple response only."),
    )
    explanation_mn = models.TextField(_("explanation (Mongolian)"), blank=True)
    explanation_en = models.TextField(_("explanation (English)"), blank=True)
    tags = ClusterTaggableManager(through=QuestionTag, blank=True)
    # The key of the question in a curriculum's content files, so reloading updates it in place.
    source_key = models.CharField(max_length=200, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("category"), FieldPanel("kind"), FieldPanel("tags")], heading=_("Question")
        ),
        FieldPanel("text_mn"),
        FieldPanel("text_en"),
        FieldPanel("options"),
        FieldPanel("true_false_answer"),
        FieldRowPanel([FieldPanel("accepted_mn"), FieldPanel("accepted_en")]),
        FieldPanel("partial_credit"),
        FieldRowPanel([FieldPanel("explanation_mn"), FieldPanel("explanation_en")]),
    ]
    search_fields = [
        index.SearchField("text_mn"),
        index.SearchField("text_en"),
        index.AutocompleteField("text_mn"),
        index.AutocompleteField("text_en"),
        index.FilterField("kind"),
        index.FilterField("category_id"),
    ]

    class Meta:
        ordering = ["category", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        text = self.text
        return text if len(text) <= 90 else text[:87] + "…"

    @property
    def text(self) -> str:
        return bilingual(self, "text")

    def clean(self):
        super().clean()
        errors = grading.answer_key_errors(self.answer_key())
        if errors:
            raise ValidationError(errors)

    def answer_key(self) -> dict:
        """The question as grading needs it (see ``assessments.grading``)."""
        return grading.answer_key_from_fields(
            kind=self.kind,
            options=self.options.raw_data if hasattr(self.options, "raw_data") else self.options,
            true_false_answer=self.true_false_answer,
            accepted_mn=self.accepted_mn,
            accepted_en=self.accepted_en,
            partial_credit=self.partial_credit,
        )


class Quiz(DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, ClusterableModel):
    """A quiz: fixed questions or random ones per category, with its rules for attempts and review."""

    class Kind(models.TextChoices):
        GRADED = "graded", _("Graded quiz")
        PRE_TEST = "pre_test", _("Pre-test (never blocks progress)")
        POST_TEST = "post_test", _("Post-test (paired with a pre-test)")

    Grading = grading.Grading  # shared with H5P activities (assessments.grading)

    class Review(models.TextChoices):
        NEVER = "never", _("Never")
        AFTER_ATTEMPT = "after_attempt", _("After each attempt")
        AFTER_FINISHED = "after_finished", _("Once passed, or when no attempts are left")

    title_mn = models.CharField(_("title (Mongolian)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro_mn = models.TextField(_("introduction (Mongolian)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.GRADED)
    pre_test = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="post_tests",
        limit_choices_to={"kind": "pre_test"},
        verbose_name=_("paired pre-test"),
        help_text=_("Post-tests only: the pre-test this one is compared with for knowledge gain."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=70, validators=[MaxValueValidator(100)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum attempts"), default=0, help_text=_("0 means unlimited.")
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no time limit. Enforced on the server."),
    )
    grading_method = models.CharField(
        _("grading method"), max_length=10, choices=Grading.choices, default=Grading.HIGHEST
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    show_feedback = models.CharField(
        _("show feedback and explanations"),
        max_length=20,
        choices=Review.choices,
        default=Review.AFTER_ATTEMPT,
    )
    show_correct_answers = models.CharField(
        _("show the correct answers"), max_length=20, choices=Review.choices, default=Review.AFTER_FINISHED
    )
    source_key = models.CharField(max_length=200, unique=True, null=True, blank=True, editable=False)

    panels = [
        FieldRowPanel([FieldPanel("title_mn"), FieldPanel("title_en")]),
        FieldRowPanel([FieldPanel("intro_mn"), FieldPanel("intro_en")]),
        MultiFieldPanel([FieldPanel("kind"), FieldPanel("pre_test")], heading=_("Kind")),
        InlinePanel("fixed_questions", heading=_("Questions (in this order)"), label=_("Question")),
        InlinePanel("random_rules", heading=_("Or: random questions per category"), label=_("Rule")),
        MultiFieldPanel(
            [
                FieldPanel("pass_mark"),
                FieldPanel("max_attempts"),
                FieldPanel("time_limit_minutes"),
                FieldPanel("grading_method"),
                FieldPanel("shuffle_questions"),
                FieldPanel("shuffle_options"),
            ],
            heading=_("Attempts and grading"),
        ),
        MultiFieldPanel(
            [FieldPanel("show_feedback"), FieldPanel("show_correct_answers")], heading=_("Review")
        ),
    ]
    search_fields = [index.SearchField("title_mn"), index.SearchField("title_en"), index.FilterField("kind")]

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["title_mn"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return bilingual(self, "title")

    @property
    def intro(self) -> str:
        return bilingual(self, "intro")

    @property
    def is_pre_test(self) -> bool:
        return self.kind == self.Kind.PRE_TEST

    def clean(self):
        super().clean()
        if self.kind == self.Kind.POST_TEST and self.pre_test_id is None:
            raise ValidationError({"pre_test": _("A post-test must be paired with a pre-test.")})
        if self.kind != self.Kind.POST_TEST and self.pre_test_id is not None:
            raise ValidationError({"pre_test": _("Only a post-test is paired with a pre-test.")})


class QuizQuestion(Orderable):
    """A question placed in a quiz with fixed questions."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="fixed_questions")
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("question")
    )
    points = models.PositiveSmallIntegerField(_("points"), default=1, validators=[MinValueValidator(1)])

    panels = [FieldPanel("question"), FieldPanel("points")]


class QuizRandomRule(Orderable):
    """Draw this many questions at random from a category, for each attempt."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="random_rules")
    category = models.ForeignKey(
        QuestionCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    count = models.PositiveSmallIntegerField(
        _("number of questions"), default=5, validators=[MinValueValidator(1)]
    )

    panels = [FieldPanel("category"), FieldPanel("count")]


class QuizAttempt(models.Model):
    """One learner's attempt at a quiz: what it showed, what they answered, how it was graded."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    quiz_revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.PROTECT, null=True, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    enrollment = models.ForeignKey(
        "courses.Enrollment", on_delete=models.SET_NULL, null=True, blank=True, related_name="quiz_attempts"
    )
    lesson_key = models.UUIDField(null=True, blank=True)
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    # [{"question": id, "revision": id, "points": n, "options": [option ids in the order shown],
    #   "tokens": [what the page calls each option]}]: see assessments.layout
    layout = models.JSONField(default=list)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    points = models.FloatField(null=True, blank=True)
    max_points = models.FloatField(null=True, blank=True)
    score = models.FloatField(_("score (%)"), null=True, blank=True)
    passed = models.BooleanField(null=True)
    # The pass mark of the quiz as the learner's release has it (a later edit does not move it).
    pass_mark = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["quiz", "user", "number"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "user", "number"], name="attempt_unique_number"),
            models.UniqueConstraint(
                fields=["quiz", "user"], condition=models.Q(status="in_progress"), name="attempt_one_open"
            ),
        ]
        indexes = [models.Index(fields=["quiz", "status"], name="attempt_quiz_status_idx")]

    def __str__(self) -> str:
        return f"{self.quiz_id}/{self.user_id}#{self.number}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class QuizResponse(models.Model):
    """A learner's answer to one question of an attempt, saved as soon as it is given."""

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="responses")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="responses")
    answer = models.JSONField()
    saved_at = models.DateTimeField()
    fraction = models.FloatField(null=True, blank=True)  # 0..1 of the question's points, after grading

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="response_unique_question")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.question_id}"


class RegradeLog(models.Model):
    """A change to a submitted attempt's result made by a regrade, and who made it."""

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="regrades")
    question = models.ForeignKey(Question, on_delete=models.SET_NULL, null=True, related_name="+")
    question_revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    old_score = models.FloatField(null=True)
    new_score = models.FloatField(null=True)
    old_passed = models.BooleanField(null=True)
    new_passed = models.BooleanField(null=True)
    completion_change = models.CharField(max_length=20, blank=True)  # "", "completed", "reopened"
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"regrade {self.attempt_id} {self.old_score}->{self.new_score}"


# H5P activities live in their own module; importing them here is how Django finds them.
from .h5p.models import (  # noqa: E402, F401
    H5PActivity,
    H5PAttempt,
    H5PLibrary,
    H5PPackageRevision,
    H5PPlayerError,
    H5PQuestionResult,
    H5PStatement,
    H5PUserState,
)

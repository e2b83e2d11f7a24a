"""What the server keeps of offline learning: the quiz papers handed out with a download, and
every item a device has synced (by its client-made id, so a repeat never counts twice)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OfflinePaper(models.Model):
    """The questions of one quiz sitting, drawn when a learner downloads a course, to be taken
    offline. Nothing of the answer key is in it that the attempt page would not show; it becomes
    an attempt (counted then, never before) when the sitting is synced, and is used once."""

    token = models.CharField(max_length=43, unique=True)  # the paper page's URL: random, unguessable
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    quiz = models.ForeignKey("assessments.Quiz", on_delete=models.CASCADE, related_name="+")
    enrollment = models.ForeignKey("courses.Enrollment", on_delete=models.CASCADE, related_name="+")
    release = models.ForeignKey("courses.CourseRelease", on_delete=models.CASCADE, related_name="+")
    lesson_key = models.UUIDField()
    quiz_revision_id = models.PositiveIntegerField(null=True)
    pass_mark = models.PositiveIntegerField(null=True)
    layout = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempt = models.OneToOneField(
        "assessments.QuizAttempt", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("offline quiz paper")
        verbose_name_plural = _("offline quiz papers")
        indexes = [models.Index(fields=["user", "quiz", "release"], name="offline_paper_owner_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.quiz_id}:{self.pk}"


class SyncedItem(models.Model):
    """One piece of work done offline (a lesson completed, reading time, a quiz sitting, H5P
    statements) as the server took it: when it happened on the device, when it arrived, and
    what came of it. The device's id makes a repeated sync return the same outcome."""

    class Status(models.TextChoices):
        DONE = "done", _("Applied")
        REFUSED = "refused", _("Not applied")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client_id = models.UUIDField()
    kind = models.CharField(max_length=20)
    happened_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    outcome = models.JSONField(default=dict)  # what the learner is told: code, message, links

    class Meta:
        verbose_name = _("synced offline item")
        verbose_name_plural = _("synced offline items")
        constraints = [models.UniqueConstraint(fields=["user", "client_id"], name="offline_item_once")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}:{self.client_id}"

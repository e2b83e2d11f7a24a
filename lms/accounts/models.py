"""People: the user (email login) with the profile programme reports group by."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.i18n import bilingual


class BilingualNameMixin(models.Model):
    """A name kept in Mongolian and English; `name` gives the active language's."""

    name_mn = models.CharField(_("name (Mongolian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self, "name")


class Region(BilingualNameMixin):
    """An aimag or a district of Ulaanbaatar: the geography programme reports group by."""

    class Kind(models.TextChoices):
        AIMAG = "aimag", _("Aimag")
        DISTRICT = "district", _("Ulaanbaatar district")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["kind", "name_mn"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Organisation(BilingualNameMixin):
    """A school, TVET centre, police unit, court or other body where learners work."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("School")
        TVET = "tvet", _("TVET centre")
        POLICE = "police", _("Police unit")
        PROSECUTOR = "prosecutor", _("Prosecutor's office")
        COURT = "court", _("Court")
        SHELTER = "shelter", _("Shelter")
        NGO = "ngo", _("NGO")
        GOVERNMENT = "government", _("Government agency")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("region")
    )

    class Meta:
        ordering = ["name_mn"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["name_mn", "region"], name="organisation_unique_name_in_region"),
        ]


def latest_birth_year() -> int:
    """Learners are adults at work: at least 14 years old this year."""
    return timezone.now().year - 14


class UserManager(DjangoUserManager):
    """Creates users identified by email alone."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with their email: a learner, an editor, a manager or an admin."""

    class Role(models.TextChoices):
        TEACHER = "teacher", _("Teacher")
        YOUTH_FACILITATOR = "youth_facilitator", _("Youth facilitator")
        SHELTER_OPERATOR = "shelter_operator", _("Shelter operator")
        RESIDENTIAL_CARE = "residential_care", _("Residential care staff")
        POLICE_INVESTIGATOR = "police_investigator", _("Police investigator")
        PROSECUTOR = "prosecutor", _("Prosecutor")
        JUDGE = "judge", _("Judge")
        CHILD_RIGHTS_INSPECTOR = "child_rights_inspector", _("Child rights inspector")
        SOCIAL_WORKER = "social_worker", _("Social worker")
        MDTF_MEMBER = "mdtf_member", _("MDTF member")
        OTHER = "other", _("Other")

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        NOT_STATED = "not_stated", _("Prefer not to say")

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.OTHER)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("region"),
    )
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, default=Sex.NOT_STATED)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1930), MaxValueValidator(latest_birth_year)],
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name or self.email


class Invitation(models.Model):
    """A code an administrator hands out: whoever redeems it joins a group (e.g. the justice sector)."""

    code = models.CharField(_("code"), max_length=32, unique=True, editable=False)
    group = models.ForeignKey(
        "auth.Group",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("group it grants"),
        help_text=_("Only groups without staff permissions can be granted by an invitation."),
    )
    note = models.CharField(_("who it is for"), max_length=200, blank=True)
    max_uses = models.PositiveIntegerField(_("number of uses"), default=1, validators=[MinValueValidator(1)])
    uses = models.PositiveIntegerField(_("times used"), default=0, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    revoked = models.BooleanField(_("revoked"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.code} → {self.group}"

    @property
    def is_usable(self) -> bool:
        return not self.revoked and self.uses < self.max_uses and self.expires_at > timezone.now()


class InvitationUse(models.Model):
    """Who redeemed an invitation, and when."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="redemptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invitation", "user"], name="invitation_used_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id}:{self.user_id}"


class AccessRequest(models.Model):
    """A learner asks to join a restricted audience; an administrator approves or refuses."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="access_requests",
        verbose_name=_("learner"),
    )
    group = models.ForeignKey(
        "auth.Group", on_delete=models.CASCADE, related_name="+", verbose_name=_("group")
    )
    message = models.TextField(_("message"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["status", "-created_at"]
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "group"],
                condition=models.Q(status="pending"),
                name="access_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.group} ({self.status})"


class AuditEvent(models.Model):
    """Who changed what about a learner: profile, group membership, enrolment, results, certificates."""

    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("learner"),
    )
    object_type = models.CharField(_("object"), max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

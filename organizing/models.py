"""The organization itself: people who use Earshot, their teams and roles, and the audit log."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in: a volunteer, organizer, data staff member or admin.

    Logs in with an email address (no username). What a user may do comes from their
    memberships in teams (see ``Membership.Role``); ``is_staff`` only opens the Django admin.
    """

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text=_("May sign in to the Django admin site.")
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # The interface's language for this user; blank follows the browser's (LocaleMiddleware).
    # Emails they receive (invitations go out before there is a user: Invitation.language)
    # are written in it too.
    language = models.CharField(
        _("language"), max_length=8, blank=True, default="", choices=settings.LANGUAGES
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split() or [self.email])[0]


class Team(models.Model):
    """A group of volunteers led by organizers; supporters belong to one owning team."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="team_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one team. A user may belong to several teams with different roles."""

    class Role(models.TextChoices):
        VOLUNTEER = "volunteer", _("Volunteer")
        ORGANIZER = "organizer", _("Organizer")
        DATA_STAFF = "data_staff", _("Data staff")
        ADMIN = "admin", _("Admin")

    # Roles that see every supporter, whatever their team.
    ORGANIZATION_WIDE_ROLES = (Role.DATA_STAFF, Role.ADMIN)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VOLUNTEER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="membership_one_per_team"),
            models.CheckConstraint(
                condition=models.Q(role__in=["volunteer", "organizer", "data_staff", "admin"]),
                name="membership_role_known",
            ),
        ]
        indexes = [models.Index(fields=["team", "role"], name="membership_team_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.team}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


class Invitation(models.Model):
    """An organizer asks someone, by email, to join a team with a role.

    Earshot has no open sign-up: the only way to create an account is to accept one of these.
    ``sent_at`` is set by the worker once the email is out, so a sweep can resend what was missed.
    """

    email = models.EmailField(max_length=254)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(
        max_length=20, choices=Membership.Role.choices, default=Membership.Role.VOLUNTEER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The language the invitation email is written in: the invitee has no account to say so.
    language = models.CharField(
        _("language"), max_length=8, default="en", choices=settings.LANGUAGES
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address and team; accepted or revoked ones are history.
            models.UniqueConstraint(
                Lower("email"),
                "team",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email_team",
            ),
        ]
        indexes = [
            models.Index(
                fields=["sent_at"],
                condition=models.Q(sent_at__isnull=True),
                name="invitation_unsent_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.team} ({self.get_role_display()})"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Written, never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=64, help_text=_("e.g. supporter.view, supporter.export"))
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_idx"),
            models.Index(fields=["action", "-at"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor or 'system'} {self.action} {self.object_repr}"


class ApiKeyQuerySet(models.QuerySet):
    def usable(self) -> ApiKeyQuerySet:
        """Keys that are neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        )


class ApiKey(models.Model):
    """A secret a script uses instead of a session, acting as its user with some scopes.

    The full key is shown once when made; only its SHA-256 is stored. ``prefix`` is the
    public part used to find the row (and to tell keys apart on the keys page).
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Write")
        EXPORT = "export", _("Export")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list, help_text=_("Some of read, write, export."))
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name or 'API key'} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class IdempotencyRecord(models.Model):
    """The first response to a POST sent with an ``Idempotency-Key``, replayed on retries.

    One row per user and key. ``response_status`` is empty while the first request is
    still running, so a concurrent retry is told to wait rather than doing the work twice.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotencyrecord_once_per_user")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotencyrecord_age_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


def _webhook_secret() -> str:
    return secrets.token_hex(32)


class Webhook(models.Model):
    """A URL told about events, for the supporters its owner may see.

    ``created_by`` is the owner: deliveries about a supporter go only to webhooks whose
    owner sees that supporter (the one visibility rule), narrowed to ``team`` when set.
    Every delivery is signed with ``secret`` (see ``organizing.webhooks``).
    """

    class Event(models.TextChoices):
        CONVERSATION_CREATED = "conversation.created", _("A conversation is logged")
        SUPPORTER_CREATED = "supporter.created", _("A supporter is added")
        SUPPORTER_UPDATED = "supporter.updated", _("A supporter's details change")
        FOLLOWUP_CREATED = "followup.created", _("A follow-up is created")
        FOLLOWUP_COMPLETED = "followup.completed", _("A follow-up is done or cancelled")
        EXPORT_FINISHED = "export.finished", _("An export job of yours is ready")

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, help_text=_("Event names, e.g. supporter.created."))
    secret = models.CharField(max_length=64, default=_webhook_secret, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks"
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhooks",
        help_text=_("Only this team's supporters; empty for everyone the owner may see."),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["is_active"], name="webhook_active_idx")]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event on its way to one webhook, with its log.

    ``next_attempt_at`` is when the worker may try (again); a beat sweep picks up due ones,
    so retries never wait as Celery ETAs. A task claims a delivery by pushing
    ``next_attempt_at`` forward before sending, so running it twice sends once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=Webhook.Event.choices)
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhookdelivery_due_idx",
            ),
            models.Index(fields=["webhook", "-created_at"], name="webhookdelivery_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook} ({self.get_status_display()})"

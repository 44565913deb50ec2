"""Listening: conversations, survey answers, issues, notes and follow-ups."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    """One contact attempt with a supporter and what we heard.

    ``client_uuid`` is made on the volunteer's device; a retry or a double tap that sends it
    again stores nothing new (the database refuses a second row with the same UUID).
    """

    class Channel(models.TextChoices):
        DOOR = "door", _("Door")
        PHONE = "phone", _("Phone")
        TEXT = "text", _("Text")
        RELATIONAL = "relational", _("Relational")
        EVENT = "event", _("Event")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        TALKED = "talked", _("Talked")
        NOT_HOME = "not_home", _("Not home")
        REFUSED = "refused", _("Refused")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        MOVED = "moved", _("Moved")
        CALLBACK_REQUESTED = "callback_requested", _("Callback requested")
        LEFT_MESSAGE = "left_message", _("Left a message")
        INACCESSIBLE = "inaccessible", _("Couldn't reach the door")
        DECEASED = "deceased", _("Deceased")

    supporter = models.ForeignKey(
        "supporters.Supporter", on_delete=models.CASCADE, related_name="conversations"
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    happened_at = models.DateTimeField(default=timezone.now)
    heard = models.TextField("what we heard", blank=True)
    heard_is_sensitive = models.BooleanField(
        default=False,
        db_default=False,
        help_text=_("Marked at logging time: what we heard is for the person's organizers only."),
    )
    issues = models.ManyToManyField("Issue", related_name="conversations", blank=True)
    client_uuid = models.UUIDField(
        unique=True, help_text=_("Made by the client; makes saving idempotent.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Written by the listening worker (conversations.listening); ``heard`` stays as typed.
    listened_at = models.DateTimeField(null=True, blank=True)
    listening_version = models.PositiveIntegerField(default=0)
    sentiment = models.FloatField(
        null=True, blank=True, help_text=_("VADER compound score of what we heard, from -1 to 1.")
    )
    asked_followup_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("A time they asked us to come back, read from what we heard."),
    )

    class Meta:
        ordering = ["-happened_at", "-id"]
        indexes = [
            models.Index(fields=["supporter", "-happened_at"], name="conversation_history_idx"),
            models.Index(fields=["volunteer", "-happened_at"], name="conversation_volunteer_idx"),
            models.Index(fields=["updated_at", "id"], name="conversation_updated_idx"),
            models.Index(fields=["listening_version", "id"], name="conversation_listening_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} with {self.supporter} on {self.happened_at:%Y-%m-%d}"


class Issue(models.Model):
    """An issue on the organization's list (rent, wages, schools…) that people raise."""

    name = models.CharField(max_length=80)
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="issue_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        CHOICE = "choice", _("Pick one")
        TEXT = "text", _("Short answer")

    prompt = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHOICE)
    is_active = models.BooleanField(
        default=True, help_text=_("Active questions appear on the form.")
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.prompt


class SurveyChoice(models.Model):
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(max_length=100)
    value = models.SlugField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="surveychoice_value_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class SurveyResponse(models.Model):
    """One answer to one question in one conversation: a choice, or text for short answers."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="responses"
    )
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="responses")
    choice = models.ForeignKey(
        SurveyChoice, on_delete=models.PROTECT, null=True, blank=True, related_name="responses"
    )
    text = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "question"], name="surveyresponse_once"
            ),
            models.CheckConstraint(
                condition=Q(choice__isnull=False) | ~Q(text=""), name="surveyresponse_has_answer"
            ),
        ]
        indexes = [models.Index(fields=["question", "choice"], name="surveyresponse_answer_idx")]

    def __str__(self) -> str:
        return f"{self.question}: {self.choice or self.text}"


class Note(models.Model):
    """Something written about a supporter. Edits keep the earlier text in ``NoteRevision``."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("General")
        REMEMBER = "remember", _("Thing to remember")
        SENSITIVE = "sensitive", _("Sensitive")

    supporter = models.ForeignKey(
        "supporters.Supporter", on_delete=models.CASCADE, related_name="notes"
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GENERAL)
    body = models.TextField()
    is_pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_pinned", "-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="note_body_not_empty")]
        indexes = [
            models.Index(fields=["supporter", "kind", "-created_at"], name="note_supporter_idx")
        ]

    def __str__(self) -> str:
        return self.body[:60]


class NoteRevision(models.Model):
    """The text a note had before an edit, and who changed it."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    kind = models.CharField(max_length=20, choices=Note.Kind.choices)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-edited_at", "-id"]

    def __str__(self) -> str:
        return f"Earlier text of note {self.note_id}"


class FollowUp(models.Model):
    """Someone should reach this supporter again by ``due_at``.

    Far-future times live here, never as a Celery ETA. At most one open follow-up per
    supporter and reason, so schedulers that run twice add nothing the second time.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    supporter = models.ForeignKey(
        "supporters.Supporter", on_delete=models.CASCADE, related_name="followups"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
    )
    due_at = models.DateTimeField()
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    source_conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="followups"
    )
    source_rule = models.CharField(
        max_length=60,
        blank=True,
        help_text=_("The scheduling rule that made it, if a machine did."),
    )
    channel = models.CharField(
        max_length=10, blank=True, help_text=_("How to reach them (never one they said no to).")
    )
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Assignee told it is due.")
    )
    escalated_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Raised to the team's organizers as overdue.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                "supporter",
                Lower("reason"),
                condition=Q(status="open"),
                name="followup_one_open_per_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="open", completed_at__isnull=True)
                | Q(status__in=["done", "cancelled"], completed_at__isnull=False),
                name="followup_completed_iff_closed",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="followup_has_reason"),
        ]
        indexes = [
            models.Index(
                fields=["assignee", "due_at"],
                condition=Q(status="open"),
                name="followup_open_due_idx",
            ),
            models.Index(fields=["supporter", "status"], name="followup_supporter_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} — {self.supporter} by {self.due_at:%Y-%m-%d}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_at < timezone.now()


class Suggestion(models.Model):
    """A thing to remember a worker drew from what we heard, waiting for a person.

    Nothing is confirmed by a machine: confirming makes a ``Note`` written by the person who
    confirmed; dismissing keeps the row so the same line is never suggested again.
    """

    class Category(models.TextChoices):
        FAMILY = "family", _("Family")
        MILITARY = "military", _("Military service")
        HEALTH = "health", _("Health")
        WORK = "work", _("Work")
        HOUSING = "housing", _("Housing")
        FAITH = "faith", _("Faith")
        PETS = "pets", _("Pets")
        DATES = "dates", _("Important date")
        BEST_TIME = "best_time", _("Best time to reach")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Waiting for review")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    supporter = models.ForeignKey(
        "supporters.Supporter", on_delete=models.CASCADE, related_name="suggestions"
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, null=True, blank=True, related_name="suggestions"
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    text = models.CharField(max_length=200, help_text=_("A short line to read at the door."))
    evidence = models.CharField(max_length=500, blank=True, help_text=_("What we heard, quoted."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUGGESTED)
    enricher = models.CharField(max_length=60, help_text=_("Which listener suggested it."))
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.ForeignKey(
        Note, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "supporter", Lower("text"), name="suggestion_once_per_supporter_and_text"
            ),
            models.CheckConstraint(
                condition=Q(status="suggested", decided_at__isnull=True)
                | Q(status__in=["confirmed", "dismissed"], decided_at__isnull=False),
                name="suggestion_decided_iff_not_waiting",
            ),
        ]
        indexes = [
            models.Index(
                fields=["supporter", "-created_at"],
                condition=Q(status="suggested"),
                name="suggestion_waiting_idx",
            )
        ]

    def __str__(self) -> str:
        return self.text


class IssuePhrase(models.Model):
    """A phrase that, heard in a conversation, means the person raised this issue.

    Organizers edit these; the issue's own name always counts as a phrase.
    """

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="phrases")
    phrase = models.CharField(max_length=80)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["issue", "phrase"]
        constraints = [
            models.UniqueConstraint("issue", Lower("phrase"), name="issuephrase_once_per_issue"),
            models.CheckConstraint(condition=~Q(phrase=""), name="issuephrase_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.issue}: {self.phrase}"


class IssueMention(models.Model):
    """An issue a listener heard in a conversation (separate from issues a person picked)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="issue_mentions"
    )
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="mentions")
    phrase = models.CharField(max_length=80, help_text=_("The phrase that matched."))
    enricher = models.CharField(max_length=60)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "issue"], name="issuemention_once"),
        ]

    def __str__(self) -> str:
        return f"{self.issue} in conversation {self.conversation_id}"


class FollowUpRule(models.Model):
    """What to schedule after a conversation with a given outcome; organizers edit these.

    ``trigger`` is an outcome, or ``undecided`` (talked, and their support is 3 of 5).
    """

    class Trigger(models.TextChoices):
        NOT_HOME = "not_home", _("Not home")
        CALLBACK_REQUESTED = "callback_requested", _("Callback requested")
        UNDECIDED = "undecided", _("Talked, undecided")
        REFUSED = "refused", _("Refused")
        MOVED = "moved", _("Moved")
        LEFT_MESSAGE = "left_message", _("Left a message")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        INACCESSIBLE = "inaccessible", _("Couldn't reach the door")

    class Action(models.TextChoices):
        RETRY = "retry", _("Try again after a delay")
        ASKED_TIME = "asked_time", _("At the time they asked (else after the delay)")
        DATA_STAFF = "data_staff", _("Flag for data staff")
        NONE = "none", _("No follow-up")

    trigger = models.CharField(max_length=30, choices=Trigger.choices, unique=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    delay_hours = models.PositiveIntegerField(default=48)
    reason = models.CharField(max_length=200, blank=True, help_text=_("The follow-up's reason."))
    is_active = models.BooleanField(default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["trigger"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action="none") | ~Q(reason=""), name="followuprule_reason_unless_none"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} → {self.get_action_display()}"

    @property
    def source_rule(self) -> str:
        """What a follow-up made by this rule records as its ``source_rule``."""
        return f"rule:{self.trigger}"


class DigestSent(models.Model):
    """A volunteer's daily digest went out for this local date (so it goes out once)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    followup_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "date"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"Digest for {self.user} on {self.date}"


class EscalationSent(models.Model):
    """An overdue follow-up was raised to this organizer (so each of them hears of it once).

    The claim row of ``notifications.followup_escalate_overdue``: written in the same
    transaction that sends that organizer's email, so a failed send leaves it unclaimed.
    """

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="+")
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["followup", "organizer"], name="escalation_once_per_organizer"
            )
        ]

    def __str__(self) -> str:
        return f"Follow-up {self.followup_id} raised to {self.organizer}"

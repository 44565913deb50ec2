"""Phone banking: call lists with their scripts, the people on them, and each call made."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CallList(models.Model):
    """A list of people for callers to work through, one "Next call" at a time.

    Its people are its team's, chosen from a segment (or the Supporters filters, kept as the
    same filter language in ``filter``) when it was built. Calls happen only between
    ``calling_starts`` and ``calling_ends`` in each person's own time zone, and nobody called
    in the last ``recent_days`` days is offered (0: no such rule).
    """

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("a call list", "Open")
        CLOSED = "closed", pgettext_lazy("a call list", "Closed")

    name = models.CharField(_("name"), max_length=120)
    team = models.ForeignKey("organizing.Team", on_delete=models.PROTECT, related_name="call_lists")
    segment = models.ForeignKey(
        "supporters.Segment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The saved segment it was built from, if any."),
    )
    filter = models.JSONField(default=dict, blank=True, help_text=_("The segment language."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    calling_starts = models.TimeField(_("calling hours start"), default=time(9, 0))
    calling_ends = models.TimeField(_("calling hours end"), default=time(21, 0))
    recent_days = models.PositiveSmallIntegerField(
        _("skip anyone called in the last N days"), default=7
    )
    lease_minutes = models.PositiveSmallIntegerField(default=20)
    default_language = models.CharField(max_length=16, default="en")
    questions = models.ManyToManyField(
        "conversations.SurveyQuestion", blank=True, related_name="call_lists"
    )
    # The distinct time zones of its people, kept by the build: "who is inside calling hours
    # now" is then a short list of zones, and the claim filters on it with an index.
    time_zones = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(calling_starts__lt=models.F("calling_ends")),
                name="calllist_hours_ordered",
            ),
            models.CheckConstraint(
                condition=Q(lease_minutes__gte=1, lease_minutes__lte=240),
                name="calllist_lease_minutes_range",
            ),
        ]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="calllist_updated_idx"),
            models.Index(fields=["team", "status"], name="calllist_team_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class CallScript(models.Model):
    """What a caller says, in one language. ``{first_name}`` and ``{caller_name}`` are filled
    in (``calling.scripts.script_render``); nothing else in the text is read as code."""

    call_list = models.ForeignKey(CallList, on_delete=models.CASCADE, related_name="scripts")
    language = models.CharField(max_length=16, default="en")
    text = models.TextField(max_length=5000)

    class Meta:
        ordering = ["call_list", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["call_list", "language"], name="callscript_one_per_lang"
            )
        ]

    def __str__(self) -> str:
        return f"{self.call_list} ({self.language})"


class CallTarget(models.Model):
    """One person on a call list, and where they stand in its queue.

    A caller holds a person while ``lease_expires_at`` is in the future (``claimed_by``);
    when it passes, anyone may be given them again. ``available_after`` holds a person back
    (they asked to be called back later; a caller skipped them).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be called")
        CALL_BACK = "call_back", _("Call back later")
        REACHED = "reached", _("Reached")
        LEFT_MESSAGE = "left_message", _("Left a message")
        NO_ANSWER = "no_answer", _("No answer (tried enough)")
        REFUSED = "refused", _("Refused")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    OPEN_STATUSES = (Status.QUEUED, Status.CALL_BACK)

    call_list = models.ForeignKey(CallList, on_delete=models.CASCADE, related_name="targets")
    supporter = models.ForeignKey(
        "supporters.Supporter", on_delete=models.CASCADE, related_name="call_targets"
    )
    time_zone = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # served by calltarget_lease_idx
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    available_after = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_called_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["call_list", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call_list", "supporter"], name="calltarget_once"),
            models.CheckConstraint(
                condition=Q(claimed_by__isnull=True) | Q(lease_expires_at__isnull=False),
                name="calltarget_claim_has_lease",
            ),
        ]
        indexes = [
            # Serves the claim (calling.services.call_claim): the list's open people in order.
            models.Index(
                fields=["call_list", "id"],
                condition=Q(status__in=["queued", "call_back"]),
                name="calltarget_open_idx",
            ),
            # Serves the visibility grant (calling.hooks): whom a caller holds now.
            models.Index(
                fields=["claimed_by", "supporter"],
                condition=Q(claimed_by__isnull=False),
                name="calltarget_lease_idx",
            ),
            models.Index(fields=["supporter"], name="calltarget_supporter_idx"),
            models.Index(fields=["call_list", "status"], name="calltarget_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.supporter_id} on {self.call_list_id} ({self.status})"


class CallAttempt(models.Model):
    """One call a caller made from a list (or skipped), with the conversation it logged."""

    class Result(models.TextChoices):
        TALKED = "talked", _("Talked")
        NO_ANSWER = "no_answer", _("No answer")
        LEFT_MESSAGE = "left_message", _("Left a message")
        CALL_BACK = "call_back", _("Call back later")
        REFUSED = "refused", _("Refused")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        SKIPPED = "skipped", _("Skipped")

    call_list = models.ForeignKey(CallList, on_delete=models.CASCADE, related_name="attempts")
    target = models.ForeignKey(CallTarget, on_delete=models.CASCADE, related_name="calls")
    supporter = models.ForeignKey(
        "supporters.Supporter", on_delete=models.CASCADE, related_name="+"
    )
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    result = models.CharField(max_length=20, choices=Result.choices)
    conversation = models.OneToOneField(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="call_attempt",
    )
    client_uuid = models.UUIDField(unique=True, help_text=_("Makes saving a call idempotent."))
    remembered = models.PositiveSmallIntegerField(default=0)
    message_to_organizer = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["call_list", "created_at"], name="callattempt_list_idx"),
            models.Index(fields=["caller", "created_at"], name="callattempt_caller_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_result_display()} — {self.supporter_id}"

"""Rollups of the depth of listening, kept by the worker so the dashboard never reads the raw
tables. How each figure is answered for a chosen range is in ``metrics/figures.py``.

- ``DayFigure``: sums per day (in the campaign's time zone), team, volunteer, channel and
  figure, plus exact per-day histograms (``bucket``) for the medians (days between repeat
  conversations, days a follow-up was late). A range adds up its days; a median merges the
  days' histograms.
- ``ConversationFact``: one narrow row per conversation (per-person rows): the distinct
  people talked to, and how many of them had been talked to before, over any range, and the
  people behind every activity number.
- ``FollowUpFact``: one row per follow-up, the people behind the follow-up numbers.
- ``RungCount``: how many people stand on each rung now, per team.
- ``SupporterContribution``: what one supporter adds to ``DayFigure`` and ``RungCount``, so
  that recomputing them subtracts the old and adds the new: a task delivered twice, or
  events arriving out of order, change nothing the second time.
"""

from __future__ import annotations

from django.db import models


class DayFigure(models.Model):
    day = models.DateField()
    team_id = models.BigIntegerField()
    volunteer_id = models.BigIntegerField(default=0, help_text="0: nobody (the ladder).")
    channel = models.CharField(max_length=20, blank=True, help_text="Or a ladder step, '2>4'.")
    figure = models.CharField(max_length=24)
    bucket = models.IntegerField(default=0, help_text="Histogram bucket (days); 0 for sums.")
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team_id", "volunteer_id", "channel", "figure", "bucket"],
                name="dayfigure_key",
            )
        ]
        indexes = [
            # The dashboard: one team's (or every team's) days in a range.
            models.Index(fields=["team_id", "day"], name="dayfigure_team_day_idx"),
            models.Index(fields=["day"], name="dayfigure_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.team_id}/{self.volunteer_id} {self.figure}={self.value}"


class ConversationFact(models.Model):
    conversation_id = models.BigIntegerField(primary_key=True)
    supporter_id = models.BigIntegerField()
    day = models.DateField()
    team_id = models.BigIntegerField(help_text="The volunteer's team.")
    volunteer_id = models.BigIntegerField()
    channel = models.CharField(max_length=20)
    is_talked = models.BooleanField()
    ordinal = models.PositiveIntegerField(default=0, help_text="Nth talked conversation; 0 else.")
    gap_days = models.IntegerField(null=True, help_text="Days since the previous talked one.")
    is_prepared = models.BooleanField(default=False)
    is_relational = models.BooleanField(default=False)
    remembered = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            # Distinct people over a range, and the people behind a number: team and days.
            models.Index(
                fields=["team_id", "day", "supporter_id"], name="conversationfact_team_idx"
            ),
            models.Index(fields=["day", "supporter_id"], name="conversationfact_day_idx"),
            # Recomputing one supporter's rows.
            models.Index(fields=["supporter_id"], name="conversationfact_supporter_idx"),
        ]

    def __str__(self) -> str:
        return f"conversation {self.conversation_id}"


class FollowUpFact(models.Model):
    class State(models.TextChoices):
        KEPT = "kept"
        LATE = "late"
        OPEN = "open"

    followup_id = models.BigIntegerField(primary_key=True)
    supporter_id = models.BigIntegerField()
    team_id = models.BigIntegerField(help_text="The assignee's team.")
    volunteer_id = models.BigIntegerField(default=0)
    due_day = models.DateField()
    state = models.CharField(max_length=4, choices=State.choices)
    delay_days = models.IntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["team_id", "due_day"], name="followupfact_team_idx"),
            models.Index(fields=["due_day"], name="followupfact_day_idx"),
            models.Index(fields=["supporter_id"], name="followupfact_supporter_idx"),
        ]

    def __str__(self) -> str:
        return f"follow-up {self.followup_id}: {self.state}"


class RungCount(models.Model):
    team_id = models.BigIntegerField()
    level = models.PositiveSmallIntegerField()
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team_id", "level"], name="rungcount_key")]

    def __str__(self) -> str:
        return f"team {self.team_id} rung {self.level}: {self.value}"


class SupporterContribution(models.Model):
    """What one supporter last added to the rollups; its row lock orders refreshes of them."""

    supporter_id = models.BigIntegerField(primary_key=True)
    figures = models.JSONField(default=dict)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"supporter {self.supporter_id}"


class RollupEvent(models.Model):
    """Events applied (by their key, e.g. ``conversation.created:42``): what the worker did,
    so a duplicated delivery is seen and skipped before any work."""

    key = models.CharField(max_length=80, primary_key=True)
    applied_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key

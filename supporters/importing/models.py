"""What an import keeps: the file's rows, their outcomes, and the saved mappings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MATCH_REASONS = {
    "external_id": _("external ID"),
    "email": _("email"),
    "phone": _("phone"),
    "name_address": _("name and address"),
    "name_zip": _("name and ZIP"),
    "same_file": _("an earlier row of this file"),
    "": "",
}


class ImportMapping(models.Model):
    """A column mapping saved for reuse, per source ("VAN export", "sign-in sheet")."""

    source = models.CharField(max_length=80)
    columns = models.JSONField(default=dict, help_text="Header → {target, overwrite}.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "supporters"
        ordering = ["source"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("source"), name="importmapping_source_unique_ci"
            )
        ]

    def __str__(self) -> str:
        return self.source


class Import(models.Model):
    """One file (or one script's rows) brought into one team.

    ``status`` says how far it got; ``cursor`` is the last row number committed, written in
    the same transaction as those rows, so a chunk that dies commits nothing and the next
    one starts after ``cursor``. ``heartbeat_at`` moves with every chunk; the sweep
    re-enqueues a running import whose heartbeat is older than ``IMPORT_STALE_SECONDS``.
    """

    class Status(models.TextChoices):
        RECEIVING = "receiving", _("Receiving rows")
        UPLOADED = "uploaded", _("Ready to map")
        CHECKED = "checked", _("Dry run done")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        UNDONE = "undone", _("Undone")

    team = models.ForeignKey("organizing.Team", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=200, blank=True, help_text="In the import storage.")
    file_format = models.CharField(max_length=10, blank=True)
    encoding = models.CharField(max_length=40, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True)
    headers = models.JSONField(default=list)
    source = models.CharField(max_length=80, blank=True, help_text="The saved mapping's source.")
    mapping = models.JSONField(default=dict)
    mapping_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    cursor = models.PositiveIntegerField(default=0, help_text="Last row number committed.")
    rows_done = models.PositiveIntegerField(default=0)
    dry_run = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "supporters"
        ordering = ["-created_at", "-id"]
        indexes = [
            # Serves the re-upload check: the same file with the same mapping.
            models.Index(fields=["content_hash", "mapping_hash"], name="import_hash_idx"),
            # Serves the sweep: running imports whose heartbeat stopped.
            models.Index(
                fields=["heartbeat_at"],
                condition=Q(status__in=["queued", "running"]),
                name="import_live_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def counts_labelled(self) -> list[tuple[str, int]]:
        """The commit's counts as the page reads them ("12 created", "1 error")."""
        labels = dict(ImportRow.Outcome.choices)
        return [(str(labels.get(key, key)).lower(), n) for key, n in sorted(self.counts.items())]

    @property
    def dry_run_labelled(self) -> dict:
        """The dry run's samples and reasons with readable names, for the page."""
        if not self.dry_run:
            return {}
        kinds = {"new": _("New"), "matched": _("Matched"), "review": _("To review"),
                 "errors": _("Row errors")}  # fmt: skip
        return {
            "matched_by": [
                (str(MATCH_REASONS.get(key, key)), n)
                for key, n in self.dry_run["matched_by"].items()
            ],
            "samples": [
                (
                    str(kinds[kind]),
                    [
                        {**item, "reason": str(MATCH_REASONS.get(item.get("reason", ""), ""))}
                        for item in items
                    ],
                )
                for kind, items in self.dry_run["samples"].items()
                if items
            ],
        }

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.rows_done / self.total_rows))


class ImportRow(models.Model):
    """One row of the file, as read, and what importing it did.

    ``values`` are the raw cells by column position (cleared by retention, with the file);
    ``outcome`` and ``changes`` stay: what was created or updated, which fields, what the
    import added (for undo), or the row's errors (column and reason).
    """

    class Outcome(models.TextChoices):
        PENDING = "", _("Not yet")
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        SKIPPED = "skipped", _("Skipped (nothing new)")
        REVIEW = "review", _("Sent to review")
        ERROR = "error", _("Error")

    job = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(help_text="Row number in the file (the header is 1).")
    values = models.JSONField(default=list)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default="")
    supporter = models.ForeignKey(
        "supporters.Supporter", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    match_reason = models.CharField(max_length=30, blank=True)
    errors = models.JSONField(default=list, blank=True, help_text="[{column, reason}]")
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        app_label = "supporters"
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="importrow_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.job} row {self.number}"

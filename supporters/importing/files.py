"""What an import gives back as CSV: its row errors, and every row's outcome.

Cells go through ``organizing.csv_safety.csv_safe_text`` (the one OWASP rule), so a row whose
name was ``=HYPERLINK(…)`` comes back as text, never as a live formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from organizing.csv_safety import csv_safe_text

from .models import Import


class _Line:
    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)

    def __call__(self, cells: list) -> str:
        self.writer.writerow([csv_safe_text(str(c)) if c is not None else "" for c in cells])
        value = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return value


def import_errors_csv(job: Import) -> Iterator[str]:
    """row, column, reason — one line per error."""
    line = _Line()
    yield line([_("row"), _("column"), _("reason")])
    for number, errors in (
        job.rows.exclude(errors=[]).order_by("number").values_list("number", "errors").iterator()
    ):
        for error in errors:
            yield line([number, error.get("column", ""), error.get("reason", "")])


def import_outcomes_csv(job: Import) -> Iterator[str]:
    """row, outcome, supporter id, matched by, fields updated, added, errors."""
    line = _Line()
    yield line([_("row"), _("outcome"), _("supporter"), _("matched by"), _("fields"), _("added"),
                _("errors")])  # fmt: skip
    for number, outcome, supporter_id, reason, changes, errors in (
        job.rows.order_by("number")
        .values_list("number", "outcome", "supporter_id", "match_reason", "changes", "errors")
        .iterator()
    ):
        yield line(
            [
                number,
                outcome or "pending",
                supporter_id or "",
                reason,
                "; ".join(changes.get("fields", [])),
                "; ".join(changes.get("added", [])),
                "; ".join(f"{e.get('column', '')}: {e.get('reason', '')}" for e in errors),
            ]
        )

"""The audit trail people can read (admins and data staff): filtered by who, about whom,
what and when, newest first, a page at a time, with a CSV of the same selection. Reading it is
audited too (``audit.list``), since it names people. The rule is ``supporters.audit``'s."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from organizing.csv_safety import csv_safe_text
from organizing.services import audit_record

from .audit import KNOWN_ACTIONS, audit_list
from .forms_audit import AuditFilterForm

PAGE_SIZE = 100
CSV_COLUMNS = [
    "id",
    "at",
    "actor_id",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "ip_address",
    "details",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(events) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                event.pk,
                event.at.isoformat(),
                event.actor_id or "",
                csv_safe_text(event.actor.email if event.actor else ""),
                csv_safe_text(event.action),
                event.object_type.model if event.object_type else "",
                csv_safe_text(event.object_id),
                csv_safe_text(event.object_repr),
                event.ip_address or "",
                csv_safe_text(json.dumps(event.details, sort_keys=True, default=str)),
            ]
        )


@login_required
@require_GET
def audit_list_view(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    selection = form.selection() if form.is_bound and form.is_valid() else {}
    events = audit_list(viewer=request.user, **selection)  # PermissionDenied: not theirs
    wants_csv = request.GET.get("format") == "csv" and not form.errors
    audit_record(
        actor=request.user,
        action="audit.list",
        request=request,
        filters={k: str(v) for k, v in selection.items() if v not in (None, "")},
        format="csv" if wants_csv else "page",
    )
    if wants_csv:
        response = StreamingHttpResponse(_csv_lines(events), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        return response
    before = form.cleaned_data.get("before") if form.is_bound and not form.errors else None
    if before:
        events = events.filter(pk__lt=before)
    rows = list(events[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    query = request.GET.copy()
    query.pop("before", None)
    query.pop("format", None)
    return render(
        request,
        "supporters/audit_list.html",
        {
            "form": form,
            "events": rows,
            "next_before": rows[-1].pk if more and rows else None,
            "query": query.urlencode(),
            "actions": KNOWN_ACTIONS,
            "title": _("Audit trail"),
        },
        status=400 if form.errors else 200,
    )

"""The Supporters list's columns and orders: which an organizer may choose, what each one
annotates (only the chosen ones are computed), and how each sorts.

Columns that read conversations (last contact, open follow-ups) are the conversations app's,
registered with ``selectors.supporter_list_column_register``; a column whose registration is
missing is simply not offered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from .models import Assignment, Supporter, SupporterAddress, SupporterEmail, SupporterPhone
from .selectors import supporter_list_column


def _primary(model, field: str) -> Subquery:
    return Subquery(
        model.objects.filter(supporter=OuterRef("pk"), is_primary=True).values(field)[:1]
    )


def _assigned_name() -> Subquery:
    return Subquery(
        Assignment.objects.active()
        .filter(supporter=OuterRef("pk"))
        .order_by("-created_at")
        .values("volunteer__full_name")[:1]
    )


@dataclass(frozen=True)
class ListColumn:
    key: str
    label: Any
    # (annotation name, expression factory), or None for a field of the row itself.
    annotation: tuple[str, Callable[[], Any]] | None = None
    sort: str | None = None  # what the column sorts by (an annotation or a field)
    registered: str = ""  # a column another app registers: offered only when it did


def _registered(name: str) -> Callable[[], Any]:
    return lambda: supporter_list_column(name)


COLUMNS: dict[str, ListColumn] = {
    column.key: column
    for column in (
        ListColumn("team", _("Team"), sort="team__name"),
        ListColumn("support", _("Support"), sort="support_level"),
        ListColumn("engagement", _("Engagement"), sort="engagement_level"),
        ListColumn(
            "phone",
            _("Phone"),
            ("primary_phone", lambda: _primary(SupporterPhone, "number")),
            sort="primary_phone",
        ),
        ListColumn(
            "email",
            _("Email"),
            ("primary_email", lambda: _primary(SupporterEmail, "address")),
            sort="primary_email",
        ),
        ListColumn(
            "zip",
            _("ZIP"),
            ("primary_zip", lambda: _primary(SupporterAddress, "postal_code")),
            sort="primary_zip",
        ),
        ListColumn(
            "last_contact",
            _("Last contacted"),
            ("last_contact_at", _registered("last_contact_at")),
            sort="last_contact_at",
            registered="last_contact_at",
        ),
        ListColumn(
            "assigned", _("Assigned to"), ("assigned_name", _assigned_name), sort="assigned_name"
        ),
        ListColumn(
            "followups",
            _("Follow-ups"),
            ("open_followups", _registered("open_followups")),
            sort="open_followups",
            registered="open_followups",
        ),
        ListColumn("tags", _("Tags")),
    )
}
DEFAULT_COLUMNS = ["team", "support", "last_contact", "assigned", "followups", "tags"]
NAME_SORT = ("family_name", "given_name", "id")


def columns_offered() -> list[ListColumn]:
    return [
        column
        for column in COLUMNS.values()
        if not column.registered or supporter_list_column(column.registered) is not None
    ]


def columns_chosen(keys: list[str] | None) -> list[ListColumn]:
    """The columns named in ``keys`` that are offered, in the list's order; the defaults when
    none is."""
    offered = columns_offered()
    chosen = [column for column in offered if keys and column.key in keys]
    return chosen or [column for column in offered if column.key in DEFAULT_COLUMNS]


def sort_keys(columns: list[ListColumn]) -> set[str]:
    return {"name"} | {column.key for column in columns if column.sort}


def supporter_rows(
    supporters: QuerySet[Supporter], *, columns: list[ListColumn], sort: str
) -> QuerySet[Supporter]:
    """``supporters`` with the chosen columns annotated, ordered by ``sort`` (a column key,
    ``-`` first for descending; empty values last either way; then by name)."""
    annotations = {
        column.annotation[0]: column.annotation[1]() for column in columns if column.annotation
    }
    rows = supporters.select_related("team").annotate(**annotations)
    prefetch = ["do_not_contact"] + (["tags"] if any(c.key == "tags" for c in columns) else [])
    rows = rows.prefetch_related(*prefetch)
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    if key == "name" or key not in {c.key for c in columns} or not COLUMNS[key].sort:
        order = [F(field).desc() if descending else F(field).asc() for field in NAME_SORT]
        return rows.order_by(*order)
    field = F(COLUMNS[key].sort)
    first = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
    return rows.order_by(first, *NAME_SORT)

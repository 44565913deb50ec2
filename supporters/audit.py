"""Reads of the audit trail for people (admins and data staff), and who opened a person's
record lately (their organizers): the page, its CSV and ``/api/v1/audit/`` all call these.

Who may read it is ``organizing.roles.user_may_read_audit`` and
``SupporterAccess.can_see_recent_readers``; reading the trail is itself audited by the
callers (``audit.list``), since it names people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from organizing.models import AuditEvent, User
from organizing.roles import user_may_read_audit

from .models import Supporter
from .selectors import SupporterAccess

# What counts as someone opening a person's record (for "who opened it lately").
READ_ACTIONS = (
    "supporter.view",
    "supporter.brief_viewed",
    "supporter.history_viewed",
)
# Reads that name many people at once, in ``details.ids``.
LIST_ACTIONS = ("supporter.list", "supporter.search")
RECENT_READERS_DAYS = 30


def audit_about_supporter(supporter_id: int) -> Q:
    """Entries about one person: their record itself, or a list, search or read of rows about
    them naming them (``ids`` of a supporters list, ``supporter_ids`` of anything else).

    The ``details @> …`` tests are served by ``audit_details_gin``."""
    supporter_type = ContentType.objects.get_for_model(Supporter)
    return (
        Q(object_type=supporter_type, object_id=str(supporter_id))
        | Q(details__contains={"ids": [supporter_id]}, action__in=LIST_ACTIONS)
        | Q(details__contains={"supporter_ids": [supporter_id]})
    )


def audit_list(
    *,
    viewer: User,
    actor_id: int | None = None,
    supporter_id: int | None = None,
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The audit entries ``viewer`` may read (admins and data staff: all; anyone else:
    PermissionDenied), newest first, narrowed by who did it, about whom, what (an action, or
    all of a kind with a trailing dot: ``supporter.``) and when (``since`` ≤ at < ``until``)."""
    if not user_may_read_audit(viewer):
        raise PermissionDenied(_("Only admins and data staff read the audit trail."))
    events = AuditEvent.objects.select_related("actor", "object_type")
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if supporter_id is not None:
        events = events.filter(audit_about_supporter(supporter_id))
    if action:
        events = (
            events.filter(action__startswith=action)
            if action.endswith(".")
            else events.filter(action=action)
        )
    if since is not None:
        events = events.filter(at__gte=since)
    if until is not None:
        events = events.filter(at__lt=until)
    return events.order_by("-id")


# Offered by the page's "What" box (any other action may be typed).
KNOWN_ACTIONS = (
    "supporter.",
    *READ_ACTIONS,
    *LIST_ACTIONS,
    "supporter.erase",
    "conversation.list",
    "note.list",
    "followup.list",
    "suggestion.list",
    "relationship.list",
    "tagging.list",
    "segment.count",
    "segment.preview",
    "segment.export",
    "export.download",
    "api_key.create",
    "audit.list",
)


@dataclass(frozen=True)
class RecentReader:
    user_id: int
    name: str
    last_at: datetime
    times: int


def supporter_recent_readers(
    *, access: SupporterAccess, days: int = RECENT_READERS_DAYS, limit: int = 10
) -> list[RecentReader]:
    """Who opened this person's record in the last ``days`` (brief, history, the API), most
    recent first: for those who organize them (``can_see_recent_readers``), else nobody.
    One query, through ``audit_object_idx``."""
    if not access.can_see_recent_readers:
        return []
    supporter_type = ContentType.objects.get_for_model(Supporter)
    rows = (
        AuditEvent.objects.filter(
            object_type=supporter_type,
            object_id=str(access.supporter.pk),
            action__in=READ_ACTIONS,
            at__gte=timezone.now() - timedelta(days=days),
            actor__isnull=False,
        )
        .values("actor_id", "actor__full_name", "actor__email")
        .annotate(last_at=Max("at"), times=Count("id"))
        .order_by("-last_at")[:limit]
    )
    return [
        RecentReader(
            user_id=row["actor_id"],
            name=row["actor__full_name"] or row["actor__email"],
            last_at=row["last_at"],
            times=row["times"],
        )
        for row in rows
    ]

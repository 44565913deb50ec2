"""Reads for listening: the brief, the history timeline, follow-up queues and "my people".

Each reads supporters through the one visibility rule and runs a fixed number of queries
whatever the length of a person's history (tests assert the counts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, JSONObject
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from organizing.models import Membership, User
from organizing.roles import team_ids_overseen_by
from supporters.households import Housemate, housemates
from supporters.models import (
    DO_NOT_LABELS,
    Assignment,
    DoNotContact,
    EngagementChange,
    ExternalId,
    HistoryEvent,
    Relationship,
    Supporter,
    SupporterAddress,
    SupporterEmail,
    SupporterPhone,
    SupporterTag,
)
from supporters.redaction import Redactor
from supporters.selectors import (
    SupporterAccess,
    supporter_access_get,
    supporter_access_of_visible,
    supporter_list,
)

from .models import (
    Conversation,
    FollowUp,
    Issue,
    IssueMention,
    Note,
    NoteRevision,
    Suggestion,
    SurveyResponse,
)

HISTORY_PAGE_SIZE = 50


BRIEF_REMEMBER_LINES = 12


def _note_count(kind: str) -> Coalesce:
    return Coalesce(
        Subquery(
            Note.objects.filter(supporter=OuterRef("pk"), kind=kind)
            .values("supporter")
            .annotate(n=Count("id"))
            .values("n")
        ),
        0,
    )


def _supporter_with_details(*, viewer: User, pk: int) -> Supporter:
    """One visible supporter with contact points, consent, tags and team organizers, in one query."""
    # The visibility rule decides (a 404 outside it); details ride on the same query.
    supporter = (
        supporter_list(viewer=viewer)
        .select_related("team", "engagement_override_by", "household")
        .annotate(
            email_list=ArraySubquery(
                SupporterEmail.objects.filter(supporter=OuterRef("pk"))
                .order_by("-is_primary", "id")
                .values(json=JSONObject(address="address", label="label", is_valid="is_valid"))
            ),
            phone_list=ArraySubquery(
                SupporterPhone.objects.filter(supporter=OuterRef("pk"))
                .order_by("-is_primary", "id")
                .values(
                    json=JSONObject(
                        number="number",
                        kind="kind",
                        label="label",
                        line_type="line_type",
                        is_valid="is_valid",
                    )
                )
            ),
            address_list=ArraySubquery(
                SupporterAddress.objects.filter(supporter=OuterRef("pk"))
                .order_by("-is_primary", "id")
                .values(
                    json=JSONObject(
                        line1="line1",
                        line2="line2",
                        city="city",
                        state="state",
                        postal_code="postal_code",
                        county="county",
                        is_valid="is_valid",
                    )
                )
            ),
            blocked_channels=ArraySubquery(
                DoNotContact.objects.filter(supporter=OuterRef("pk"))
                .order_by("channel")
                .values("channel")
            ),
            tag_names=ArraySubquery(
                SupporterTag.objects.filter(supporter=OuterRef("pk"))
                .order_by("tag__name")
                .values("tag__name")
            ),
            last_engagement_change=ArraySubquery(
                EngagementChange.objects.filter(supporter=OuterRef("pk"))
                .order_by("-at", "-id")
                .values(
                    json=JSONObject(
                        from_level="from_level",
                        to_level="to_level",
                        at="at",
                        rule="rule",
                        by_name="changed_by__full_name",
                        by_email="changed_by__email",
                    )
                )[:1]
            ),
            # Ids in other systems (VAN, voter file…), shown small to organizers.
            external_id_list=ArraySubquery(
                ExternalId.objects.filter(supporter=OuterRef("pk"))
                .order_by("system")
                .values(json=JSONObject(system="system", value="value"))
            ),
            remember_total=_note_count(Note.Kind.REMEMBER),
            sensitive_total=_note_count(Note.Kind.SENSITIVE),
            organizer_names=ArraySubquery(
                Membership.objects.filter(team=OuterRef("team"), role=Membership.Role.ORGANIZER)
                .order_by("user__full_name")
                .values(json=JSONObject(name="user__full_name", email="user__email"))
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if supporter is None:
        raise Http404(_("No such supporter."))
    return supporter


def _top_issues(supporter: Supporter, limit: int = 3) -> list[Issue]:
    """The issues a person raised most: picked on the form or heard by the listener."""

    def per_issue(queryset) -> Coalesce:
        counted = queryset.values("issue").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted), 0)

    picked = Conversation.issues.through.objects.filter(
        issue=OuterRef("pk"), conversation__supporter=supporter
    )
    heard = IssueMention.objects.filter(issue=OuterRef("pk"), conversation__supporter=supporter)
    return list(
        Issue.objects.annotate(times_raised=per_issue(picked) + per_issue(heard))
        .filter(times_raised__gt=0)
        .order_by("-times_raised", "name")[:limit]
    )


@dataclass
class Brief:
    """What a volunteer reads before knocking or dialing."""

    supporter: Supporter
    can_see_sensitive: bool
    consent_warnings: list[str]
    remember: list[Note]
    sensitive: list[Note]
    sensitive_count: int
    remember_more: int
    ask_whom: list[dict]
    top_issues: list[Issue]
    last_conversations: list[Conversation]
    open_followups: list[FollowUp]
    relationships: list[Relationship]
    suggestions: list[Suggestion]
    pinned: list[Note] = field(default_factory=list)
    access: SupporterAccess | None = None
    can_organize: bool = False
    # Who else lives at their door, linked only where the viewer may see them.
    housemates: list[Housemate] = field(default_factory=list)

    @property
    def engagement_step(self) -> EngagementStep | None:
        """The latest step on the ladder: "moved from Supporter to Volunteer on Nov 12 after
        a first event" (read with the supporter, no query of its own)."""
        latest = getattr(self.supporter, "last_engagement_change", None)
        return EngagementStep.from_json(latest[0]) if latest else None


@dataclass(frozen=True)
class EngagementStep:
    from_label: str
    to_label: str
    at: datetime
    why: str
    by_hand: bool
    by: str
    is_up: bool

    @classmethod
    def from_json(cls, row: dict) -> EngagementStep:
        levels = dict(Supporter.EngagementLevel.choices)
        return cls(
            from_label=levels[row["from_level"]],
            to_label=levels[row["to_level"]],
            at=parse_datetime(row["at"]) if isinstance(row["at"], str) else row["at"],
            why=str(dict(EngagementChange.Rule.choices).get(row["rule"], row["rule"])),
            by_hand=row["rule"] in (EngagementChange.Rule.BY_HAND, "override_cleared"),
            by=row.get("by_name") or row.get("by_email") or "",
            is_up=row["to_level"] > row["from_level"],
        )


def brief_get(*, viewer: User, pk: int) -> Brief:
    """The brief for supporter ``pk`` as ``viewer`` may see it (404 outside their scope).

    Sensitive text (notes, what was heard in confidence, suggestions drawn from it) is
    redacted by ``supporters.redaction`` for anyone without ``can_see_sensitive``; they learn
    that it exists and whom to ask.
    """
    supporter = _supporter_with_details(viewer=viewer, pk=pk)
    access = supporter_access_of_visible(viewer, supporter)
    can_see_sensitive = access.can_see_sensitive
    redact = Redactor(viewer, can_see_sensitive=can_see_sensitive)
    # The newest lines only: a long history keeps the brief short (the rest is in History).
    notes = list(
        Note.objects.filter(supporter=supporter)
        .filter(Q(kind__in=[Note.Kind.REMEMBER, Note.Kind.SENSITIVE]) | Q(is_pinned=True))
        .select_related("author", "conversation__volunteer")
        .order_by("-is_pinned", "-created_at", "-id")[: BRIEF_REMEMBER_LINES * 2]
    )
    sensitive = [n for n in notes if n.kind == Note.Kind.SENSITIVE][:BRIEF_REMEMBER_LINES]
    remember = [n for n in notes if n.kind == Note.Kind.REMEMBER][:BRIEF_REMEMBER_LINES]
    pinned = [note for note in notes if note.kind == Note.Kind.GENERAL]
    blocked = set(supporter.blocked_channels)
    warnings = [label for channel, label in DO_NOT_LABELS.items() if channel in blocked]
    return Brief(
        supporter=supporter,
        access=access,
        can_see_sensitive=can_see_sensitive,
        can_organize=access.can_organize,
        consent_warnings=warnings,
        remember=remember,
        pinned=pinned,
        sensitive=sensitive if can_see_sensitive else [],
        sensitive_count=supporter.sensitive_total,
        remember_more=max(0, supporter.remember_total - len(remember)),
        ask_whom=supporter.organizer_names,
        top_issues=_top_issues(supporter),
        last_conversations=redact.conversations(
            Conversation.objects.filter(supporter=supporter)
            .select_related("volunteer")
            .prefetch_related("issues")
            .order_by("-happened_at", "-id")[:3]
        ),
        open_followups=list(
            FollowUp.objects.filter(supporter=supporter, status=FollowUp.Status.OPEN)
            .select_related("assignee")
            .order_by("due_at")[:10]
        ),
        relationships=list(
            Relationship.objects.filter(Q(supporter=supporter) | Q(other_supporter=supporter))
            .select_related("known_by", "other_supporter", "supporter")
            .order_by("kind", "id")[:20]
        ),
        # Suggestions drawn from what was heard in confidence are for those who may read it.
        suggestions=[
            suggestion
            for suggestion in redact.suggestions(
                Suggestion.objects.filter(supporter=supporter, status=Suggestion.Status.SUGGESTED)
                .select_related("conversation")
                .order_by("-created_at")[:10]
            )
            if not suggestion.is_redacted
        ],
        housemates=housemates(viewer=viewer, supporter=supporter),
    )


@dataclass
class HistoryPage:
    supporter: Supporter
    events: list[HistoryEvent]
    next_cursor: str | None
    can_see_sensitive: bool


def _parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        stamp, _separator, event_id = cursor.rpartition("_")
        at = datetime.fromisoformat(stamp)
        return (at, int(event_id)) if at.tzinfo else None
    except ValueError:
        return None


def history_page(
    *, viewer: User, pk: int, cursor: str | None = None, size: int = HISTORY_PAGE_SIZE
) -> HistoryPage:
    """One page of a supporter's timeline, newest first, continuing before ``cursor``.

    Keyset paging on (at, id): every page costs the same whatever the history's length. A
    malformed cursor starts from the newest. Events about notes carry ``note`` (with its
    revisions) and events about conversations carry ``conversation`` (with its issues).
    """
    access = supporter_access_get(viewer=viewer, pk=pk)
    supporter, can_see_sensitive = access.supporter, access.can_see_sensitive
    redact = Redactor(viewer, can_see_sensitive=can_see_sensitive)
    events = HistoryEvent.objects.filter(supporter=supporter).select_related("actor")
    after = _parse_cursor(cursor)
    if after is not None:
        at, event_id = after
        events = events.filter(Q(at__lt=at) | Q(at=at, id__lt=event_id))
    page = list(events.order_by("-at", "-id")[: size + 1])
    more = len(page) > size
    page = page[:size]

    ids: dict[str, set[int]] = {"conversation": set(), "note": set()}
    for event in page:
        if event.subject_type in ids and event.subject_id is not None:
            ids[event.subject_type].add(event.subject_id)
    conversations = {}
    if ids["conversation"]:
        conversations = {
            c.pk: c
            for c in Conversation.objects.filter(pk__in=ids["conversation"])
            .select_related("volunteer")
            .prefetch_related(
                "issues",
                Prefetch(
                    "responses",
                    queryset=SurveyResponse.objects.select_related("question", "choice"),
                ),
            )
        }
    notes = {}
    if ids["note"]:
        notes = {
            n.pk: n
            for n in Note.objects.filter(pk__in=ids["note"]).prefetch_related(
                Prefetch(
                    "revisions",
                    queryset=NoteRevision.objects.select_related("edited_by").order_by(
                        "-edited_at", "-id"
                    ),
                )
            )
        }
    redact.conversations(conversations.values())
    redact.notes(notes.values())
    for event in redact.history_events(page):
        event.conversation = (
            conversations.get(event.subject_id) if event.subject_type == "conversation" else None
        )
        event.note = notes.get(event.subject_id) if event.subject_type == "note" else None
        # A line about a note shows the note as it is now (its words redacted, or not, by
        # the note's own kind); the line's summary, which may hold what the note said while
        # it was sensitive, is never shown for it.
        event.is_hidden = event.note.is_redacted if event.note is not None else event.is_redacted
    next_cursor = f"{page[-1].at.isoformat()}_{page[-1].pk}" if more and page else None
    return HistoryPage(
        supporter=supporter,
        events=page,
        next_cursor=next_cursor,
        can_see_sensitive=can_see_sensitive,
    )


def followup_list_due(*, viewer: User, now: datetime | None = None) -> QuerySet[FollowUp]:
    """The viewer's open follow-ups due by the end of today (local time), most overdue first."""
    now = now or timezone.now()
    end_of_today = timezone.localtime(now).replace(
        hour=23, minute=59, second=59, microsecond=999999
    )
    return (
        FollowUp.objects.filter(
            assignee=viewer,
            status=FollowUp.Status.OPEN,
            due_at__lte=end_of_today,
            supporter__in=supporter_list(viewer=viewer),
        )
        .select_related("supporter")
        .order_by("due_at", "id")
    )


def followup_list_queue(
    *, viewer: User, due_only: bool = True, now: datetime | None = None
) -> QuerySet[FollowUp]:
    """Open follow-ups on the supporters an organizer looks after, grouped by assignee.

    ``due_only`` keeps those due by the end of today and overdue.
    """
    now = now or timezone.now()
    followups = FollowUp.objects.filter(
        status=FollowUp.Status.OPEN, supporter__team_id__in=team_ids_overseen_by(viewer)
    )
    if due_only:
        end_of_today = timezone.localtime(now).replace(
            hour=23, minute=59, second=59, microsecond=999999
        )
        followups = followups.filter(due_at__lte=end_of_today)
    return followups.select_related("supporter", "supporter__team", "assignee").order_by(
        F("assignee__full_name").asc(nulls_first=True), "assignee_id", "due_at", "id"
    )


def supporter_list_mine(*, viewer: User) -> QuerySet[Supporter]:
    """The viewer's own people: assigned to them or known to them, most urgent first.

    Each carries ``next_due`` (the earliest open follow-up the viewer holds for them) and
    ``last_contact_at``; people with something due come first, then by name.
    """
    own = Supporter.objects.filter(
        Q(pk__in=Assignment.objects.active().filter(volunteer=viewer).values("supporter_id"))
        | Q(pk__in=Relationship.objects.filter(known_by=viewer).values("supporter_id"))
    )
    return (
        own.annotate(
            next_due=Subquery(
                FollowUp.objects.filter(
                    supporter=OuterRef("pk"), assignee=viewer, status=FollowUp.Status.OPEN
                )
                .order_by("due_at")
                .values("due_at")[:1]
            ),
            last_contact_at=supporter_last_contact_at(),
        )
        .select_related("team")
        .prefetch_related("do_not_contact")
        .order_by(F("next_due").asc(nulls_last=True), "family_name", "given_name", "id")
    )


def supporter_last_contact_at() -> Subquery:
    """Annotation: when the supporter (``OuterRef("pk")``) was last in a conversation."""
    return Subquery(
        Conversation.objects.filter(supporter=OuterRef("pk"))
        .order_by("-happened_at")
        .values("happened_at")[:1]
    )

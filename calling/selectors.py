"""Reads for phone banking: which call lists a viewer sees, who is ready to be called, why the
others are not, and how a list is going.

The people on a list are read through the one visibility rule wherever they are shown; the
caller's own person comes to them through the lease (``calling.hooks``), which is part of that
rule. "Ready to be called" is one condition (``target_ready_condition``): the claim, the
queue's reasons and the API all use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conversations import field_checks
from conversations.models import Conversation, FollowUp
from organizing.models import User
from organizing.roles import (
    user_is_organization_wide,
    user_organizes,
    user_team_ids,
    user_works_for_team,
)
from supporters.models import Channel, DoNotContact, SupporterPhone

from .models import CallAttempt, CallList, CallTarget

# What to check by hand: one rule for walk and call lists (conversations.field_checks).
SECONDS_APART = field_checks.SECONDS_APART["phone"]
CONTACT_RESULTS = (
    CallAttempt.Result.TALKED,
    CallAttempt.Result.CALL_BACK,
    CallAttempt.Result.REFUSED,
)


def call_list_list(*, viewer: User) -> QuerySet[CallList]:
    """The call lists ``viewer`` may see: their teams' (any role); data staff and admins every
    list. Newest first."""
    lists = CallList.objects.select_related("team", "created_by")
    if user_is_organization_wide(viewer):
        return lists
    return lists.filter(team_id__in=user_team_ids(viewer))


@dataclass(frozen=True)
class CallListAccess:
    """A call list the viewer sees, with what they may do: ``can_manage`` (change it, read its
    queue and progress: those who organize its team) and ``can_call`` (take calls from it:
    anyone who works for its team, while it is open)."""

    call_list: CallList
    can_manage: bool
    can_call: bool


def call_list_access(viewer: User, call_list: CallList) -> CallListAccess:
    return CallListAccess(
        call_list=call_list,
        can_manage=user_organizes(viewer, call_list.team_id),
        can_call=call_list.status == CallList.Status.OPEN
        and user_works_for_team(viewer, call_list.team_id),
    )


def call_list_get(*, viewer: User, pk: int) -> CallListAccess:
    """Call list ``pk`` with what ``viewer`` may do with it; outside their scope a 404."""
    call_list = call_list_list(viewer=viewer).filter(pk=pk).first()
    if call_list is None:
        raise Http404("No such call list.")
    return call_list_access(viewer, call_list)


# --- who is ready to be called ---------------------------------------------------------------


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.ORGANIZATION_TIME_ZONE)


def zones_in_calling_hours(call_list: CallList, now: datetime) -> list[str]:
    """The list's time zones in which it is now within its calling hours."""
    inside = []
    for name in call_list.time_zones:
        local = now.astimezone(zone_of(name)).time()
        if call_list.calling_starts <= local < call_list.calling_ends:
            inside.append(name)
    return inside


def _has_phone() -> Exists:
    return Exists(
        SupporterPhone.objects.filter(supporter=OuterRef("supporter_id")).exclude(is_valid=False)
    )


def _do_not_call() -> Exists:
    return Exists(
        DoNotContact.objects.filter(supporter=OuterRef("supporter_id"), channel=Channel.CALL)
    )


def _called_since(since: datetime) -> Exists:
    return Exists(
        Conversation.objects.filter(
            supporter=OuterRef("supporter_id"),
            channel=Conversation.Channel.PHONE,
            happened_at__gte=since,
        )
    )


def _in_zones(zones: list[str]) -> Q:
    """In one of ``zones``; with none, nobody (a condition SQL can still say)."""
    if zones:
        return Q(time_zone__in=zones)
    return Q(ExpressionWrapper(Value(False), output_field=BooleanField()))


def _lease_free(now: datetime) -> Q:
    return Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)


def _not_waiting(now: datetime) -> Q:
    return Q(available_after__isnull=True) | Q(available_after__lte=now)


def _not_recent(call_list: CallList, since: datetime) -> Q:
    """Nobody called since ``since``, unless they asked us to call back."""
    if not call_list.recent_days:
        return Q()
    return Q(status=CallTarget.Status.CALL_BACK) | ~Q(_called_since(since))


def target_ready_condition(
    call_list: CallList, now: datetime, *, zones: list[str] | None = None, since=None
) -> Q:
    """THE rule for whom "Next call" may offer now: on the list and not done with, held by
    nobody (or their lease ran out), not held back until later, inside calling hours in their
    time zone, with a phone number not known to be wrong, never do-not-call, and not called
    in the last ``recent_days`` days (unless they asked for a call back).

    ``zones`` (the list's zones inside calling hours now) and ``since`` (the start of the
    "called recently" window) are worked out from ``now`` unless given."""
    if zones is None:
        zones = zones_in_calling_hours(call_list, now)
    if since is None:
        since = now - timedelta(days=call_list.recent_days)
    return (
        Q(call_list=call_list, status__in=CallTarget.OPEN_STATUSES)
        & _lease_free(now)
        & _not_waiting(now)
        & _in_zones(zones)
        & Q(_has_phone())
        & ~Q(_do_not_call())
        & _not_recent(call_list, since)
    )


class Blocked:
    """Why an open person is not offered now, in the order the queue names them."""

    DO_NOT_CALL = "do_not_call"
    NO_PHONE = "no_phone"
    CLAIMED = "claimed"
    WAITING = "waiting"
    CALLED_RECENTLY = "called_recently"
    OUTSIDE_HOURS = "outside_hours"
    READY = "ready"

    LABELS = {
        DO_NOT_CALL: _("Do not call"),
        NO_PHONE: _("No phone number"),
        CLAIMED: _("With a caller now"),
        WAITING: _("Call back later / skipped: not yet"),
        CALLED_RECENTLY: _("Called recently"),
        OUTSIDE_HOURS: _("Outside calling hours where they live"),
        READY: _("Ready to call"),
    }


def _reason(call_list: CallList, now: datetime) -> Case:
    recent = Value(False)
    if call_list.recent_days:
        recent = _called_since(now - timedelta(days=call_list.recent_days))
    return Case(
        When(Q(_do_not_call()), then=Value(Blocked.DO_NOT_CALL)),
        When(~Q(_has_phone()), then=Value(Blocked.NO_PHONE)),
        When(~_lease_free(now), then=Value(Blocked.CLAIMED)),
        When(~_not_waiting(now), then=Value(Blocked.WAITING)),
        When(
            Q(recent) & ~Q(status=CallTarget.Status.CALL_BACK),
            then=Value(Blocked.CALLED_RECENTLY),
        )
        if call_list.recent_days
        else When(Q(pk__in=[]), then=Value(Blocked.CALLED_RECENTLY)),
        When(
            ~_in_zones(zones_in_calling_hours(call_list, now)),
            then=Value(Blocked.OUTSIDE_HOURS),
        ),
        default=Value(Blocked.READY),
    )


@dataclass
class QueueStatus:
    """Where a list stands: people by status, the open ones by why they are (not) offered,
    who holds whom, and the first few blocked people with their reason."""

    total: int
    by_status: dict[str, int]
    by_reason: dict[str, int]
    claimed_by: list[dict]
    blocked_people: list[CallTarget]
    zones_now: list[str]

    @property
    def ready(self) -> int:
        return self.by_reason.get(Blocked.READY, 0)

    @property
    def remaining(self) -> int:
        return sum(self.by_status.get(status, 0) for status in CallTarget.OPEN_STATUSES)

    def reason_rows(self) -> list[tuple[str, str, int]]:
        return [
            (key, label, self.by_reason[key])
            for key, label in Blocked.LABELS.items()
            if self.by_reason.get(key)
        ]

    def status_rows(self) -> list[tuple[str, str, int]]:
        return [
            (value, label, self.by_status.get(value, 0))
            for value, label in CallTarget.Status.choices
        ]


def call_list_queue(*, call_list: CallList, now: datetime | None = None) -> QueueStatus:
    """The queue as its organizer sees it (the caller's "nobody to call" page too), in four
    queries whatever the list's length. The reasons come from the same conditions as the
    claim, so a queue that runs dry says why."""
    now = now or timezone.now()
    targets = CallTarget.objects.filter(call_list=call_list)
    by_status = dict(
        targets.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    open_targets = targets.filter(status__in=CallTarget.OPEN_STATUSES).annotate(
        reason=_reason(call_list, now)
    )
    by_reason = dict(open_targets.values_list("reason").annotate(n=Count("id")))
    claimed_by = list(
        targets.filter(claimed_by__isnull=False, lease_expires_at__gt=now)
        .values("claimed_by_id", "claimed_by__full_name", "claimed_by__email")
        .annotate(n=Count("id"))
        .order_by("claimed_by__full_name")
    )
    blocked = list(
        open_targets.exclude(reason=Blocked.READY)
        .select_related("supporter", "claimed_by")
        .order_by("id")[:25]
    )
    for target in blocked:
        target.reason_label = Blocked.LABELS[target.reason]
    return QueueStatus(
        total=sum(by_status.values()),
        by_status=by_status,
        by_reason=by_reason,
        claimed_by=claimed_by,
        blocked_people=blocked,
        zones_now=zones_in_calling_hours(call_list, now),
    )


# --- progress --------------------------------------------------------------------------------


@dataclass
class ProgressRow:
    key: object  # a user id, or a date
    label: str
    calls: int
    contacts: int
    remembered: int
    followups: int
    seconds_apart: int = 0

    @property
    def contact_rate(self) -> float:
        return self.contacts / self.calls if self.calls else 0.0

    @property
    def contact_rate_flag(self) -> bool:
        return field_checks.contact_rate_suspicious(self.calls, self.contacts)

    @property
    def seconds_apart_flag(self) -> bool:
        return self.seconds_apart > 0


@dataclass
class Progress:
    by_volunteer: list[ProgressRow]
    by_day: list[ProgressRow]
    total: ProgressRow
    messages: list[CallAttempt]


def _rows(attempts: QuerySet, group: str) -> dict:
    contacts = Q(result__in=CONTACT_RESULTS)
    followups = FollowUp.objects.filter(source_conversation=OuterRef("conversation_id"))
    return {
        row[group]: row
        for row in attempts.annotate(has_followup=Exists(followups))
        .values(group)
        .annotate(
            calls=Count("id"),
            contacts=Count("id", filter=contacts),
            remembered_sum=Sum("remembered"),
            followups=Count("id", filter=Q(has_followup=True)),
        )
        .order_by(group)
    }


def _seconds_apart(call_list: CallList) -> dict[int, int]:
    """Per caller, how many of their calls came less than SECONDS_APART after their last."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT caller_id, COUNT(*) FROM (
                SELECT caller_id, created_at - LAG(created_at) OVER (
                    PARTITION BY caller_id ORDER BY created_at) AS gap
                FROM calling_callattempt
                WHERE call_list_id = %s AND result <> 'skipped' AND caller_id IS NOT NULL
            ) AS gaps
            WHERE gap < make_interval(secs => %s)
            GROUP BY caller_id
            """,
            [call_list.pk, SECONDS_APART],
        )
        return dict(cursor.fetchall())


def call_list_progress(*, call_list: CallList) -> Progress:
    """Calls made, contacts, contact rate, things remembered and follow-ups made, by caller
    and by day (in the organization's time zone), with MiniVAN's two hand checks flagged: a
    contact rate near 100%, and calls logged seconds apart. Skips are not calls."""
    attempts = CallAttempt.objects.filter(call_list=call_list).exclude(
        result=CallAttempt.Result.SKIPPED
    )
    names = {
        user.pk: user.full_name or user.email
        for user in User.objects.filter(pk__in=attempts.values("caller_id").distinct()).only(
            "full_name", "email"
        )
    }
    apart = _seconds_apart(call_list)

    def row(key, label, data) -> ProgressRow:
        return ProgressRow(
            key=key,
            label=label,
            calls=data["calls"],
            contacts=data["contacts"],
            remembered=data["remembered_sum"] or 0,
            followups=data["followups"],
            seconds_apart=apart.get(key, 0) if isinstance(key, int) else 0,
        )

    by_volunteer = [
        row(key, names.get(key, str(_("someone"))), data)
        for key, data in _rows(attempts, "caller_id").items()
    ]
    by_volunteer.sort(key=lambda r: -r.calls)
    day_rows = _rows(
        attempts.annotate(day=TruncDate("created_at", tzinfo=ZoneInfo(settings.TIME_ZONE))), "day"
    )
    by_day = [row(day, f"{day:%a %b %-d}", data) for day, data in sorted(day_rows.items())]
    total = ProgressRow(
        key=None,
        label=str(_("All")),
        calls=sum(r.calls for r in by_volunteer),
        contacts=sum(r.contacts for r in by_volunteer),
        remembered=sum(r.remembered for r in by_volunteer),
        followups=sum(r.followups for r in by_volunteer),
        seconds_apart=sum(apart.values()),
    )
    messages = list(
        CallAttempt.objects.filter(call_list=call_list)
        .exclude(message_to_organizer="")
        .select_related("caller", "supporter")
        .order_by("-created_at")[:20]
    )
    return Progress(by_volunteer=by_volunteer, by_day=by_day, total=total, messages=messages)


def call_target_held(*, viewer: User, call_list: CallList, now: datetime | None = None):
    """The person ``viewer`` holds on this list now, or None."""
    now = now or timezone.now()
    return (
        CallTarget.objects.filter(call_list=call_list, claimed_by=viewer, lease_expires_at__gt=now)
        .select_related("supporter")
        .first()
    )

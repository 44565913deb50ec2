"""Follow-up scheduling: the organizer's rules (``FollowUpRule``) applied to a conversation.

Who: the volunteer who knows the person (a relationship), else the last volunteer who talked
with them, else an organizer of their team. How: the channel of the conversation, else another
they have not said no to; never a channel they refused. When: the rule's delay, or the time
they asked for, read in their time zone. Never two open follow-ups for one person and reason
(``followup_create`` guarantees it), and nothing when a person already made one from this
conversation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizing.models import Membership, User
from supporters.models import Channel, DoNotContact, Relationship, Supporter, SupporterEnrichment

from .models import Conversation, FollowUp, FollowUpRule, SurveyResponse

# Only a supporter's latest conversation, and a recent one, schedules anything: an older one
# (an import, a late sync) has been overtaken by what happened since.
SCHEDULING_WINDOW = timedelta(days=14)
UNDECIDED_SUPPORT = 3

# The channel a conversation happened on, as a consent channel; then the fallbacks in order.
_CHANNEL_OF = {
    Conversation.Channel.DOOR: Channel.VISIT,
    Conversation.Channel.PHONE: Channel.CALL,
    Conversation.Channel.TEXT: Channel.TEXT,
    Conversation.Channel.RELATIONAL: Channel.CALL,
    Conversation.Channel.EVENT: Channel.CALL,
    Conversation.Channel.OTHER: Channel.CALL,
}
_FALLBACK_CHANNELS = [Channel.CALL, Channel.TEXT, Channel.VISIT, Channel.EMAIL]


@dataclass(frozen=True)
class Plan:
    rule: FollowUpRule
    due_at: datetime
    assignee: User | None
    channel: str


def supporter_time_zone(supporter: Supporter) -> str:
    """Their time zone from their address's ZIP (enrichment), else the organization's."""
    zone = (
        SupporterEnrichment.objects.filter(supporter=supporter)
        .values_list("time_zone", flat=True)
        .first()
    )
    return zone or settings.ORGANIZATION_TIME_ZONE


def trigger_for(conversation: Conversation) -> str:
    if conversation.outcome != Conversation.Outcome.TALKED:
        return conversation.outcome
    # "Call me back next Tuesday after 5" in what we heard is a callback request, whatever
    # outcome the volunteer tapped.
    if conversation.asked_followup_at:
        return FollowUpRule.Trigger.CALLBACK_REQUESTED
    answer = (
        SurveyResponse.objects.filter(conversation=conversation, question__slug="support")
        .values_list("choice__value", flat=True)
        .first()
    )
    level = int(answer) if answer and answer.isdigit() else conversation.supporter.support_level
    return FollowUpRule.Trigger.UNDECIDED if level == UNDECIDED_SUPPORT else ""


def assignee_for(conversation: Conversation, rule: FollowUpRule) -> User | None:
    supporter = conversation.supporter
    if rule.action == FollowUpRule.Action.DATA_STAFF:
        membership = (
            Membership.objects.filter(role=Membership.Role.DATA_STAFF, user__is_active=True)
            .select_related("user")
            .order_by("user_id")
            .first()
        )
        return membership.user if membership else None
    relationship = (
        Relationship.objects.filter(supporter=supporter, known_by__is_active=True)
        .select_related("known_by")
        .order_by("-created_at", "-id")
        .first()
    )
    if relationship is not None:
        return relationship.known_by
    last = (
        Conversation.objects.filter(supporter=supporter, volunteer__is_active=True)
        .select_related("volunteer")
        .order_by("-happened_at", "-id")
        .first()
    )
    if last is not None:
        return last.volunteer
    membership = (
        Membership.objects.filter(
            team_id=supporter.team_id, role=Membership.Role.ORGANIZER, user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
        .first()
    )
    return membership.user if membership else None


def channel_for(conversation: Conversation) -> str | None:
    """A channel to use, never one they said no to; None when every usable one is refused."""
    supporter = conversation.supporter
    refused = set(
        DoNotContact.objects.filter(supporter=supporter).values_list("channel", flat=True)
    )
    usable = {
        Channel.CALL: supporter.phones.exists(),
        Channel.TEXT: supporter.phones.exists(),
        Channel.VISIT: supporter.addresses.exists(),
        Channel.EMAIL: supporter.emails.exists(),
    }
    first = _CHANNEL_OF.get(conversation.channel, Channel.CALL)
    for channel in [first, *_FALLBACK_CHANNELS]:
        if channel not in refused and (channel == first or usable.get(channel)):
            return channel
    return None


def plan_for(conversation: Conversation, *, now: datetime | None = None) -> Plan | None:
    """What the rules say to schedule after ``conversation``, or None. Reads only."""
    now = now or timezone.now()
    if conversation.happened_at < now - SCHEDULING_WINDOW:
        return None
    latest = (
        Conversation.objects.filter(supporter_id=conversation.supporter_id)
        .order_by("-happened_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if latest != conversation.pk:
        return None
    trigger = trigger_for(conversation)
    rule = FollowUpRule.objects.filter(trigger=trigger, is_active=True).first() if trigger else None
    if rule is None or rule.action == FollowUpRule.Action.NONE:
        return None
    # A person already chose a follow-up from this conversation: theirs stands.
    if FollowUp.objects.filter(source_conversation=conversation).exists():
        return None
    if rule.action == FollowUpRule.Action.DATA_STAFF:
        channel = ""
    else:
        channel = channel_for(conversation)
        if channel is None:
            return None
    due_at = conversation.happened_at + timedelta(hours=rule.delay_hours)
    if rule.action == FollowUpRule.Action.ASKED_TIME and conversation.asked_followup_at:
        due_at = conversation.asked_followup_at
    return Plan(
        rule=rule,
        due_at=max(due_at, now),
        assignee=assignee_for(conversation, rule),
        channel=channel,
    )


# The rules migration 0005 seeds (kept there too: migrations don't import app code).
DEFAULT_RULES = [
    # trigger, action, delay_hours, reason
    ("not_home", "retry", 48, "Try again (not home)"),
    ("callback_requested", "asked_time", 24, "Call back when they asked"),
    ("undecided", "retry", 168, "Check in again (undecided)"),
    ("refused", "none", 0, ""),
    ("moved", "data_staff", 0, "Moved: update their address"),
]


def followup_rules_ensure_defaults() -> int:
    """Add any default rule that is missing (never changes an organizer's edits)."""
    made = 0
    for trigger, action, delay_hours, reason in DEFAULT_RULES:
        _rule, created = FollowUpRule.objects.get_or_create(
            trigger=trigger,
            defaults={"action": action, "delay_hours": delay_hours, "reason": reason},
        )
        made += created
    return made


# A follow-up someone asks for is in the future: one set in the past was either already done
# (then log it as done) or a slip of the date picker. The grace covers a phone's clock a few
# minutes behind the server's.
PAST_FOLLOWUP = _("That's in the past — log it as already done?")
PAST_FOLLOWUP_GRACE = timedelta(minutes=5)


def followup_is_past(due_at: datetime) -> bool:
    """Whether a follow-up asked for at ``due_at`` would be due before now (less the grace)."""
    return due_at < timezone.now() - PAST_FOLLOWUP_GRACE

"""Storing what listening heard: the rules (``rules``) run over one conversation, and what they
find (sentiment, issues mentioned, suggested things to remember, the asked follow-up time)
is written with its provenance (``rules.ENRICHER``, ``rules.VERSION``), then the follow-up
rules apply. ``conversations.tasks`` only calls in here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from organizing.dispatch import advisory_lock
from organizing.roles import SYSTEM
from supporters.enrichment.pipeline import engagement_recompute
from supporters.history import history_record
from supporters.models import HistoryEvent

from ..followups import plan_for, supporter_time_zone
from ..models import Conversation, Issue, IssueMention, Note, Suggestion
from ..services import followup_create
from . import rules
from .language import languages_in

SWEEP_BATCH_SIZE = 200
SWEEP_BATCHES = 25
RECENT = timedelta(days=2)
GRACE = timedelta(minutes=1)  # the sweep leaves the last minute to the task a save enqueued


def _issue_phrases(languages: set[str]) -> dict[int, list[str]]:
    """Each active issue's name and its phrases in ``languages``."""
    phrases: dict[int, list[str]] = defaultdict(list)
    for issue in Issue.objects.filter(is_active=True).prefetch_related("phrases"):
        phrases[issue.pk] = [
            issue.name,
            *(p.phrase for p in issue.phrases.all() if p.language in languages),
        ]
    return phrases


def conversation_listen(conversation_id: int, *, force: bool = False) -> bool:
    """Listen to one conversation and apply the scheduling rules; False if nothing to do.

    Holds the conversation's row lock, so two deliveries of the same task run one after the
    other and the second finds the work done. Suggestions are unique per supporter and text,
    issue mentions per conversation and issue, rule follow-ups per source conversation.
    """
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("supporter")
            .filter(pk=conversation_id)
            .first()
        )
        if conversation is None:
            return False
        if conversation.listening_version >= rules.VERSION and not force:
            return False
        heard = conversation.heard or ""
        language = conversation.language
        time_zone = supporter_time_zone(conversation.supporter)
        conversation.sentiment = rules.sentiment(heard, language)
        conversation.asked_followup_at = rules.followup_time(
            heard, heard_at=conversation.happened_at, time_zone=time_zone, language=language
        )
        conversation.listened_at = timezone.now()
        conversation.listening_version = rules.VERSION
        conversation.save(
            update_fields=["sentiment", "asked_followup_at", "listened_at", "listening_version"]
        )

        # Phrases in the conversation's language; in the other's too where its words are there.
        issues = rules.issues_heard(heard, _issue_phrases({language} | languages_in(heard)))
        IssueMention.objects.bulk_create(
            [
                IssueMention(
                    conversation=conversation,
                    issue_id=issue_id,
                    phrase=phrase[:80],
                    enricher=rules.ENRICHER,
                    version=rules.VERSION,
                )
                for issue_id, phrase in issues.items()
            ],
            ignore_conflicts=True,
        )
        _suggest(conversation, rules.things_to_remember(heard, language))

        plan = plan_for(conversation)
        if plan is not None:
            followup_create(
                actor=SYSTEM,
                supporter=conversation.supporter,
                assignee=plan.assignee,
                due_at=plan.due_at,
                reason=plan.rule.reason,
                source_conversation=conversation,
                source_rule=plan.rule.source_rule,
                channel=plan.channel,
            )
    engagement_recompute(conversation.supporter_id)
    return True


def _suggest(conversation: Conversation, found: list[rules.Suggested]) -> int:
    """Store new suggestions (never one the person already has, waiting, confirmed or not)."""
    if not found:
        return 0
    # Never suggest what they already have: a suggestion (waiting, confirmed or dismissed)
    # or a note a person wrote with the same words.
    known = {
        text.lower()
        for text in Suggestion.objects.filter(supporter_id=conversation.supporter_id).values_list(
            "text", flat=True
        )
    } | {
        body.strip().lower()
        for body in Note.objects.filter(supporter_id=conversation.supporter_id).values_list(
            "body", flat=True
        )
    }
    made = 0
    for suggested in found:
        if suggested.text.lower() in known:
            continue
        try:
            with transaction.atomic():
                suggestion = Suggestion.objects.create(
                    supporter_id=conversation.supporter_id,
                    conversation=conversation,
                    category=suggested.category,
                    text=suggested.text[:200],
                    evidence=suggested.evidence[:500],
                    enricher=rules.ENRICHER,
                    version=rules.VERSION,
                )
                history_record(
                    supporter=conversation.supporter_id,
                    kind=HistoryEvent.Kind.SUGGESTION,
                    subject=suggestion,
                    summary=f"Suggested to remember: {suggestion.text}",
                    enricher=rules.ENRICHER,
                    version=rules.VERSION,
                    category=suggestion.category,
                )
        except IntegrityError:
            continue  # another conversation of theirs suggested the same line meanwhile
        known.add(suggested.text.lower())
        made += 1
    return made


def conversations_unheard(*, recent_only: bool = False) -> list[int]:
    """Ids of conversations not yet heard by this listening version, oldest first, at most
    ``SWEEP_BATCH_SIZE * SWEEP_BATCHES`` (the sweep's bound). The last minute is left to the
    task the save enqueued. Under an advisory lock: an overlapping sweep finds nothing."""
    with advisory_lock("conversation_listen_sweep") as locked:
        if not locked:
            return []
        now = timezone.now()
        pending = Conversation.objects.filter(
            listening_version__lt=rules.VERSION, created_at__lt=now - GRACE
        )
        if recent_only:
            pending = pending.filter(created_at__gte=now - RECENT)
        return list(
            pending.order_by("pk").values_list("pk", flat=True)[: SWEEP_BATCH_SIZE * SWEEP_BATCHES]
        )

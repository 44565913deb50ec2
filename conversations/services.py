"""Writes for listening: conversations, notes and suggestions. Each writes its history line."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from organizing.dispatch import enqueue_on_commit
from organizing.models import User
from organizing.webhooks import webhook_emit
from supporters.models import HistoryEvent, Supporter
from supporters.services import consent_set, history_record

from .models import (
    Conversation,
    FollowUp,
    FollowUpRule,
    Issue,
    IssuePhrase,
    Note,
    NoteRevision,
    Suggestion,
    SurveyChoice,
    SurveyQuestion,
    SurveyResponse,
)


def conversation_create(
    *,
    actor: User,
    supporter: Supporter,
    client_uuid: uuid.UUID,
    channel: str,
    outcome: str,
    heard: str = "",
    happened_at: datetime | None = None,
) -> tuple[Conversation, bool]:
    """Store a conversation once per ``client_uuid``.

    Returns ``(conversation, created)``. Sending the same UUID again (a retry, a double tap)
    returns the conversation already stored, unchanged, with ``created`` False. The caller
    must already have checked that ``actor`` may see ``supporter``.
    """
    existing = Conversation.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                supporter=supporter,
                volunteer=actor,
                client_uuid=client_uuid,
                channel=channel,
                outcome=outcome,
                heard=heard,
                happened_at=happened_at or timezone.now(),
            )
            history_record(
                supporter=supporter,
                kind=HistoryEvent.Kind.CONVERSATION,
                actor=actor,
                subject=conversation,
                at=conversation.happened_at,
                summary=f"{conversation.get_channel_display()}: {conversation.get_outcome_display()}",
            )
            from .tasks import conversation_listen_task  # listening imports these services

            enqueue_on_commit(conversation_listen_task, conversation.pk)  # the sweep covers outages

            webhook_emit(event="conversation.created", subject=conversation, supporter=supporter)
    except IntegrityError:
        # A concurrent request with the same UUID won the race; theirs is the one stored.
        return Conversation.objects.get(client_uuid=client_uuid), False
    return conversation, True


def note_update(
    *, note: Note, actor: User, body: str, kind: str, is_pinned: bool, at: datetime | None = None
) -> Note:
    """Change a note, keeping its earlier text and kind (and who changed it) as a revision.

    ``at`` (default now) dates the revision and its history line."""
    with transaction.atomic():
        current = Note.objects.select_for_update().get(pk=note.pk)
        if current.body != body or current.kind != kind:
            NoteRevision.objects.create(
                note=current,
                body=current.body,
                kind=current.kind,
                edited_by=actor,
                edited_at=at or timezone.now(),
            )
            history_record(
                supporter=current.supporter_id,
                kind=HistoryEvent.Kind.NOTE_EDITED,
                actor=actor,
                subject=current,
                at=at,
                summary="Note corrected",
            )
        current.body, current.kind, current.is_pinned = body, kind, is_pinned
        current.save(update_fields=["body", "kind", "is_pinned", "updated_at"])
    return current


def suggestion_confirm(
    *, suggestion: Suggestion, actor: User, text: str | None = None, is_sensitive: bool = False
) -> Suggestion:
    """A person confirms a suggested thing to remember; it becomes their note.

    ``text`` lets them correct the wording first. Safe to call twice: a suggestion already
    confirmed or dismissed is returned unchanged. The caller checks that ``actor`` may see
    the supporter.
    """
    with transaction.atomic():
        current = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if current.status != Suggestion.Status.SUGGESTED:
            return current
        body = (text or current.text).strip() or current.text
        note = Note.objects.create(
            supporter_id=current.supporter_id,
            conversation_id=current.conversation_id,
            author=actor,
            kind=Note.Kind.SENSITIVE if is_sensitive else Note.Kind.REMEMBER,
            body=body,
        )
        current.status = Suggestion.Status.CONFIRMED
        current.decided_by, current.decided_at, current.note = actor, timezone.now(), note
        current.save(update_fields=["status", "decided_by", "decided_at", "note"])
        history_record(
            supporter=current.supporter_id,
            kind=HistoryEvent.Kind.REMEMBER,
            actor=actor,
            subject=note,
            summary="Sensitive note confirmed" if is_sensitive else body,
            suggestion_id=current.pk,
            enricher=current.enricher,
        )
    return current


def suggestion_dismiss(*, suggestion: Suggestion, actor: User) -> Suggestion:
    """A person dismisses a suggestion; it is kept so it is never suggested again."""
    with transaction.atomic():
        current = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if current.status != Suggestion.Status.SUGGESTED:
            return current
        current.status = Suggestion.Status.DISMISSED
        current.decided_by, current.decided_at = actor, timezone.now()
        current.save(update_fields=["status", "decided_by", "decided_at"])
    return current


def note_create(
    *,
    actor: User | None,
    supporter: Supporter,
    body: str,
    kind: str = Note.Kind.GENERAL,
    conversation: Conversation | None = None,
    is_pinned: bool = False,
    at: datetime | None = None,
) -> Note:
    """Write a note (a thing to remember when ``kind`` is remember, organizers-only when sensitive).

    ``at`` (default now) says when it was written; the note and its history line carry it."""
    with transaction.atomic():
        note = Note.objects.create(
            supporter=supporter,
            conversation=conversation,
            author=actor,
            kind=kind,
            body=body.strip(),
            is_pinned=is_pinned,
            created_at=at or timezone.now(),
        )
        history_record(
            supporter=supporter,
            kind=HistoryEvent.Kind.REMEMBER
            if kind == Note.Kind.REMEMBER
            else HistoryEvent.Kind.NOTE,
            actor=actor,
            subject=note,
            at=note.created_at,
            # A sensitive note's words stay out of the timeline line; the page shows them
            # only to organizers and above, from the note itself.
            summary="Sensitive note" if kind == Note.Kind.SENSITIVE else note.body,
            note_kind=kind,
        )
    return note


def followup_create(
    *,
    actor: User | None,
    supporter: Supporter,
    assignee: User | None,
    due_at: datetime,
    reason: str,
    source_conversation: Conversation | None = None,
    source_rule: str = "",
    channel: str = "",
    at: datetime | None = None,
) -> tuple[FollowUp, bool]:
    """Ask someone to reach ``supporter`` again by ``due_at``.

    At most one open follow-up per supporter and reason (ignoring case): when one is already
    open, it is returned unchanged with ``created`` False, so schedulers may run twice.
    ``actor`` None means a scheduling rule made it (name it in ``source_rule``). ``at``
    (default now) says when it was asked for; the row and its history line carry it.
    """
    reason = reason.strip()
    existing = FollowUp.objects.filter(
        supporter=supporter, status=FollowUp.Status.OPEN, reason__iexact=reason
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            followup = FollowUp.objects.create(
                supporter=supporter,
                assignee=assignee,
                due_at=due_at,
                reason=reason,
                source_conversation=source_conversation,
                source_rule=source_rule,
                channel=channel,
                created_by=actor,
            )
            if at is not None:
                # ``auto_now_add`` ignores a given value on insert, so a past date is set after it.
                FollowUp.objects.filter(pk=followup.pk).update(created_at=at)
                followup.created_at = at
            history_record(
                supporter=supporter,
                kind=HistoryEvent.Kind.FOLLOW_UP_CREATED,
                actor=actor,
                subject=followup,
                at=at,
                summary=f"{reason} — due {timezone.localtime(due_at):%b %-d, %-I:%M %p}"
                + (f", for {assignee}" if assignee else ""),
                source_rule=source_rule,
            )
            webhook_emit(event="followup.created", subject=followup, supporter=supporter)
    except IntegrityError:
        existing = FollowUp.objects.filter(
            supporter=supporter, status=FollowUp.Status.OPEN, reason__iexact=reason
        ).first()
        if existing is None:
            raise
        return existing, False
    return followup, True


def followup_complete(
    *,
    actor: User | None,
    followup: FollowUp,
    status: str = FollowUp.Status.DONE,
    at: datetime | None = None,
) -> FollowUp:
    """Close a follow-up as done or cancelled. Closing a closed one changes nothing.

    ``at`` (default now) is when it was closed (``completed_at`` and the history line)."""
    if status not in (FollowUp.Status.DONE, FollowUp.Status.CANCELLED):
        raise ValueError(f"A follow-up closes as done or cancelled, not {status!r}.")
    with transaction.atomic():
        current = FollowUp.objects.select_for_update().get(pk=followup.pk)
        if current.status != FollowUp.Status.OPEN:
            return current
        current.status = status
        current.completed_by, current.completed_at = actor, at or timezone.now()
        current.save(update_fields=["status", "completed_by", "completed_at", "updated_at"])
        done = status == FollowUp.Status.DONE
        history_record(
            supporter=current.supporter_id,
            kind=HistoryEvent.Kind.FOLLOW_UP_DONE
            if done
            else HistoryEvent.Kind.FOLLOW_UP_CANCELLED,
            actor=actor,
            subject=current,
            at=current.completed_at,
            summary=f"{current.reason} — {'done' if done else 'cancelled'}",
        )
        webhook_emit(event="followup.completed", subject=current, supporter=current.supporter)
    return current


def followup_reassign(
    *, actor: User | None, followup: FollowUp, assignee: User, at: datetime | None = None
) -> FollowUp:
    """Give an open follow-up to someone else. The caller checks ``assignee`` may see the person.

    ``at`` (default now) dates the history line."""
    with transaction.atomic():
        current = FollowUp.objects.select_for_update().get(pk=followup.pk)
        if current.status != FollowUp.Status.OPEN or current.assignee_id == assignee.pk:
            return current
        previous = current.assignee
        current.assignee = assignee
        current.save(update_fields=["assignee", "updated_at"])
        history_record(
            supporter=current.supporter_id,
            kind=HistoryEvent.Kind.FOLLOW_UP_REASSIGNED,
            actor=actor,
            subject=current,
            at=at,
            summary=f"{current.reason} — now {assignee}"
            + (f" (was {previous})" if previous else ""),
        )
    return current


SUPPORT_QUESTION_SLUG = "support"


def conversation_log(
    *,
    actor: User,
    supporter: Supporter,
    client_uuid: uuid.UUID,
    channel: str,
    outcome: str,
    heard: str = "",
    happened_at: datetime | None = None,
    answers: dict[SurveyQuestion, SurveyChoice | str] | None = None,
    issues: Iterable[Issue] = (),
    remember: Iterable[tuple[str, bool]] = (),
    followup: tuple[datetime, str] | None = None,
    stop_channels: Iterable[str] = (),
) -> tuple[Conversation, bool]:
    """Everything the door form records, in one transaction, once per ``client_uuid``.

    Survey answers, issues raised, things to remember (``(text, is_sensitive)`` lines), a
    follow-up the person asked for (``(due_at, reason)``, given to ``actor``) and
    do-not-contact requests are stored with the conversation. A repeat of the same UUID
    stores nothing and returns the first conversation with ``created`` False.

    An answer to the survey question with slug ``support`` whose value is 1 to 5 also sets the
    supporter's support level: it is what the person told us.
    """
    with transaction.atomic():
        conversation, created = conversation_create(
            actor=actor,
            supporter=supporter,
            client_uuid=client_uuid,
            channel=channel,
            outcome=outcome,
            heard=heard.strip(),
            happened_at=happened_at,
        )
        if not created:
            return conversation, False
        for question, answer in (answers or {}).items():
            if isinstance(answer, SurveyChoice):
                SurveyResponse.objects.create(
                    conversation=conversation, question=question, choice=answer
                )
                if question.slug == SUPPORT_QUESTION_SLUG and answer.value in {
                    "1",
                    "2",
                    "3",
                    "4",
                    "5",
                }:
                    Supporter.objects.filter(pk=supporter.pk).update(
                        support_level=int(answer.value), updated_at=timezone.now()
                    )
            elif answer:
                SurveyResponse.objects.create(
                    conversation=conversation, question=question, text=answer[:500]
                )
        issues = list(issues)
        if issues:
            conversation.issues.add(*issues)
        for text, is_sensitive in remember:
            note_create(
                actor=actor,
                supporter=supporter,
                conversation=conversation,
                body=text,
                kind=Note.Kind.SENSITIVE if is_sensitive else Note.Kind.REMEMBER,
            )
        if followup is not None:
            due_at, reason = followup
            followup_create(
                actor=actor,
                supporter=supporter,
                assignee=actor,
                due_at=due_at,
                reason=reason,
                source_conversation=conversation,
            )
        for stop_channel in stop_channels:
            consent_set(
                actor=actor,
                supporter=supporter,
                channel=stop_channel,
                reason="Asked during a conversation",
            )
    return conversation, True


def followup_rule_update(
    *, actor: User, rule: FollowUpRule, action: str, delay_hours: int, reason: str, is_active: bool
) -> FollowUpRule:
    """An organizer changes what a conversation outcome schedules. Applies to later ones."""
    with transaction.atomic():
        current = FollowUpRule.objects.select_for_update().get(pk=rule.pk)
        current.action, current.delay_hours = action, delay_hours
        current.reason, current.is_active = reason.strip(), is_active
        current.updated_by = actor
        current.save()
    return current


def issue_phrases_set(*, actor: User | None, issue: Issue, phrases: list[str]) -> list[str]:
    """Replace an issue's phrases (the listener matches them as whole words, any case).

    Blank lines and repeats (ignoring case) are dropped; returns the phrases kept.
    """
    wanted: dict[str, str] = {}
    for phrase in phrases:
        phrase = " ".join(phrase.split())
        if phrase and phrase.lower() not in wanted:
            wanted[phrase.lower()] = phrase
    with transaction.atomic():
        Issue.objects.select_for_update().filter(pk=issue.pk).first()
        issue.phrases.exclude(phrase__in=list(wanted.values())).delete()
        existing = {p.lower() for p in issue.phrases.values_list("phrase", flat=True)}
        IssuePhrase.objects.bulk_create(
            [
                IssuePhrase(issue=issue, phrase=phrase, created_by=actor)
                for key, phrase in wanted.items()
                if key not in existing
            ]
        )
    return list(wanted.values())


# Starting phrases for common issue names, so the listener hears something on day one.
DEFAULT_ISSUE_PHRASES = {
    "housing": ["rent", "landlord", "eviction", "lease", "voucher", "repairs", "no heat"],
    "rent and housing": ["rent", "landlord", "eviction", "lease", "voucher", "repairs", "no heat"],
    "wages": ["wage", "no raise", "laid off", "lost her job", "lost his job", "overtime"],
    "schools": ["school", "teacher", "class sizes", "librarian", "college"],
    "public safety": ["break-ins", "stop sign", "lights out", "police", "speeding", "feel safe"],
    "healthcare": ["insurance", "insulin", "medicare", "medicaid", "prescriptions", "clinic"],
    "immigration": ["asylum", "daca", "deported", "deportation", "green card"],
    "transit": ["bus", "cta", "train", "bike lanes", "pink line"],
    "climate": ["flood", "floods", "heat wave", "asthma", "air quality", "storm"],
    "veterans' services": ["veteran", "the va", "va appointment", "benefits paperwork"],
    "childcare": ["daycare", "childcare", "after-school", "babysitter"],
}


def issue_phrases_add_defaults(*, actor: User | None = None) -> int:
    """Give issues with no phrases yet the starting phrases for their name. Idempotent."""
    added = 0
    for issue in Issue.objects.filter(phrases__isnull=True):
        defaults = DEFAULT_ISSUE_PHRASES.get(issue.name.lower())
        if defaults:
            added += len(issue_phrases_set(actor=actor, issue=issue, phrases=defaults))
    return added

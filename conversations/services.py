"""Writes for listening: conversations, notes and suggestions. Each writes its history line."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from organizing.dispatch import enqueue_on_commit
from organizing.models import User
from organizing.roles import SYSTEM, Actor, as_user, is_system, user_is_organizer_or_above
from organizing.webhooks import webhook_emit
from supporters.history import history_record
from supporters.models import HistoryEvent, Supporter
from supporters.selectors import SupporterAccess, supporter_access, supporter_list
from supporters.services import consent_set, supporter_update

from .models import (
    Conversation,
    FollowUp,
    FollowUpRule,
    Issue,
    IssueMention,
    IssuePhrase,
    Note,
    NoteRevision,
    Suggestion,
    SurveyChoice,
    SurveyQuestion,
    SurveyResponse,
)


def _may_edit(actor: Actor, supporter: Supporter) -> SupporterAccess:
    """404 unless ``actor`` may see ``supporter``; PermissionDenied unless they may edit."""
    access = supporter_access(viewer=actor, supporter=supporter)
    if not access.can_edit:
        raise PermissionDenied(_("You may not write about this person."))
    return access


def _keeps_shared_lists(actor: Actor) -> None:
    if not user_is_organizer_or_above(actor):
        raise PermissionDenied(_("Only organizers, data staff and admins keep the shared lists."))


def conversation_create(
    *,
    actor: Actor,
    supporter: Supporter,
    client_uuid: uuid.UUID,
    channel: str,
    outcome: str,
    heard: str = "",
    heard_is_sensitive: bool = False,
    happened_at: datetime | None = None,
) -> tuple[Conversation, bool]:
    """Store a conversation once per ``client_uuid``. Anyone who may see the person logs.

    Returns ``(conversation, created)``. Sending the same UUID again (a retry, a double tap)
    returns the conversation already stored, unchanged, with ``created`` False — unless it is
    about someone ``actor`` may not see, which is a PermissionDenied (the UUID is taken).
    """
    _may_edit(actor, supporter)
    existing = Conversation.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        _retry_of(actor, existing)
        return existing, False
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                supporter=supporter,
                volunteer=as_user(actor),
                client_uuid=client_uuid,
                channel=channel,
                outcome=outcome,
                heard=heard,
                heard_is_sensitive=heard_is_sensitive,
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
        existing = Conversation.objects.get(client_uuid=client_uuid)
        _retry_of(actor, existing)
        return existing, False
    return conversation, True


def _retry_of(actor: Actor, existing: Conversation) -> None:
    """A repeated client UUID is a retry only for someone who may see that conversation."""
    if not supporter_list(viewer=actor).filter(pk=existing.supporter_id).exists():
        raise PermissionDenied(_("This client_uuid belongs to another conversation."))


def note_update(
    *, note: Note, actor: Actor, body: str, kind: str, is_pinned: bool, at: datetime | None = None
) -> Note:
    """Change a note, keeping its earlier text and kind (and who changed it) as a revision.

    The rule (``SupporterAccess.may_edit_note``): sensitive notes only by those who may read
    sensitive text; other notes by their author or those. Making a note sensitive marks its
    history lines sensitive too, so the words it had before are hidden with it. ``at``
    (default now) dates the revision and its history line.
    """
    with transaction.atomic():
        current = Note.objects.select_for_update().select_related("supporter").get(pk=note.pk)
        access = supporter_access(viewer=actor, supporter=current.supporter)
        if not access.may_edit_note(current):
            raise PermissionDenied(
                _("Only the note's author or the person's organizers correct it.")
            )
        if kind == Note.Kind.SENSITIVE and not access.may_mark_sensitive():
            raise PermissionDenied(_("You may not mark this note sensitive."))
        if current.body != body or current.kind != kind:
            NoteRevision.objects.create(
                note=current,
                body=current.body,
                kind=current.kind,
                edited_by=as_user(actor),
                edited_at=at or timezone.now(),
            )
            sensitive = kind == Note.Kind.SENSITIVE or current.kind == Note.Kind.SENSITIVE
            history_record(
                supporter=current.supporter_id,
                kind=HistoryEvent.Kind.NOTE_EDITED,
                actor=actor,
                subject=current,
                at=at,
                summary="Note corrected",
                is_sensitive=sensitive,
            )
            if kind == Note.Kind.SENSITIVE:
                HistoryEvent.objects.filter(subject_type="note", subject_id=current.pk).update(
                    is_sensitive=True
                )
        current.body, current.kind, current.is_pinned = body, kind, is_pinned
        current.save(update_fields=["body", "kind", "is_pinned", "updated_at"])
    return current


def suggestion_confirm(
    *, suggestion: Suggestion, actor: Actor, text: str | None = None, is_sensitive: bool = False
) -> Suggestion:
    """A person confirms a suggested thing to remember; it becomes their note.

    Anyone who may see the person (``can_edit``). ``text`` lets them correct the wording
    first. Safe to call twice: a suggestion already confirmed or dismissed is returned
    unchanged. A suggestion drawn from what was heard in confidence (``heard_is_sensitive``)
    becomes a sensitive note.
    """
    with transaction.atomic():
        current = (
            Suggestion.objects.select_for_update(of=("self",))
            .select_related("supporter", "conversation")
            .get(pk=suggestion.pk)
        )
        _may_edit(actor, current.supporter)
        is_sensitive = is_sensitive or bool(
            current.conversation is not None and current.conversation.heard_is_sensitive
        )
        if current.status != Suggestion.Status.SUGGESTED:
            return current
        body = (text or current.text).strip() or current.text
        note = Note.objects.create(
            supporter_id=current.supporter_id,
            conversation_id=current.conversation_id,
            author=as_user(actor),
            kind=Note.Kind.SENSITIVE if is_sensitive else Note.Kind.REMEMBER,
            body=body,
        )
        current.status = Suggestion.Status.CONFIRMED
        current.decided_by, current.decided_at = as_user(actor), timezone.now()
        current.note = note
        current.save(update_fields=["status", "decided_by", "decided_at", "note"])
        history_record(
            supporter=current.supporter_id,
            kind=HistoryEvent.Kind.REMEMBER,
            actor=actor,
            subject=note,
            summary="Sensitive note confirmed" if is_sensitive else body,
            is_sensitive=is_sensitive,
            suggestion_id=current.pk,
            enricher=current.enricher,
        )
    return current


def suggestion_dismiss(*, suggestion: Suggestion, actor: Actor) -> Suggestion:
    """A person dismisses a suggestion; it is kept so it is never suggested again.
    Anyone who may see the person (``can_edit``)."""
    with transaction.atomic():
        current = (
            Suggestion.objects.select_for_update(of=("self",))
            .select_related("supporter")
            .get(pk=suggestion.pk)
        )
        _may_edit(actor, current.supporter)
        if current.status != Suggestion.Status.SUGGESTED:
            return current
        current.status = Suggestion.Status.DISMISSED
        current.decided_by, current.decided_at = as_user(actor), timezone.now()
        current.save(update_fields=["status", "decided_by", "decided_at"])
    return current


def note_create(
    *,
    actor: Actor,
    supporter: Supporter,
    body: str,
    kind: str = Note.Kind.GENERAL,
    conversation: Conversation | None = None,
    is_pinned: bool = False,
    at: datetime | None = None,
) -> Note:
    """Write a note (a thing to remember when ``kind`` is remember; sensitive ones are read
    back only by the person's organizers and above). Anyone who may see the person. ``at``
    (default now) says when it was written; the note and its history line carry it."""
    _may_edit(actor, supporter)
    if not body.strip():
        raise ValidationError({"body": _("Write something.")})
    with transaction.atomic():
        note = Note.objects.create(
            supporter=supporter,
            conversation=conversation,
            author=as_user(actor),
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
            is_sensitive=kind == Note.Kind.SENSITIVE,
            note_kind=kind,
        )
    return note


def followup_create(
    *,
    actor: Actor,
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
    ``SYSTEM`` means a scheduling rule made it (name it in ``source_rule``).

    The rule: anyone who may see the person asks for a follow-up for themselves; giving it
    to someone else is organizing (``can_organize``); the assignee must be able to see the
    person (a ValidationError on ``assignee`` otherwise). ``at`` (default now) says when it
    was asked for; the row and its history line carry it.
    """
    access = _may_edit(actor, supporter)
    if assignee is not None and assignee != actor and not access.can_organize:
        raise PermissionDenied(_("Only this person's organizers give follow-ups to others."))
    if assignee is not None and not is_system(actor) and assignee != actor:
        _require_can_see(assignee, supporter)
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
                created_by=as_user(actor),
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


def _require_can_see(user: User, supporter: Supporter) -> None:
    if not user.is_active or not supporter_list(viewer=user).filter(pk=supporter.pk).exists():
        raise ValidationError({"assignee": _("No such person who can see this supporter.")})


def followup_complete(
    *,
    actor: Actor,
    followup: FollowUp,
    status: str = FollowUp.Status.DONE,
    at: datetime | None = None,
) -> FollowUp:
    """Close a follow-up as done or cancelled. Closing a closed one changes nothing.

    The rule (``SupporterAccess.may_complete``): the person it is given to, or those who
    organize the supporter; anyone else who sees them gets PermissionDenied. ``at`` (default
    now) is when it was closed (``completed_at`` and the history line).
    """
    if status not in (FollowUp.Status.DONE, FollowUp.Status.CANCELLED):
        raise ValueError(f"A follow-up closes as done or cancelled, not {status!r}.")
    with transaction.atomic():
        current = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("supporter")
            .get(pk=followup.pk)
        )
        access = supporter_access(viewer=actor, supporter=current.supporter)
        if not access.may_complete(current):
            raise PermissionDenied(_("Only the person it is given to, or an organizer, closes it."))
        if current.status != FollowUp.Status.OPEN:
            return current
        current.status = status
        current.completed_by, current.completed_at = as_user(actor), at or timezone.now()
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
    *, actor: Actor, followup: FollowUp, assignee: User, at: datetime | None = None
) -> FollowUp:
    """Give an open follow-up to someone else.

    The rule (``SupporterAccess.may_reassign``): those who organize the supporter; the new
    assignee must be able to see them (a ValidationError on ``assignee`` otherwise).
    """
    with transaction.atomic():
        current = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("supporter")
            .get(pk=followup.pk)
        )
        access = supporter_access(viewer=actor, supporter=current.supporter)
        if not access.may_reassign(current):
            raise PermissionDenied(
                _("Only the person's team organizers reassign their follow-ups.")
            )
        _require_can_see(assignee, current.supporter)
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
    actor: Actor,
    supporter: Supporter,
    client_uuid: uuid.UUID,
    channel: str,
    outcome: str,
    heard: str = "",
    heard_is_sensitive: bool = False,
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
    supporter's support level, through ``supporter_update`` (a history line and a
    ``supporter.updated`` event): it is what the person told us. ``heard_is_sensitive`` keeps
    what was heard for the person's organizers and above. Anyone who may see the person logs.
    """
    with transaction.atomic():
        conversation, created = conversation_create(
            actor=actor,
            supporter=supporter,
            client_uuid=client_uuid,
            channel=channel,
            outcome=outcome,
            heard=heard.strip(),
            heard_is_sensitive=heard_is_sensitive,
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
                    supporter_update(
                        actor=actor,
                        supporter=supporter,
                        support_level=int(answer.value),
                        answered_in=conversation,
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
    *, actor: Actor, rule: FollowUpRule, action: str, delay_hours: int, reason: str, is_active: bool
) -> FollowUpRule:
    """An organizer changes what a conversation outcome schedules. Applies to later ones.
    Organizers, data staff and admins."""
    _keeps_shared_lists(actor)
    with transaction.atomic():
        current = FollowUpRule.objects.select_for_update().get(pk=rule.pk)
        current.action, current.delay_hours = action, delay_hours
        current.reason, current.is_active = reason.strip(), is_active
        current.updated_by = as_user(actor)
        current.save()
    return current


def issue_phrases_set(*, actor: Actor, issue: Issue, phrases: list[str]) -> list[str]:
    """Replace an issue's phrases (the listener matches them as whole words, any case).

    Organizers, data staff and admins (and the system's defaults). Blank lines and repeats
    (ignoring case) are dropped; returns the phrases kept.
    """
    _keeps_shared_lists(actor)
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
                IssuePhrase(issue=issue, phrase=phrase, created_by=as_user(actor))
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


def issue_phrases_add_defaults(*, actor: Actor = SYSTEM) -> int:
    """Give issues with no phrases yet the starting phrases for their name. Idempotent."""
    added = 0
    for issue in Issue.objects.filter(phrases__isnull=True):
        defaults = DEFAULT_ISSUE_PHRASES.get(issue.name.lower())
        if defaults:
            added += len(issue_phrases_set(actor=actor, issue=issue, phrases=defaults))
    return added


# --- the shared lists: issues and survey questions -----------------------------------------
# Kept by organizers, data staff and admins; pages, the API and OSDI all write through these.


def issue_create(
    *, actor: Actor, name: str, description: str = "", is_active: bool = True
) -> Issue:
    """Add an issue. A name already taken (ignoring case) is a ValidationError on ``name``."""
    _keeps_shared_lists(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name it.")})
    with transaction.atomic():
        if taken := issue_name_taken(name):
            raise ValidationError({"name": taken})
        return Issue.objects.create(name=name, description=description.strip(), is_active=is_active)


def issue_name_taken(name: str, *, issue: Issue | None = None) -> str:
    """What to say when ``name`` (ignoring case) is another issue's already; "" when free.
    The services refuse with it, and the page's form says it before asking them."""
    clash = Issue.objects.filter(name__iexact=name.strip())
    if issue is not None:
        clash = clash.exclude(pk=issue.pk)
    return f"There is already an issue called {name.strip()}." if clash.exists() else ""


def issue_update(
    *, actor: Actor, issue: Issue, name: str, description: str, is_active: bool
) -> Issue:
    """Rename an issue, change its description, or stop offering it on the form."""
    _keeps_shared_lists(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name it.")})
    with transaction.atomic():
        if taken := issue_name_taken(name, issue=issue):
            raise ValidationError({"name": taken})
        issue.name, issue.description, issue.is_active = name, description.strip(), is_active
        issue.save()
    return issue


def issue_merge(*, actor: Actor, source: Issue, target: Issue) -> int:
    """Fold ``source`` into ``target``: conversations that raised ``source`` raise ``target``,
    what the listener heard and its phrases move too; ``source`` goes. Returns how many
    conversations were moved."""
    _keeps_shared_lists(actor)
    if source.pk == target.pk:
        raise ValueError("An issue cannot be merged into itself.")
    through = Conversation.issues.through
    with transaction.atomic():
        conversation_ids = list(
            through.objects.filter(issue=source).values_list("conversation_id", flat=True)
        )
        through.objects.bulk_create(
            [through(conversation_id=pk, issue=target) for pk in conversation_ids],
            ignore_conflicts=True,
        )
        mentions = IssueMention.objects.filter(issue=source)
        taken = set(
            IssueMention.objects.filter(issue=target).values_list("conversation_id", flat=True)
        )
        mentions.filter(conversation_id__in=taken).delete()
        mentions.update(issue=target)
        phrases = set(target.phrases.values_list("phrase", flat=True))
        issue_phrases_set(
            actor=actor,
            issue=target,
            phrases=[*phrases, *source.phrases.values_list("phrase", flat=True)],
        )
        source.delete()
    return len(conversation_ids)


def issue_delete(*, actor: Actor, issue: Issue) -> None:
    """Delete an issue no conversation raised (merge it into another otherwise)."""
    _keeps_shared_lists(actor)
    if issue.conversations.exists() or IssueMention.objects.filter(issue=issue).exists():
        raise ValidationError(_("Conversations raised this issue; merge it into another instead."))
    issue.delete()


def survey_question_save(
    *,
    actor: Actor,
    question: SurveyQuestion,
    new_choices: Iterable[tuple[str, str]] = (),
) -> SurveyQuestion:
    """Save a new or changed survey question (``question`` holds the typed fields), adding
    ``(value, label)`` choices after the ones it has. A new question gets a unique slug."""
    _keeps_shared_lists(actor)
    with transaction.atomic():
        if not question.slug:
            base = slugify(question.prompt)[:50] or "question"
            slug, n = base, 2
            while SurveyQuestion.objects.filter(slug=slug).exists():
                slug, n = f"{base}-{n}", n + 1
            question.slug = slug
        question.save()
        start = question.choices.count()
        SurveyChoice.objects.bulk_create(
            SurveyChoice(question=question, value=value, label=label, position=start + i)
            for i, (value, label) in enumerate(new_choices)
        )
    return question


def survey_question_delete(*, actor: Actor, question: SurveyQuestion) -> None:
    """Delete a question nobody answered (stop asking it otherwise: ``is_active``)."""
    _keeps_shared_lists(actor)
    if question.responses.exists():
        raise ValidationError(_("People answered this question; stop asking it instead."))
    question.delete()


def supporter_merge_conversations(*, actor: Actor, kept: Supporter, merged: Supporter) -> dict:
    """``supporter_merge``'s step for this app: conversations, notes, follow-ups and
    suggestions move to ``kept``; an open follow-up whose reason ``kept`` already has open is
    cancelled through ``followup_complete`` (a history line, a webhook). Registered in
    ``ConversationsConfig.ready``."""
    counts = {
        "conversations": Conversation.objects.filter(supporter=merged).update(supporter=kept),
        "notes": Note.objects.filter(supporter=merged).update(supporter=kept),
    }
    open_reasons = {
        r.lower()
        for r in FollowUp.objects.filter(supporter=kept, status=FollowUp.Status.OPEN).values_list(
            "reason", flat=True
        )
    }
    for followup in FollowUp.objects.filter(supporter=merged, status=FollowUp.Status.OPEN):
        if followup.reason.lower() in open_reasons:
            followup_complete(actor=actor, followup=followup, status=FollowUp.Status.CANCELLED)
        open_reasons.add(followup.reason.lower())
    counts["followups"] = FollowUp.objects.filter(supporter=merged).update(supporter=kept)
    kept_texts = {t.lower() for t in kept.suggestions.values_list("text", flat=True)}
    for suggestion in Suggestion.objects.filter(supporter=merged):
        if suggestion.text.lower() in kept_texts:
            suggestion.delete()
        else:
            suggestion.supporter = kept
            suggestion.save(update_fields=["supporter"])
            kept_texts.add(suggestion.text.lower())
    return counts

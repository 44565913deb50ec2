"""What the supporters app reads of listening, handed to it at app-ready time (it imports
nothing of ours): the organizer's list columns (last contact, open follow-ups), the issues its
filter offers, the facts engagement counts, the merge step (``services``) and the erasure step (``erasure``)."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from supporters.enrichment.engagement import facts_counter_register
from supporters.erasure import erasure_step_register
from supporters.forms import issue_choices_register
from supporters.forms_segments import segment_outcome_choices_register
from supporters.importing.commit import import_step_register
from supporters.selectors import supporter_list_column_register
from supporters.services import merge_step_register

from .erasure import supporter_erase_conversations
from .models import Conversation, FollowUp, Issue
from .selectors import supporter_last_contact_at
from .services import note_create, supporter_merge_conversations


def supporter_open_followups() -> Coalesce:
    """Annotation: how many open follow-ups the supporter (``OuterRef("pk")``) has."""
    return Coalesce(
        Subquery(
            FollowUp.objects.filter(supporter=OuterRef("pk"), status=FollowUp.Status.OPEN)
            .values("supporter")
            .annotate(n=Count("id"))
            .values("n")
        ),
        0,
    )


def issue_list_active() -> QuerySet[Issue]:
    """The issues in use, by name (what forms offer)."""
    return Issue.objects.filter(is_active=True).order_by("name")


def engagement_facts_for(supporter_ids: list[int]) -> dict[int, dict[str, int]]:
    """What engagement counts of listening, per supporter, in two queries for the batch:
    conversations (talked, at events, relational) and follow-ups kept."""
    facts: dict[int, dict[str, int]] = {pk: {} for pk in supporter_ids}
    talked = Q(outcome=Conversation.Outcome.TALKED)
    for row in (
        Conversation.objects.filter(supporter_id__in=supporter_ids)
        .values("supporter_id")
        .annotate(
            conversations=Count("id"),
            talked=Count("id", filter=talked),
            events=Count("id", filter=talked & Q(channel=Conversation.Channel.EVENT)),
            relational=Count("id", filter=talked & Q(channel=Conversation.Channel.RELATIONAL)),
        )
    ):
        supporter_id = row.pop("supporter_id")
        facts[supporter_id].update(row)
    for row in (
        FollowUp.objects.filter(supporter_id__in=supporter_ids, status=FollowUp.Status.DONE)
        .values("supporter_id")
        .annotate(followups_kept=Count("id"))
    ):
        facts[row["supporter_id"]]["followups_kept"] = row["followups_kept"]
    return facts


def import_note_step(*, actor, supporter, person, at) -> list[str]:
    """An import's "notes" column becomes a note on the person, written by the importer."""
    if not person.notes:
        return []
    note_create(actor=actor, supporter=supporter, body=person.notes, at=at)
    return [gettext("a note")]


def register() -> None:
    supporter_list_column_register("last_contact_at", supporter_last_contact_at)
    supporter_list_column_register("open_followups", supporter_open_followups)
    issue_choices_register(issue_list_active)
    segment_outcome_choices_register(lambda: list(Conversation.Outcome.choices))
    facts_counter_register(engagement_facts_for)
    merge_step_register(supporter_merge_conversations)
    erasure_step_register(supporter_erase_conversations)
    import_step_register(import_note_step)

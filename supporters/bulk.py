"""Bulk actions over the Supporters list: every matching person, not only the page of 50.

An organizer picks an action (assign to a volunteer, add or remove a tag; the conversations
app registers "give a follow-up") and whom: the people ticked on the page, or all who match
the list's filters (the segment language). ``bulk_action_create`` records a ``BulkAction``
and enqueues its first chunk; the worker (``supporters.bulk_action_chunk``) handles people
in id order, ``settings.BULK_ACTION_CHUNK`` at a time, asking the access model about each
person as the requester (``supporter_access``) and calling the action's service, which checks again. Each
person is done or refused with why; the page polls the counts and shows the summary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from organizing.dispatch import enqueue_on_commit
from organizing.models import User
from organizing.roles import Actor, team_ids_overseen_by, user_is_organizer_or_above

from .models import BulkAction, Supporter, Tag
from .segments import segment_compile
from .selectors import SupporterAccess, supporter_access, supporter_list
from .services import assignment_create, tag_add, tag_remove

REFUSALS_KEPT = 200


class BulkRefused(Exception):
    """A person the action was not done for; the message says why."""


@dataclass(frozen=True)
class BulkActionKind:
    """One kind of bulk action.

    - ``fields()``: the form fields it needs (names unique across kinds);
    - ``params(cleaned_data)``: what to store (ids and plain values, JSON);
    - ``prepare(params)``: the objects ``run`` needs, read once per chunk (a ValidationError
      fails the whole action: the volunteer or tag is gone);
    - ``run(actor, access, **prepared)``: act on one person; raise ``BulkRefused`` (or let the
      service's ``PermissionDenied``/``ValidationError`` out) to refuse them, with why.
    """

    name: str
    label: Any
    fields: Callable[[QuerySet[User]], dict[str, forms.Field]]
    params: Callable[[dict], dict]
    prepare: Callable[[dict], dict]
    run: Callable[..., None]
    describe: Callable[[dict], str] = field(default=lambda params: "")


_kinds: dict[str, BulkActionKind] = {}


def bulk_action_register(kind: BulkActionKind) -> None:
    _kinds[kind.name] = kind


def bulk_action_kinds() -> dict[str, BulkActionKind]:
    return dict(_kinds)


# --- the supporters app's own kinds -----------------------------------------------------------


def _volunteer(params: dict) -> dict:
    volunteer = User.objects.filter(pk=params.get("volunteer"), is_active=True).first()
    if volunteer is None:
        raise ValidationError(_("That volunteer is no longer active."))
    return {"volunteer": volunteer}


def _assign(*, actor: Actor, access: SupporterAccess, volunteer: User) -> None:
    if not access.can_organize:
        raise BulkRefused(_("You do not organize this person."))
    if not access.may_assign_to(volunteer):
        raise BulkRefused(
            _("Not on %(volunteer)s's team.") % {"volunteer": volunteer.full_name or volunteer}
        )
    assignment_create(actor=actor, supporter=access.supporter, volunteer=volunteer)


def _tag(params: dict) -> dict:
    tag = Tag.objects.filter(pk=params.get("tag")).first()
    if tag is None:
        raise ValidationError(_("That tag no longer exists."))
    return {"tag": tag}


def _tag_add(*, actor: Actor, access: SupporterAccess, tag: Tag) -> None:
    if not access.can_edit:
        raise BulkRefused(_("You may not tag this person."))
    tag_add(actor=actor, supporter=access.supporter, tag=tag)


def _tag_remove(*, actor: Actor, access: SupporterAccess, tag: Tag) -> None:
    if not access.can_edit:
        raise BulkRefused(_("You may not untag this person."))
    tag_remove(actor=actor, supporter=access.supporter, tag=tag)


def _volunteer_field(volunteers: QuerySet[User]) -> dict[str, forms.Field]:
    return {
        "volunteer": forms.ModelChoiceField(
            queryset=volunteers, required=False, label=gettext_lazy("Volunteer")
        )
    }


def _tag_field(volunteers: QuerySet[User]) -> dict[str, forms.Field]:
    return {
        "tag": forms.ModelChoiceField(
            queryset=Tag.objects.order_by("name"), required=False, label=gettext_lazy("Tag")
        )
    }


def _needs(name: str, message) -> Callable[[dict], dict]:
    def params(data: dict) -> dict:
        if not data.get(name):
            raise ValidationError({name: message})
        return {name: data[name].pk}

    return params


bulk_action_register(
    BulkActionKind(
        name="assign",
        label=gettext_lazy("Assign to a volunteer"),
        fields=_volunteer_field,
        params=_needs("volunteer", gettext_lazy("Choose the volunteer to assign them to.")),
        prepare=_volunteer,
        run=_assign,
    )
)
bulk_action_register(
    BulkActionKind(
        name="tag_add",
        label=gettext_lazy("Add a tag"),
        fields=_tag_field,
        params=_needs("tag", gettext_lazy("Choose the tag.")),
        prepare=_tag,
        run=_tag_add,
    )
)
bulk_action_register(
    BulkActionKind(
        name="tag_remove",
        label=gettext_lazy("Remove a tag"),
        fields=_tag_field,
        params=_needs("tag", gettext_lazy("Choose the tag.")),
        prepare=_tag,
        run=_tag_remove,
    )
)


class BulkActionForm(forms.Form):
    """The list's bulk bar: an action, what it needs, and whom (``scope``: the ticked people
    or all who match). Only the chosen action's fields are required."""

    action = forms.ChoiceField(label=gettext_lazy("Do this"))
    scope = forms.ChoiceField(
        choices=[("ticked", gettext_lazy("The ticked people")), ("all", gettext_lazy("All"))]
    )
    supporters = forms.ModelMultipleChoiceField(queryset=Supporter.objects.none(), required=False)

    def __init__(self, *args, volunteers: QuerySet[User], supporters: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = bulk_action_kinds()
        self.fields["action"].choices = [(name, kind.label) for name, kind in kinds.items()]
        self.fields["supporters"].queryset = supporters
        for kind in kinds.values():
            for name, form_field in kind.fields(volunteers).items():
                self.fields.setdefault(name, form_field)
        self.params: dict = {}

    def clean(self):
        data = super().clean()
        kind = bulk_action_kinds().get(data.get("action", ""))
        if kind is None:
            return data
        try:
            self.params = kind.params(data)
        except ValidationError as error:
            self.add_error(None, error)
        if data.get("scope") == "ticked" and not data.get("supporters"):
            self.add_error("supporters", _("Tick the people first, or choose all who match."))
        return data


def bulk_people(job: BulkAction, actor: User) -> QuerySet[Supporter]:
    """Whom ``job`` acts on, through the requester's visibility now (the teams they oversee,
    as on the Supporters list), narrowed by its filter and ticked ids."""
    people = supporter_list(viewer=actor, teams=team_ids_overseen_by(actor)).filter(
        segment_compile(job.filter)
    )
    if job.supporter_ids is not None:
        people = people.filter(pk__in=job.supporter_ids)
    return people


def bulk_action_create(
    *,
    actor: User,
    action: str,
    params: dict,
    filter_json: dict,
    supporter_ids: list[int] | None = None,
    worker_above: int = 0,
) -> BulkAction:
    """Record a bulk action and do it: at once when it reaches at most ``worker_above``
    people, otherwise by the worker (its first chunk enqueued). Organizers and above; each
    person is still asked of the access model when reached."""
    if not user_is_organizer_or_above(actor):
        raise PermissionDenied(_("Bulk actions are for organizers."))
    if action not in _kinds:
        raise ValidationError({"action": _("Unknown action.")})
    segment_compile(filter_json)  # a SegmentError here is the caller's bad filter
    from .tasks import bulk_action_chunk_task  # services → tasks, the one lazy import

    with transaction.atomic():
        job = BulkAction.objects.create(
            requested_by=actor,
            action=action,
            params=params,
            filter=filter_json,
            supporter_ids=sorted(supporter_ids) if supporter_ids is not None else None,
        )
        job.total = bulk_people(job, actor).count()
        job.save(update_fields=["total"])
        if job.total > worker_above:
            enqueue_on_commit(bulk_action_chunk_task, job.pk, 0)
            return job
    cursor: int | None = 0
    while cursor is not None:
        cursor = bulk_action_run_chunk(bulk_id=job.pk, after_id=cursor)
    job.refresh_from_db()
    return job


def bulk_summary(job: BulkAction) -> list[tuple[int, str]]:
    """What a finished action did, as (message level, text): done for how many, refused for
    how many and why (the first few by name)."""
    kind = _kinds.get(job.action)
    label = kind.label if kind else job.action
    lines: list[tuple[int, str]] = []
    if job.status == BulkAction.Status.FAILED:
        return [
            (
                messages.ERROR,
                _("%(label)s stopped: %(error)s") % {"label": label, "error": job.error},
            )
        ]
    lines.append(
        (
            messages.SUCCESS,
            ngettext(
                "%(label)s: done for %(count)s person.",
                "%(label)s: done for %(count)s people.",
                job.done_count,
            )
            % {"label": label, "count": f"{job.done_count:,}"},
        )
    )
    if job.refused_count:
        reasons = "; ".join(
            f"{reason.rstrip('.')} ({count:,})"
            for reason, count in sorted(job.refused_reasons.items(), key=lambda item: -item[1])
        )
        names = ", ".join(refusal["name"] for refusal in job.refusals[:10])
        more = "…" if job.refused_count > 10 else ""
        lines.append(
            (
                messages.ERROR,
                _("Refused for %(count)s: %(reasons)s. Who: %(names)s%(more)s")
                % {
                    "count": f"{job.refused_count:,}",
                    "reasons": reasons,
                    "names": names,
                    "more": more,
                },
            )
        )
    return lines


def _refusal_reason(error: Exception) -> str:
    if isinstance(error, Http404):
        return _("You may no longer see this person.")
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Refused.")


def bulk_action_run_chunk(*, bulk_id: int, after_id: int) -> int | None:
    """Handle the next ``settings.BULK_ACTION_CHUNK`` people after ``after_id``; returns the
    cursor to go on from, or None when the action is finished (or this chunk was already handled: safe twice).

    The job row is locked for the chunk, so two deliveries of one chunk act once.
    """
    with transaction.atomic():
        job = (
            BulkAction.objects.select_for_update()
            .filter(
                pk=bulk_id,
                status__in=[BulkAction.Status.QUEUED, BulkAction.Status.RUNNING],
                cursor=after_id,
            )
            .first()
        )
        if job is None:
            return None
        actor = User.objects.get(pk=job.requested_by_id)
        kind = _kinds.get(job.action)
        try:
            if kind is None:
                raise ValidationError(_("This kind of action no longer exists."))
            prepared = kind.prepare(job.params)
        except ValidationError as error:
            job.status = BulkAction.Status.FAILED
            job.error = " ".join(error.messages)[:300]
            job.finished_at = timezone.now()
            job.save()
            return None
        job.status = BulkAction.Status.RUNNING
        people = list(
            bulk_people(job, actor)
            .filter(pk__gt=after_id)
            .select_related("team")
            .order_by("pk")[: settings.BULK_ACTION_CHUNK]
        )
        for supporter in people:
            try:
                with transaction.atomic():
                    access = supporter_access(viewer=actor, supporter=supporter)
                    kind.run(actor=actor, access=access, **prepared)
            except (BulkRefused, PermissionDenied, ValidationError, Http404) as error:
                reason = _refusal_reason(error)
                job.refused_count += 1
                job.refused_reasons[reason] = job.refused_reasons.get(reason, 0) + 1
                if len(job.refusals) < REFUSALS_KEPT:
                    job.refusals.append(
                        {"id": supporter.pk, "name": supporter.display_name, "reason": reason}
                    )
            else:
                job.done_count += 1
        if people:
            job.cursor = people[-1].pk
        finished = len(people) < settings.BULK_ACTION_CHUNK
        if finished:
            job.status = BulkAction.Status.DONE
            job.finished_at = timezone.now()
            # People who left the requester's view since the count are neither done nor
            # refused; the total is what was handled.
            job.total = job.handled
        job.save()
        return None if finished else job.cursor


def bulk_action_get(*, viewer: User, pk: int) -> BulkAction:
    """A bulk action its requester follows; anyone else's is a 404."""
    job = BulkAction.objects.filter(pk=pk, requested_by=viewer).first()
    if job is None:
        raise Http404("No such bulk action.")
    return job


def bulk_actions_stale(*, minutes: int = 2) -> list[tuple[int, int]]:
    """Unfinished actions whose chunk was lost (Redis down at dispatch, a worker killed):
    no progress for ``minutes``. Returns ``(id, cursor)`` to enqueue again."""
    quiet = timezone.now() - timedelta(minutes=minutes)
    return list(
        BulkAction.objects.filter(
            status__in=[BulkAction.Status.QUEUED, BulkAction.Status.RUNNING],
            updated_at__lt=quiet,
        ).values_list("pk", "cursor")[:100]
    )

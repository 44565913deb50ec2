"""Writes for phone banking: making and building call lists, claiming the next person,
recording each call (through the conversations services), skipping and releasing.

No transaction spans two requests: a claim is one statement that sets a lease, and the lease
running out is what hands a person back when a caller walks away.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any

import psycopg
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations.models import Conversation, Issue, SurveyChoice, SurveyQuestion
from conversations.services import conversation_log
from organizing.models import Team
from organizing.roles import Actor, as_user, is_system, user_organizes, user_works_for_team
from supporters.models import Segment, SupporterEnrichment
from supporters.segments import SegmentError, segment_compile, segment_supporters

from .models import CallAttempt, CallList, CallScript, CallTarget
from .scripts import script_check
from .selectors import target_ready_condition, zone_of, zones_in_calling_hours

# A caller who skips someone does not get them again straight away.
SKIP_MINUTES = 30
# After this many unanswered calls a person is left alone on this list.
MAX_ATTEMPTS = 3
# With no "called recently" rule, an unanswered person waits this long before another try.
NO_ANSWER_RETRY = timedelta(hours=1)
# "Call back later" without a time: tomorrow.
CALL_BACK_DEFAULT = timedelta(days=1)

# What each result logs as a conversation, and where it leaves the person on the list.
CONVERSATION_OUTCOME = {
    CallAttempt.Result.TALKED: Conversation.Outcome.TALKED,
    CallAttempt.Result.NO_ANSWER: Conversation.Outcome.NOT_HOME,
    CallAttempt.Result.LEFT_MESSAGE: Conversation.Outcome.LEFT_MESSAGE,
    CallAttempt.Result.CALL_BACK: Conversation.Outcome.CALLBACK_REQUESTED,
    CallAttempt.Result.REFUSED: Conversation.Outcome.REFUSED,
    CallAttempt.Result.WRONG_NUMBER: Conversation.Outcome.WRONG_NUMBER,
}
TARGET_STATUS = {
    CallAttempt.Result.TALKED: CallTarget.Status.REACHED,
    CallAttempt.Result.LEFT_MESSAGE: CallTarget.Status.LEFT_MESSAGE,
    CallAttempt.Result.CALL_BACK: CallTarget.Status.CALL_BACK,
    CallAttempt.Result.REFUSED: CallTarget.Status.REFUSED,
    CallAttempt.Result.WRONG_NUMBER: CallTarget.Status.WRONG_NUMBER,
}


def _may_manage(actor: Actor, team_id: int) -> None:
    if not user_organizes(actor, team_id):
        raise PermissionDenied(_("Only this team's organizers make and change its call lists."))


def _clean_settings(
    *, calling_starts: time, calling_ends: time, recent_days: int, scripts: Mapping[str, str]
) -> dict[str, str]:
    errors: dict[str, Any] = {}
    if calling_starts >= calling_ends:
        errors["calling_ends"] = _("Calling hours must end after they start.")
    if not 0 <= recent_days <= 365:
        errors["recent_days"] = _("Give a number of days from 0 to 365.")
    kept = {}
    for language, text in scripts.items():
        language, text = (language or "").strip().lower(), (text or "").strip()
        if not text:
            continue
        if not language or len(language) > 16:
            errors.setdefault("scripts", _("Each script needs a language, such as en or es."))
        elif problem := script_check(text):
            errors.setdefault("scripts", problem)
        elif len(text) > 5000:
            errors.setdefault("scripts", _("A script may be at most 5000 characters."))
        kept[language] = text
    if not kept:
        errors.setdefault("scripts", _("Write the script callers will read."))
    if errors:
        raise ValidationError(errors)
    return kept


def call_list_create(
    *,
    actor: Actor,
    team: Team,
    name: str,
    scripts: Mapping[str, str],
    segment: Segment | None = None,
    filter_json: Any = None,
    questions: Iterable[SurveyQuestion] = (),
    calling_starts: time = time(9, 0),
    calling_ends: time = time(21, 0),
    recent_days: int = 7,
    default_language: str = "en",
) -> CallList:
    """Make a call list of ``team``'s people in ``segment`` (or matching ``filter_json``, the
    segment language the Supporters filters speak) and put them in its queue.

    The rule: organizers of ``team``, data staff and admins. The people are those the maker
    may see, and only the team's: a call list never shows a caller someone its maker could
    not hand out. Bad settings are a ValidationError naming each field.
    """
    _may_manage(actor, team.pk)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Name the list.")
    elif len(name) > 120:
        errors["name"] = _("A name may be at most 120 characters.")
    if segment is not None:
        filter_json = segment.filter
    try:
        segment_compile(filter_json if filter_json is not None else {})
    except SegmentError as error:
        errors["filter"] = f"{error.path}: {error.message}"
    try:
        kept = _clean_settings(
            calling_starts=calling_starts,
            calling_ends=calling_ends,
            recent_days=recent_days,
            scripts=scripts,
        )
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
        errors = {
            key: value[0] if isinstance(value, list) else value for key, value in errors.items()
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        call_list = CallList.objects.create(
            name=name,
            team=team,
            segment=segment,
            filter=filter_json if filter_json is not None else {},
            calling_starts=calling_starts,
            calling_ends=calling_ends,
            recent_days=recent_days,
            default_language=(default_language or "en").strip().lower()[:16],
            created_by=as_user(actor),
        )
        CallScript.objects.bulk_create(
            CallScript(call_list=call_list, language=language, text=text)
            for language, text in kept.items()
        )
        call_list.questions.set(list(questions))
        call_list_build(actor=actor, call_list=call_list)
    return call_list


def call_list_update(
    *,
    actor: Actor,
    call_list: CallList,
    name: str | None = None,
    scripts: Mapping[str, str] | None = None,
    questions: Iterable[SurveyQuestion] | None = None,
    calling_starts: time | None = None,
    calling_ends: time | None = None,
    recent_days: int | None = None,
    status: str | None = None,
) -> CallList:
    """Change a list's name, scripts (the languages given replace theirs; the others stay),
    questions, calling hours, "called recently" days, or open/close it. Its organizers."""
    _may_manage(actor, call_list.team_id)
    with transaction.atomic():
        current = CallList.objects.select_for_update().get(pk=call_list.pk)
        existing = dict(current.scripts.values_list("language", "text"))
        merged = {**existing, **(scripts or {})}
        kept = _clean_settings(
            calling_starts=current.calling_starts if calling_starts is None else calling_starts,
            calling_ends=current.calling_ends if calling_ends is None else calling_ends,
            recent_days=current.recent_days if recent_days is None else recent_days,
            scripts=merged,
        )
        if name is not None:
            if not name.strip() or len(name.strip()) > 120:
                raise ValidationError({"name": _("Name the list (at most 120 characters).")})
            current.name = name.strip()
        if status is not None:
            if status not in CallList.Status.values:
                raise ValidationError({"status": _("Open or closed.")})
            current.status = status
        for field, value in (
            ("calling_starts", calling_starts),
            ("calling_ends", calling_ends),
            ("recent_days", recent_days),
        ):
            if value is not None:
                setattr(current, field, value)
        current.save()
        if scripts is not None:
            current.scripts.exclude(language__in=list(kept)).delete()
            for language, text in kept.items():
                CallScript.objects.update_or_create(
                    call_list=current, language=language, defaults={"text": text}
                )
        if questions is not None:
            current.questions.set(list(questions))
    return current


def call_list_build(*, actor: Actor, call_list: CallList) -> int:
    """Add to the queue everyone the list's filter matches now (people already on it stay
    where they are) and note their time zones. Returns how many were added.

    One INSERT … SELECT, so a 100,000-person segment is built in the database. The maker's
    view of people decides (``segment_supporters``), narrowed to the list's team.
    """
    _may_manage(actor, call_list.team_id)
    people = (
        segment_supporters(viewer=actor, filter_json=call_list.filter)
        .filter(team_id=call_list.team_id)
        .order_by()
        .annotate(
            zone=Coalesce(
                NullIf(
                    Subquery(
                        SupporterEnrichment.objects.filter(supporter=OuterRef("pk")).values(
                            "time_zone"
                        )[:1]
                    ),
                    Value(""),
                ),
                Value(settings.ORGANIZATION_TIME_ZONE),
            )
        )
        .values_list("pk", "zone")
    )
    sql, params = people.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO calling_calltarget
                (call_list_id, supporter_id, time_zone, status, attempts, updated_at)
            SELECT %s, people.id, people.zone, 'queued', 0, now()
            FROM ({sql}) AS people (id, zone)
            ON CONFLICT (call_list_id, supporter_id) DO NOTHING
            """,  # noqa: S608 -- the ORM compiled the inner query; values are parameters
            [call_list.pk, *params],
        )
        added = cursor.rowcount
        zones = list(
            CallTarget.objects.filter(call_list=call_list)
            .order_by("time_zone")  # not the model's ordering, which DISTINCT would include
            .values_list("time_zone", flat=True)
            .distinct()
        )
        CallList.objects.filter(pk=call_list.pk).update(
            time_zones=zones, built_at=timezone.now(), updated_at=timezone.now()
        )
        call_list.time_zones = zones
    return added


# --- calling ---------------------------------------------------------------------------------


def _may_call(actor: Actor, call_list: CallList) -> None:
    if call_list.status != CallList.Status.OPEN:
        raise PermissionDenied(_("This call list is closed."))
    if not user_works_for_team(actor, call_list.team_id):
        raise PermissionDenied(_("Only this team's members take calls from its lists."))


# The claim statement, compiled by the ORM from ``target_ready_condition`` once per list,
# zones and rule, with stand-in times swapped for the real ones at each claim: building the
# query anew cost more than running it (see bench/calling.py).
_NOW = datetime(1970, 1, 3, tzinfo=UTC)
_SINCE = datetime(1970, 1, 2, tzinfo=UTC)
_claim_statements: dict[tuple, tuple[str, list]] = {}
_RETURNED = (
    "id, supporter_id, status, time_zone, attempts, available_after, last_called_at, claimed_at"
)


def _claim_statement(call_list: CallList, zones: list[str]) -> tuple[str, list]:
    key = (call_list.pk, tuple(zones), call_list.recent_days)
    statement = _claim_statements.get(key)
    if statement is None:
        candidate = (
            CallTarget.objects.filter(
                target_ready_condition(call_list, _NOW, zones=zones, since=_SINCE)
            )
            .order_by("id")
            .values("id")[:1]
            .select_for_update(skip_locked=True, of=("self",))
        )
        with transaction.atomic():  # FOR UPDATE compiles only inside one; nothing runs here
            sql, params = candidate.query.sql_with_params()
        # The person the caller already holds on this list, renewed (calltarget_lease_idx);
        # only when there is none, the next ready person, locked and taken in one statement.
        statement = (
            f"""
            WITH held AS (
                UPDATE calling_calltarget SET lease_expires_at = %s, updated_at = %s
                WHERE claimed_by_id = %s AND call_list_id = %s AND lease_expires_at > %s
                RETURNING {_RETURNED}
            ), claimed AS (
                UPDATE calling_calltarget
                SET claimed_by_id = %s, claimed_at = %s, lease_expires_at = %s, updated_at = %s
                WHERE id = (
                    SELECT candidate.id FROM ({sql}) AS candidate
                    WHERE NOT EXISTS (SELECT 1 FROM held)
                )
                RETURNING {_RETURNED}
            )
            SELECT * FROM held UNION ALL SELECT * FROM claimed
            """,  # noqa: S608 -- the ORM compiled the inner query; values are parameters
            list(params),
        )
        if len(_claim_statements) > 500:
            _claim_statements.clear()
        _claim_statements[key] = statement
    return statement


def call_claim(
    *, actor: Actor, call_list: CallList, now: datetime | None = None
) -> CallTarget | None:
    """Give ``actor`` the next person to call, held for them until the lease runs out; None
    when nobody is ready (``selectors.call_list_queue`` says why).

    Never the same person to two callers at once: one ``UPDATE … WHERE id = (SELECT … FOR
    UPDATE SKIP LOCKED LIMIT 1) RETURNING``, so concurrent callers each lock a different row
    and a row another caller just took fails the lease test when re-checked. It is a single
    statement in its own transaction: nothing stays open between requests. A caller who
    already holds someone on this list gets them again (a reload, a second tap), with the
    lease renewed. Anyone who works for the list's team, while it is open.
    """
    _may_call(actor, call_list)
    if is_system(actor):
        raise PermissionDenied(_("Only a person takes calls."))
    now = now or timezone.now()
    lease_until = now + timedelta(minutes=call_list.lease_minutes)
    zones = zones_in_calling_hours(call_list, now)
    since = now - timedelta(days=call_list.recent_days)
    sql, template = _claim_statement(call_list, zones)
    params = [now if p == _NOW else since if p == _SINCE else p for p in template]
    held = [lease_until, now, actor.pk, call_list.pk, now]
    connection.ensure_connection()
    # Bound on the server and prepared once per connection: the statement is the same each
    # time, so PostgreSQL plans it once (planning it cost more than running it).
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, [*held, actor.pk, now, lease_until, now, *params], prepare=True)
        row = cursor.fetchone()
    if row is None:
        return None
    target_id, supporter_id, status, zone, attempts, available_after, last_called_at, at = row
    return CallTarget(
        pk=target_id,
        call_list=call_list,
        supporter_id=supporter_id,
        status=status,
        time_zone=zone,
        attempts=attempts,
        available_after=available_after,
        last_called_at=last_called_at,
        claimed_by_id=actor.pk,
        claimed_at=at,
        lease_expires_at=lease_until,
        updated_at=now,
    )


def _held_by(actor: Actor, target_pk: int, now: datetime) -> CallTarget:
    """The target, locked, if ``actor`` may still act on it: they hold it, or held it last and
    their lease ran out with nobody taking the person since (the lease is renewed, so what
    they typed is not lost). Otherwise a ValidationError saying why."""
    target = (
        CallTarget.objects.select_for_update(of=("self",))
        .select_related("call_list", "supporter")
        .get(pk=target_pk)
    )
    if target.status not in CallTarget.OPEN_STATUSES:
        raise ValidationError(_("This person's call was already recorded."))
    if target.claimed_by_id != getattr(actor, "pk", None):
        raise ValidationError(
            _("This person was handed to another caller after your time ran out.")
            if target.claimed_by_id is not None
            else _("This person is not yours to call now: press Next call.")
        )
    lease_until = now + timedelta(minutes=target.call_list.lease_minutes)
    CallTarget.objects.filter(pk=target.pk).update(lease_expires_at=lease_until)
    target.lease_expires_at = lease_until
    return target


def call_record(
    *,
    actor: Actor,
    target: CallTarget,
    client_uuid: uuid.UUID,
    result: str,
    answers: Mapping[SurveyQuestion, SurveyChoice | str] | None = None,
    heard: str = "",
    heard_is_sensitive: bool = False,
    remember: Iterable[tuple[str, bool]] = (),
    issues: Iterable[Issue] = (),
    call_back_after: datetime | None = None,
    message_to_organizer: str = "",
    stop_channels: Iterable[str] = (),
    now: datetime | None = None,
) -> tuple[CallAttempt, bool]:
    """Record a call from the list: a phone conversation stored by
    ``conversations.services.conversation_log`` (so the follow-up rules, the listener and
    webhooks apply), the attempt, and where it leaves the person on the list. The lease ends.

    Once per ``client_uuid`` (it is the conversation's too): a retry returns the first attempt
    with ``created`` False. The caller who holds the person records it (or held them, if
    nobody took them since). A call-back time puts the person back in the queue from then,
    whatever "called recently" says; an unanswered call puts them back until MAX_ATTEMPTS.
    """
    if result not in CONVERSATION_OUTCOME:
        raise ValidationError({"result": _("Choose what happened on the call.")})
    now = now or timezone.now()
    existing = CallAttempt.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if existing.caller_id != getattr(actor, "pk", None):
            raise PermissionDenied(_("This client_uuid belongs to another call."))
        return existing, False
    if call_back_after is not None and call_back_after <= now:
        raise ValidationError({"call_back_after": _("Pick a time in the future.")})
    if call_back_after is not None and result == CallAttempt.Result.TALKED:
        result = CallAttempt.Result.CALL_BACK
    remember = list(remember)
    with transaction.atomic():
        current = _held_by(actor, target.pk, now)
        conversation, _created = conversation_log(
            actor=actor,
            supporter=current.supporter,
            client_uuid=client_uuid,
            channel=Conversation.Channel.PHONE,
            outcome=CONVERSATION_OUTCOME[result],
            heard=heard,
            heard_is_sensitive=heard_is_sensitive,
            happened_at=now,
            answers=dict(answers or {}),
            issues=issues,
            remember=remember,
            stop_channels=stop_channels,
        )
        attempt = CallAttempt.objects.create(
            call_list_id=current.call_list_id,
            target=current,
            supporter_id=current.supporter_id,
            caller=as_user(actor),
            result=result,
            conversation=conversation,
            client_uuid=client_uuid,
            remembered=len(remember),
            message_to_organizer=(message_to_organizer or "").strip()[:2000],
            created_at=now,
        )
        status, available_after = TARGET_STATUS.get(result), None
        attempts = current.attempts + 1
        if result == CallAttempt.Result.CALL_BACK:
            available_after = call_back_after or now + CALL_BACK_DEFAULT
        elif result == CallAttempt.Result.NO_ANSWER:
            if attempts >= MAX_ATTEMPTS:
                status = CallTarget.Status.NO_ANSWER
            else:
                status = CallTarget.Status.QUEUED
                available_after = now + NO_ANSWER_RETRY
        CallTarget.objects.filter(pk=current.pk).update(
            status=status,
            available_after=available_after,
            attempts=attempts,
            last_called_at=now,
            claimed_by=None,
            lease_expires_at=None,
            updated_at=now,
        )
    return attempt, True


def call_skip(*, actor: Actor, target: CallTarget, now: datetime | None = None) -> CallAttempt:
    """The caller passes on this person for now (one tap): they go back to the queue in
    SKIP_MINUTES, nothing is logged about them, and the skip is counted for the organizer."""
    now = now or timezone.now()
    with transaction.atomic():
        current = _held_by(actor, target.pk, now)
        CallTarget.objects.filter(pk=current.pk).update(
            claimed_by=None,
            lease_expires_at=None,
            available_after=now + timedelta(minutes=SKIP_MINUTES),
            updated_at=now,
        )
        return CallAttempt.objects.create(
            call_list_id=current.call_list_id,
            target=current,
            supporter_id=current.supporter_id,
            caller=as_user(actor),
            result=CallAttempt.Result.SKIPPED,
            client_uuid=uuid.uuid4(),
            created_at=now,
        )


def call_release(*, actor: Actor, call_list: CallList, now: datetime | None = None) -> int:
    """The caller stops: whoever they hold on this list goes back to the queue at once.
    Returns how many were released (0 or 1)."""
    now = now or timezone.now()
    return CallTarget.objects.filter(
        call_list=call_list, claimed_by=as_user(actor), lease_expires_at__gt=now
    ).update(claimed_by=None, lease_expires_at=None, updated_at=now)


def call_list_merge_step(*, actor: Actor, kept, merged) -> dict[str, int]:
    """``supporter_merge``'s step for this app: the merged person's places on call lists move
    to the one kept, except on lists that already have them. Registered in ``calling.hooks``."""
    kept_places = dict(CallTarget.objects.filter(supporter=kept).values_list("call_list_id", "pk"))
    for place in CallTarget.objects.filter(supporter=merged, call_list_id__in=list(kept_places)):
        # Both were on this list: the calls made to either stay, on the place kept.
        CallAttempt.objects.filter(target=place).update(target_id=kept_places[place.call_list_id])
        place.delete()
    moved = CallTarget.objects.filter(supporter=merged).update(supporter=kept)
    CallAttempt.objects.filter(supporter=merged).update(supporter=kept)
    return {"call_list_places": moved}


def zone_label(name: str) -> str:
    return str(zone_of(name))

"""Emails people receive about their follow-ups: due now, the daily digest, overdue ones.

Each function builds and sends one kind of email and is called by a thin beat task in
``tasks.py``; each is safe to run twice (a follow-up is announced once, a digest sent once a
day, an overdue follow-up raised once).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from organizing.dispatch import advisory_lock
from organizing.models import Membership, User
from supporters.models import DoNotContact

from .models import DigestSent, EscalationSent, FollowUp

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
OVERDUE_AFTER = timedelta(days=3)


def recipient_language(user: User) -> str:
    """The language an email to ``user`` is written in: theirs, else the site's."""
    return user.language or settings.LANGUAGE_CODE


def _reachable(followups):
    """Leave out follow-ups on a channel the person has since said no to."""
    refused = DoNotContact.objects.filter(
        supporter_id=OuterRef("supporter_id"), channel=OuterRef("channel")
    )
    return followups.exclude(~Q(channel="") & Exists(refused))


def _due_unannounced(now: datetime):
    return _reachable(
        FollowUp.objects.filter(
            status=FollowUp.Status.OPEN,
            due_at__lte=now,
            notified_at__isnull=True,
            assignee__isnull=False,
        )
    )


def followup_notify_due() -> int:
    """Tell each assignee, in one email, about their follow-ups that just fell due; once each.

    Claim, then send, one recipient at a time: each assignee's email is its own transaction,
    which claims their follow-ups (``notified_at``, on rows locked with ``SKIP LOCKED``) and
    then sends. If the send fails, that transaction rolls back, so only that assignee's
    follow-ups are left for the next run; the emails that went out are never sent again.
    Returns how many follow-ups were announced.
    """
    now = timezone.now()
    assignee_ids = list(
        _due_unannounced(now)
        .order_by("assignee_id")
        .values_list("assignee_id", flat=True)
        .distinct()[:BATCH_SIZE]
    )
    sent = 0
    for assignee_id in assignee_ids:
        try:
            sent += _notify_due_to(assignee_id, now)
        except Exception:  # one bad address or a mail outage must not stop the others
            logger.exception(
                "Due follow-ups for user %s not sent; the next run retries.", assignee_id
            )
    return sent


def _notify_due_to(assignee_id: int, now: datetime) -> int:
    with transaction.atomic():
        followups = list(
            _due_unannounced(now)
            .filter(assignee_id=assignee_id)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("assignee", "supporter")
            .order_by("due_at", "id")[:BATCH_SIZE]
        )
        if not followups:
            return 0  # another run holds or has announced them
        FollowUp.objects.filter(pk__in=[f.pk for f in followups]).update(notified_at=now)
        assignee = followups[0].assignee
        lines = [f"- {f.supporter}: {f.reason}" for f in followups]
        with translation.override(recipient_language(assignee)):
            count = len(followups)
            subject = ngettext(
                "[Earshot] %(count)d follow-up due now",
                "[Earshot] %(count)d follow-ups due now",
                count,
            ) % {"count": count}
            intro = _("These are due:")
        send_mail(
            subject=subject,
            message=intro + "\n\n" + "\n".join(lines) + f"\n\n{settings.SITE_URL}/\n",
            from_email=None,
            recipient_list=[assignee.email],
        )
    return len(followups)


def _organization_today() -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.ORGANIZATION_TIME_ZONE)
    today = timezone.now().astimezone(zone).date()
    start = datetime.combine(today, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


def followup_digest() -> int:
    """From ``DIGEST_HOUR`` in the organization's time zone (beat): each assignee's follow-ups
    due today and overdue, one email per person per day (``DigestSent`` makes it once; a
    digest whose sending failed is rolled back and goes out on the next run)."""
    start, end = _organization_today()
    today = start.date()
    sent = 0
    with advisory_lock("followup_digest") as locked:
        if not locked:
            return 0
        assignee_ids = list(
            _reachable(FollowUp.objects.filter(status=FollowUp.Status.OPEN, due_at__lt=end))
            .exclude(assignee__isnull=True)
            .exclude(Exists(DigestSent.objects.filter(user_id=OuterRef("assignee_id"), date=today)))
            .values_list("assignee_id", flat=True)
            .distinct()
        )
    for assignee_id in assignee_ids:
        try:
            sent += _send_digest(assignee_id, today, start, end)
        except Exception:  # one bad address or a mail outage must not stop the others
            logger.exception("Digest for user %s not sent; the next run retries.", assignee_id)
    return sent


def _send_digest(user_id: int, today, start: datetime, end: datetime) -> int:
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = DigestSent.objects.create(user_id=user_id, date=today)
        except IntegrityError:
            return 0  # already sent today
        user = User.objects.get(pk=user_id)
        followups = list(
            _reachable(
                FollowUp.objects.filter(
                    status=FollowUp.Status.OPEN, assignee_id=user_id, due_at__lt=end
                )
            )
            .select_related("supporter")
            .order_by("due_at")
        )
        overdue = [f for f in followups if f.due_at < start]
        due_today = [f for f in followups if f.due_at >= start]
        zone = ZoneInfo(settings.ORGANIZATION_TIME_ZONE)

        def line(f: FollowUp) -> str:
            due = f.due_at.astimezone(zone)
            # The year only when it is not this one (an overdue follow-up from last December).
            if due.year == today.year:
                when = date_format(due, pgettext("date format", "D M j"))
            else:
                when = date_format(due, pgettext("date format", "D M j Y"))
            return _("- %(person)s: %(reason)s (due %(when)s, %(time)s)") % {
                "person": f.supporter,
                "reason": f.reason,
                "when": when,
                "time": date_format(due, "TIME_FORMAT"),
            }

        # The digest is written in the volunteer's own language (User.language).
        with translation.override(recipient_language(user)):
            parts = [_("Good morning, %(name)s.") % {"name": user.get_short_name()}]
            if due_today:
                parts += ["", _("Due today:"), *map(line, due_today)]
            if overdue:
                parts += ["", _("Overdue:"), *map(line, overdue)]
            parts += ["", f"{settings.SITE_URL}/"]
            subject = _("[Earshot] Your follow-ups for %(day)s: %(count)d") % {
                "day": date_format(today, pgettext("date format", "l M j")),
                "count": len(followups),
            }
        send_mail(
            subject=subject,
            message="\n".join(parts) + "\n",
            from_email=None,
            recipient_list=[user.email],
        )
        record.followup_count = len(followups)
        record.save(update_fields=["followup_count"])
    return 1


def followup_escalate_overdue() -> int:
    """Raise follow-ups overdue by more than three days to the organizers of the supporter's
    team: one email per organizer, each follow-up once per organizer.

    Claim, then send, one recipient at a time: each organizer's email is its own transaction,
    which first writes an ``EscalationSent`` row per follow-up for them (unique, so an
    overlapping run cannot claim the same ones) and then sends. A failed send rolls back only
    that organizer's claims, for the next run; the others' emails are never sent again. A
    follow-up is marked ``escalated_at`` once every organizer of its team has had it. Works in
    bounded batches; returns how many follow-ups were fully raised.
    """
    now = timezone.now()
    overdue = list(
        _reachable(
            FollowUp.objects.filter(
                status=FollowUp.Status.OPEN,
                due_at__lt=now - OVERDUE_AFTER,
                escalated_at__isnull=True,
            )
        )
        .select_related("supporter", "assignee")
        .order_by("due_at", "id")[:BATCH_SIZE]
    )
    if not overdue:
        return 0
    organizers: dict[int, list[User]] = defaultdict(list)
    for membership in Membership.objects.filter(
        team_id__in={f.supporter.team_id for f in overdue},
        role=Membership.Role.ORGANIZER,
        user__is_active=True,
    ).select_related("user"):
        organizers[membership.team_id].append(membership.user)
    per_organizer: dict[User, list[FollowUp]] = defaultdict(list)
    for followup in overdue:
        for organizer in organizers.get(followup.supporter.team_id, []):
            per_organizer[organizer].append(followup)
    for organizer, followups in per_organizer.items():
        try:
            _escalate_to(organizer, followups)
        except Exception:  # one bad address or a mail outage must not stop the others
            logger.exception(
                "Overdue follow-ups for %s not sent; the next run retries.", organizer.pk
            )
    told = set(
        EscalationSent.objects.filter(followup__in=overdue).values_list(
            "followup_id", "organizer_id"
        )
    )
    raised = [
        f.pk
        for f in overdue
        if all((f.pk, o.pk) in told for o in organizers.get(f.supporter.team_id, []))
    ]
    FollowUp.objects.filter(pk__in=raised, escalated_at__isnull=True).update(escalated_at=now)
    return len(raised)


def _escalate_to(organizer: User, followups: list[FollowUp]) -> bool:
    with transaction.atomic():
        already = set(
            EscalationSent.objects.filter(organizer=organizer, followup__in=followups).values_list(
                "followup_id", flat=True
            )
        )
        fresh = [f for f in followups if f.pk not in already]
        if not fresh:
            return False
        try:
            with transaction.atomic():
                EscalationSent.objects.bulk_create(
                    [EscalationSent(followup=f, organizer=organizer) for f in fresh]
                )
        except IntegrityError:
            return False  # an overlapping run claimed some of them; the next run sends the rest
        with translation.override(recipient_language(organizer)):
            lines = [
                (
                    _("- %(person)s: %(reason)s, due %(when)s, for %(assignee)s")
                    if f.assignee
                    else _("- %(person)s: %(reason)s, due %(when)s, unassigned")
                )
                % {
                    "person": f.supporter,
                    "reason": f.reason,
                    "when": date_format(f.due_at, "MONTH_DAY_FORMAT"),
                    "assignee": f.assignee,
                }
                for f in fresh
            ]
            subject = ngettext(
                "[Earshot] %(count)d follow-up overdue by more than 3 days",
                "[Earshot] %(count)d follow-ups overdue by more than 3 days",
                len(fresh),
            ) % {"count": len(fresh)}
        send_mail(
            subject=subject,
            message="\n".join(lines) + f"\n\n{settings.SITE_URL}/\n",
            from_email=None,
            recipient_list=[organizer.email],
        )
    return True

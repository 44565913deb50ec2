"""Writes for the organization: invitations, memberships and the audit log."""

from __future__ import annotations

import hashlib
import secrets

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .dispatch import enqueue_on_commit
from .models import ApiKey, AuditEvent, Invitation, Membership, Team, User
from .roles import team_ids_organized_by, user_is_admin, user_is_organization_wide, user_may_export


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    **details,
) -> AuditEvent:
    """Write one audit entry. ``request`` supplies where it came from (address, browser)."""
    ip_address = user_agent = None
    if request is not None:
        ip_address = request.META.get("REMOTE_ADDR") or None
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        ip_address=ip_address,
        user_agent=user_agent or "",
        details=details,
    )


# Which roles someone may hand out. Organizers grow their own team; only admins make
# data staff or other admins, because those roles see every supporter.
def roles_grantable_by(user: User, team: Team) -> list[str]:
    if user_is_admin(user):
        return list(Membership.Role.values)
    if team.id in team_ids_organized_by(user):
        return [Membership.Role.VOLUNTEER, Membership.Role.ORGANIZER]
    return []


def _invitation_language(language: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    if language in codes:
        return language
    current = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return current if current in codes else settings.LANGUAGE_CODE.split("-")[0]


def invitation_create(
    *, actor: User, team: Team, email: str, role: str, language: str = ""
) -> Invitation:
    """Invite ``email`` into ``team`` with ``role``; the worker sends the email after commit,
    written in ``language`` (by default the one the inviter is using now).

    Raises PermissionDenied when ``actor`` may not grant ``role`` in ``team``, and
    ValidationError (by field) for an address already a member or already invited.
    """
    if role not in roles_grantable_by(actor, team):
        raise PermissionDenied(_("You may not invite people into this team with that role."))
    email = User.objects.normalize_email(email).strip().lower()
    if Membership.objects.filter(team=team, user__email__iexact=email).exists():
        raise ValidationError(
            {
                "email": _("%(email)s is already a member of %(team)s.")
                % {"email": email, "team": team}
            }
        )
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                email=email,
                team=team,
                role=role,
                invited_by=actor,
                language=_invitation_language(language),
            )
            audit_record(actor=actor, action="invitation.create", obj=invitation, role=role)
    except IntegrityError:
        raise ValidationError(
            {
                "email": _("%(email)s already has an open invitation to %(team)s.")
                % {"email": email, "team": team}
            }
        ) from None
    from .tasks import invitation_send_task

    # After commit, never failing the invitation; the pending sweep sends it if Redis is down.
    enqueue_on_commit(invitation_send_task, invitation.id)
    return invitation


def invitation_send(*, invitation_id: int) -> bool:
    """Email one invitation. Safe to run twice: returns False when there was nothing to send."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("team", "invited_by")
            .filter(pk=invitation_id, sent_at__isnull=True)
            .first()
        )
        if invitation is None or not invitation.is_open:
            return False
        context = {
            "invitation": invitation,
            "accept_url": settings.SITE_URL
            + reverse("organizing:invitation_accept", args=[invitation.token]),
        }
        # The invitee has no account yet: the invitation says which language to write in.
        with translation.override(invitation.language or settings.LANGUAGE_CODE):
            subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("You're invited to %(team)s") % {
                "team": invitation.team
            }
            message = render_to_string("organizing/invitation_email.txt", context)
        send_mail(
            subject=subject,
            message=message,
            from_email=None,
            recipient_list=[invitation.email],
        )
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
    return True


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join ``user`` to the invitation's team with its role and close the invitation."""
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            {"email": _("This invitation is for %(email)s.") % {"email": invitation.email}}
        )
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_open:
            raise ValidationError(_("This invitation has already been used or has expired."))
        membership, _count = Membership.objects.update_or_create(
            user=user, team=locked.team, defaults={"role": locked.role}
        )
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(actor=user, action="invitation.accept", obj=locked)
    return membership


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    if not (user_is_organization_wide(actor) or invitation.team_id in team_ids_organized_by(actor)):
        raise PermissionDenied(_("You may not revoke this invitation."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="invitation.revoke", obj=invitation)
    return invitation


API_KEY_PREFIX = "es_"


def api_key_hash(raw_key: str) -> str:
    """Keys are 256 random bits, so one SHA-256 is enough: nothing to brute-force."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_create(
    *,
    actor: User,
    user: User,
    scopes: list[str],
    name: str = "",
    expires_at=None,
) -> tuple[ApiKey, str]:
    """Make a key for ``user`` and return it with the full secret, which is never stored.

    Raises PermissionDenied when ``actor`` makes a key for someone else (only admins may),
    or asks for the export scope for a user who is not data staff or an admin; and
    ValidationError for unknown scopes or an expiry in the past.
    """
    scopes = sorted(set(scopes))
    unknown = [scope for scope in scopes if scope not in ApiKey.Scope.values]
    if not scopes or unknown:
        raise ValidationError(
            {
                "scopes": _("Choose some of read, write, export (not %(unknown)s).")
                % {"unknown": ", ".join(unknown) or _("none")}
            }
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    if actor.pk != user.pk and not user_is_admin(actor):
        raise PermissionDenied(_("You may only make keys for yourself."))
    if ApiKey.Scope.EXPORT in scopes and not user_may_export(user):
        raise PermissionDenied(_("Only data staff and admins may have keys that export."))
    prefix = secrets.token_hex(4)
    raw_key = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            user=user,
            name=name.strip()[:100],
            prefix=prefix,
            hashed_key=api_key_hash(raw_key),
            scopes=scopes,
            expires_at=expires_at,
        )
        audit_record(actor=actor, action="api_key.create", obj=api_key, scopes=scopes)
    return api_key, raw_key


def api_key_revoke(*, actor: User, api_key: ApiKey) -> ApiKey:
    """Revoke a key (idempotent). The caller has checked that ``actor`` owns it or is admin."""
    with transaction.atomic():
        current = ApiKey.objects.select_for_update().get(pk=api_key.pk)
        if current.revoked_at is None:
            current.revoked_at = timezone.now()
            current.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action="api_key.revoke", obj=current)
    return current


def user_mfa_reset(*, actor: User, user: User, request: HttpRequest | None = None) -> int:
    """Remove every second factor ``user`` has (authenticator apps, passkeys, recovery codes)
    and sign them out everywhere, for a lost phone. Admins only. Returns how many authenticators
    went; audited as ``user.mfa_reset``. A user whose role needs a second factor sets up a new
    one at their next sign-in."""

    if not user_is_admin(actor):
        raise PermissionDenied(_("Only admins may reset someone's second factor."))
    with transaction.atomic():
        types = sorted(
            Authenticator.objects.filter(user=user).values_list("type", flat=True).distinct()
        )
        removed, _count = Authenticator.objects.filter(user=user).delete()
        ended = _user_sessions_end(user=user)
        audit_record(
            actor=actor,
            action="user.mfa_reset",
            obj=user,
            request=request,
            authenticators=removed,
            types=types,
            sessions_ended=ended,
        )
    return removed


def user_sessions_end(
    *,
    actor: User,
    user: User,
    session_ids: list[int] | None = None,
    request: HttpRequest | None = None,
) -> int:
    """Sign ``user`` out of the given devices (allauth ``UserSession`` ids), or all of them.

    The user themselves or an admin. Returns how many sessions ended; audited as
    ``user.sessions_end``. Ending the caller's own current session signs them out too (the
    session store no longer has it).
    """
    if actor.pk != user.pk and not user_is_admin(actor):
        raise PermissionDenied(_("You may only sign out your own devices."))
    with transaction.atomic():
        ended = _user_sessions_end(user=user, session_ids=session_ids)
        audit_record(
            actor=actor,
            action="user.sessions_end",
            obj=user,
            request=request,
            sessions_ended=ended,
            everywhere=session_ids is None,
        )
    return ended


def _user_sessions_end(*, user: User, session_ids: list[int] | None = None) -> int:

    sessions = UserSession.objects.filter(user=user)
    if session_ids is not None:
        sessions = sessions.filter(pk__in=session_ids)
    count = 0
    for session in sessions:
        session.end()  # deletes it from the session store and the list
        count += 1
    return count


def user_language_set(*, actor: User, user: User, language: str) -> User:
    """Set the language ``user`` reads Earshot in ("" follows their browser). Only the user
    themself chooses it (an admin uses the Django admin)."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("You may only choose your own language."))
    codes = {code for code, _name in settings.LANGUAGES}
    if language and language not in codes:
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user

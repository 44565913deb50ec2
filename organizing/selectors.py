"""Reads about users and their roles. The supporter visibility rule builds on these."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Invitation, Membership, Team, User


def user_is_organization_wide(user: User) -> bool:
    """Data staff, admins and superusers see every supporter, whatever their team."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.memberships.filter(role__in=Membership.ORGANIZATION_WIDE_ROLES).exists()


def team_ids_organized_by(user: User) -> list[int]:
    """Teams in which ``user`` is an organizer (admins and superusers: every team)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser or user.memberships.filter(role=Membership.Role.ADMIN).exists():
        return list(Team.objects.values_list("id", flat=True))
    return list(
        user.memberships.filter(role=Membership.Role.ORGANIZER).values_list("team_id", flat=True)
    )


def invitation_get_open(*, token: str) -> Invitation | None:
    invitation = Invitation.objects.select_related("team").filter(token=token).first()
    if invitation is None or not invitation.is_open:
        return None
    return invitation


def invitation_list(*, viewer: User) -> QuerySet[Invitation]:
    return Invitation.objects.filter(team_id__in=team_ids_organized_by(viewer)).select_related(
        "team", "invited_by"
    )

"""Reads about users and their roles. The supporter visibility rule builds on these."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Invitation, Membership, Team, User


def user_memberships(user: User) -> list[tuple[int, str]]:
    """The user's ``(team_id, role)`` pairs, read once per user instance.

    Cached on the instance the way Django caches permissions (``_perm_cache``): a request
    loads its user afresh, so a page asks the database once however many checks it makes.
    Code that changes someone's roles and re-checks them must re-read the user.
    """
    cached = getattr(user, "_earshot_memberships", None)
    if cached is None:
        cached = list(user.memberships.values_list("team_id", "role"))
        user._earshot_memberships = cached
    return cached


def user_is_organization_wide(user: User) -> bool:
    """Data staff, admins and superusers see every supporter, whatever their team."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(role in Membership.ORGANIZATION_WIDE_ROLES for _, role in user_memberships(user))


def user_is_admin(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(
        role == Membership.Role.ADMIN for _, role in user_memberships(user)
    )


def team_ids_organized_by(user: User) -> list[int]:
    """Teams in which ``user`` is an organizer (admins and superusers: every team)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user_is_admin(user):
        return list(Team.objects.values_list("id", flat=True))
    return [
        team_id for team_id, role in user_memberships(user) if role == Membership.Role.ORGANIZER
    ]


def user_organizes(user: User, team_id: int) -> bool:
    """May ``user`` act as an organizer for ``team_id`` (sensitive notes, assignments…)?"""
    if not user.is_authenticated or not user.is_active:
        return False
    return user_is_organization_wide(user) or any(
        t == team_id and role == Membership.Role.ORGANIZER for t, role in user_memberships(user)
    )


def user_team_ids(user: User) -> list[int]:
    """Teams the user belongs to in any role."""
    return sorted({team_id for team_id, _ in user_memberships(user)})


def invitation_get_open(*, token: str) -> Invitation | None:
    invitation = Invitation.objects.select_related("team").filter(token=token).first()
    if invitation is None or not invitation.is_open:
        return None
    return invitation


def invitation_list(*, viewer: User) -> QuerySet[Invitation]:
    return Invitation.objects.filter(team_id__in=team_ids_organized_by(viewer)).select_related(
        "team", "invited_by"
    )


def user_is_organizer_or_above(user: User) -> bool:
    """Organizers of any team, data staff, admins: who keeps the shared lists and pages."""
    return user_is_organization_wide(user) or bool(team_ids_organized_by(user))


def team_ids_overseen_by(user: User) -> list[int]:
    """Teams whose supporters ``user`` looks after on the organizer pages.

    Organizers: the teams they organize; data staff, admins and superusers: every team.
    """
    if user_is_organization_wide(user):
        return list(Team.objects.values_list("id", flat=True))
    return team_ids_organized_by(user)


def team_members(team_ids: list[int]) -> QuerySet[User]:
    """Active people in these teams (anyone who could be given a supporter or follow-up)."""
    return (
        User.objects.filter(is_active=True, memberships__team_id__in=team_ids)
        .distinct()
        .order_by("full_name", "email")
    )

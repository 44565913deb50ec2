"""Reads about users and invitations. Role predicates live in ``organizing.roles``."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Invitation, User
from .roles import team_ids_organized_by


def invitation_get_open(*, token: str) -> Invitation | None:
    invitation = Invitation.objects.select_related("team").filter(token=token).first()
    if invitation is None or not invitation.is_open:
        return None
    return invitation


def invitation_list(*, viewer: User) -> QuerySet[Invitation]:
    return Invitation.objects.filter(team_id__in=team_ids_organized_by(viewer)).select_related(
        "team", "invited_by"
    )


def team_members(team_ids: list[int]) -> QuerySet[User]:
    """Active people in these teams (anyone who could be given a supporter or follow-up)."""
    return (
        User.objects.filter(is_active=True, memberships__team_id__in=team_ids)
        .distinct()
        .order_by("full_name", "email")
    )

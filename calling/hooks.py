"""What the supporters app reads of phone banking, handed to it at app-ready time (it imports
nothing of ours): the person a caller holds on a lease, as part of the visibility rule, and
the merge step."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Now

from supporters.selectors import supporter_visibility_grant_register
from supporters.services import merge_step_register

from .models import CallTarget
from .services import call_list_merge_step


def people_on_lease(viewer) -> QuerySet:
    """The person ``viewer`` holds on any call list, while the lease lasts (tested against
    the database's clock at read time, so the grant ends by itself)."""
    return CallTarget.objects.filter(claimed_by=viewer, lease_expires_at__gt=Now()).values(
        "supporter_id"
    )


def register() -> None:
    supporter_visibility_grant_register("call_lease", people_on_lease)
    merge_step_register(call_list_merge_step)

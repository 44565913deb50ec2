"""The imports a viewer may see: their own; every import for data staff and admins."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from organizing.roles import team_ids_user_may_import_into, user_is_organization_wide

from .models import Import


def import_list(*, viewer) -> QuerySet[Import]:
    """THE rule for seeing an import (its counts, samples and files name people): its maker,
    while they may still import into its team; data staff and admins see every import."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Import.objects.none()
    imports = Import.objects.select_related("team", "created_by")
    if user_is_organization_wide(viewer):
        return imports
    return imports.filter(created_by=viewer, team_id__in=team_ids_user_may_import_into(viewer))


def import_get(*, viewer, pk: int) -> Import:
    job = import_list(viewer=viewer).filter(pk=pk).first()
    if job is None:
        raise Http404("No such import.")
    return job

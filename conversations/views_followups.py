"""The organizer's follow-up queue: who owes whom a call, due and overdue, with reassignment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizing.roles import team_ids_overseen_by
from organizing.selectors import team_members
from supporters.selectors import supporter_access, supporter_list
from supporters.services import assignment_create

from .forms import FollowUpReassignForm
from .models import FollowUp
from .selectors import followup_list_queue
from .services import followup_reassign

QUEUE_PAGE_SIZE = 100


def _overseen_teams(request: HttpRequest) -> list[int]:
    team_ids = team_ids_overseen_by(request.user)
    if not team_ids:
        raise PermissionDenied(_("The follow-up queue is for organizers."))
    return team_ids


@login_required
def followup_queue_view(request: HttpRequest) -> HttpResponse:
    """Open follow-ups by volunteer: due today and overdue (or every open one)."""
    team_ids = _overseen_teams(request)
    show_all = request.GET.get("show") == "all"
    followups = followup_list_queue(viewer=request.user, due_only=not show_all)
    page = Paginator(followups, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "conversations/followup_queue.html",
        {
            "page": page,
            "show_all": show_all,
            "assignees": list(team_members(team_ids)),
        },
    )


@login_required
@require_POST
def followup_reassign_view(request: HttpRequest, followup_pk: int) -> HttpResponse:
    """Give a follow-up to someone else on the team.

    When the new person cannot see the supporter yet, the supporter is assigned to them too,
    so they can open the brief (their assignment moves to the new person).
    """
    # Outside the viewer's scope is a 404 first, as the API answers (issue 10's parity).
    followup = get_object_or_404(
        FollowUp.objects.select_related("supporter", "assignee"),
        pk=followup_pk,
        supporter__in=supporter_list(viewer=request.user),
    )
    _overseen_teams(request)
    if not supporter_access(viewer=request.user, supporter=followup.supporter).may_reassign(
        followup
    ):
        raise PermissionDenied(_("Only the person's team organizers reassign their follow-ups."))
    form = FollowUpReassignForm(request.POST, assignees=team_members([followup.supporter.team_id]))
    if not form.is_valid():
        messages.error(request, _("Pick someone on the person's team to give it to."))
        return redirect(reverse("conversations:followup_queue"))
    assignee = form.cleaned_data["assignee"]
    if not supporter_list(viewer=assignee).filter(pk=followup.supporter_id).exists():
        assignment_create(actor=request.user, supporter=followup.supporter, volunteer=assignee)
        messages.info(
            request,
            _("%(person)s is now assigned to %(assignee)s, so they can open the brief.")
            % {"person": followup.supporter, "assignee": assignee},
        )
    followup_reassign(actor=request.user, followup=followup, assignee=assignee)
    messages.success(
        request,
        _("“%(reason)s” for %(person)s now goes to %(assignee)s.")
        % {"reason": followup.reason, "person": followup.supporter, "assignee": assignee},
    )
    url = reverse("conversations:followup_queue")
    return redirect(f"{url}?show=all" if request.POST.get("show") == "all" else url)

"""Pages for the organization: invitations and the health check."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .adapters import INVITATION_SESSION_KEY
from .forms import InvitationForm
from .models import Team
from .roles import team_ids_organized_by
from .selectors import invitation_get_open, invitation_list
from .services import invitation_create, invitation_revoke


@login_required
def invitation_list_view(request: HttpRequest) -> HttpResponse:
    """Organizers invite people into their teams and see who has joined."""
    team_ids = team_ids_organized_by(request.user)
    if not team_ids:
        raise PermissionDenied(_("Only organizers and admins invite people."))
    teams = Team.objects.filter(id__in=team_ids)
    form = InvitationForm(request.POST or None, inviter=request.user, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(
                actor=request.user,
                team=form.cleaned_data["team"],
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                for message in field_errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request, _("Invitation on its way to %(email)s.") % {"email": invitation.email}
            )
            return redirect("organizing:invitation_list")
    context = {
        "form": form,
        "invitations": invitation_list(viewer=request.user)[:200],
        "members": teams.prefetch_related("memberships__user"),
    }
    return render(
        request, "organizing/invitation_list.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def invitation_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(invitation_list(viewer=request.user), pk=pk)
    invitation_revoke(actor=request.user, invitation=invitation)
    messages.success(request, _("Invitation for %(email)s revoked.") % {"email": invitation.email})
    return redirect("organizing:invitation_list")


@require_GET
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation email: opens sign-up for that address only."""
    invitation = invitation_get_open(token=token)
    if invitation is None:
        return render(request, "organizing/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        logout(request)
    request.session[INVITATION_SESSION_KEY] = invitation.token
    # The address came from the organizer's invitation and the link proves it was received.
    get_adapter(request).stash_verified_email(request, invitation.email)
    return redirect(f"{reverse('account_signup')}?{urlencode({'email': invitation.email})}")


@require_GET
def health_view(request: HttpRequest) -> JsonResponse:
    """For load balancers and docker compose: is the database answering?"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


FAVICON = settings.BASE_DIR / "static" / "favicon.ico"


@require_GET
def favicon_view(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on every site whatever the page links: the small
    icon from static/, so their request is answered instead of logged as a 404."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response

"""Pages about people: search, adding someone, the organizer's list."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organizing.models import Membership, Team
from organizing.roles import team_ids_overseen_by, team_ids_user_may_add_people_to
from organizing.selectors import team_members

from .forms import BulkAssignForm, SupporterCreateForm, SupporterFilterForm
from .models import Assignment, Supporter
from .segments import segment_compile
from .selectors import (
    supporter_list,
    supporter_list_columns,
    supporter_matches,
    supporter_search,
    supporter_search_condition,
)
from .services import assignment_create, supporter_create

PAGE_SIZE = 50


@login_required
def search_view(request: HttpRequest) -> HttpResponse:
    """Search the people the user may see by name, phone or email; htmx gets the results only."""
    query = request.GET.get("q", "")
    results = list(supporter_search(viewer=request.user, query=query))
    template = (
        "supporters/_search_results.html" if request.htmx else "supporters/supporter_search.html"
    )
    return render(request, template, {"query": query, "results": results})


def _teams_for_adding(request: HttpRequest) -> QuerySet[Team]:
    return Team.objects.filter(id__in=team_ids_user_may_add_people_to(request.user)).order_by(
        "name"
    )


@login_required
def supporter_create_view(request: HttpRequest) -> HttpResponse:
    """Add a person. When someone the user may see already matches by phone, email, or name
    and ZIP, the form comes back with the matches and asks before adding a second record."""
    teams = _teams_for_adding(request)
    if not teams:
        raise PermissionDenied(_("Join a team before adding people."))
    form = SupporterCreateForm(
        request.POST or None, teams=teams, initial={"client_uuid": uuid.uuid4()}
    )
    matches = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        matches = supporter_matches(
            viewer=request.user,
            phone=data["phone"],
            email=data["email"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            postal_code=data["postal_code"],
        )
        if not matches or data["confirm_new"]:
            relational = data["how"] == "relational"
            supporter = supporter_create(
                actor=request.user,
                team=data["team"],
                given_name=data["given_name"],
                family_name=data["family_name"],
                language=data["language"] if data["language"] != "other" else "und",
                source=Supporter.Source.RELATIONAL if relational else Supporter.Source.CANVASS,
                email=data["email"],
                phone=data["phone"],
                address={"line1": data["line1"], "postal_code": data["postal_code"]},
                known_by_kind=data["relationship_kind"] if relational else "",
                client_uuid=data["client_uuid"],
            )
            if supporter.is_new:
                messages.success(request, _("%(name)s added.") % {"name": supporter})
            else:
                messages.info(
                    request,
                    _("%(name)s was already added — we kept the first copy.") % {"name": supporter},
                )
            return redirect("conversations:brief", pk=supporter.pk)
    status = 400 if form.errors or matches else 200
    return render(
        request,
        "supporters/supporter_form.html",
        {"form": form, "matches": matches},
        status=status,
    )


def supporters_filtered(
    form: SupporterFilterForm, base: QuerySet[Supporter]
) -> QuerySet[Supporter]:
    """The Supporters page's filters (a valid ``form``) applied to ``base``; the walk-list cut
    reads the same filters."""
    return _filtered(form, base)


def _filtered(form: SupporterFilterForm, base: QuerySet[Supporter]) -> QuerySet[Supporter]:
    data = form.cleaned_data
    supporters = base
    if data.get("q"):
        supporters = supporters.filter(supporter_search_condition(data["q"]))
    if data.get("team"):
        supporters = supporters.filter(team=data["team"])
    if data.get("tag"):
        supporters = supporters.filter(taggings__tag=data["tag"])
    if data.get("support_level"):
        supporters = supporters.filter(support_level=data["support_level"])
    # What was heard and said is the conversations app's: it registered these conditions.
    if data.get("issue"):
        supporters = supporters.filter(segment_compile({"issues": {"any": [data["issue"].pk]}}))
    last_contact = data.get("last_contact")
    if last_contact == "never":
        supporters = supporters.filter(segment_compile({"never_contacted": True}))
    elif last_contact == "not30":
        supporters = supporters.exclude(segment_compile({"conversations": {"within_days": 30}}))
    elif last_contact:
        days = int(last_contact)
        supporters = supporters.filter(segment_compile({"conversations": {"within_days": days}}))
    if data.get("followup") == "yes":
        supporters = supporters.filter(segment_compile({"followups": {"status": "open"}}))
    elif data.get("followup") == "no":
        supporters = supporters.filter(segment_compile({"followups": {"status": "none_open"}}))
    if data.get("contactable"):
        supporters = supporters.contactable_by(data["contactable"])
    active = Assignment.objects.active().filter(supporter=OuterRef("pk"))
    if data.get("assigned") == "yes":
        supporters = supporters.filter(Exists(active))
    elif data.get("assigned") == "no":
        supporters = supporters.exclude(Exists(active))
    return supporters


@login_required
def supporter_list_view(request: HttpRequest) -> HttpResponse:
    """The organizer's list: filters, and bulk assignment of the ticked people to a volunteer."""
    team_ids = team_ids_overseen_by(request.user)
    if not team_ids:
        raise PermissionDenied(_("The supporters list is for organizers."))
    teams = Team.objects.filter(id__in=team_ids).order_by("name")
    base = supporter_list(viewer=request.user, teams=team_ids)
    volunteers = team_members(team_ids)

    if request.method == "POST":
        assign_form = BulkAssignForm(request.POST, volunteers=volunteers, supporters=base)
        if assign_form.is_valid():
            volunteer = assign_form.cleaned_data["volunteer"]
            volunteer_teams = set(
                Membership.objects.filter(user=volunteer).values_list("team_id", flat=True)
            )
            assigned, skipped = 0, []
            for supporter in assign_form.cleaned_data["supporters"]:
                if supporter.team_id not in volunteer_teams:
                    skipped.append(str(supporter))
                    continue
                assignment_create(actor=request.user, supporter=supporter, volunteer=volunteer)
                assigned += 1
            if assigned:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d person assigned to %(volunteer)s.",
                        "%(count)d people assigned to %(volunteer)s.",
                        assigned,
                    )
                    % {"count": assigned, "volunteer": volunteer},
                )
            if skipped:
                messages.error(
                    request,
                    _("Not assigned (not on %(volunteer)s's team): %(people)s")
                    % {"volunteer": volunteer, "people": ", ".join(skipped[:10])}
                    + ("…" if len(skipped) > 10 else ""),
                )
        else:
            for errors in assign_form.errors.values():
                for error in errors:
                    messages.error(request, error)
        query = request.GET.urlencode()
        return redirect(f"{reverse('supporters:list')}{'?' + query if query else ''}")

    form = SupporterFilterForm(request.GET or None, teams=teams)
    supporters = base
    if form.is_bound and form.is_valid():
        supporters = _filtered(form, base)
    supporters = (
        supporters.select_related("team")
        .annotate(
            assigned_name=Subquery(
                Assignment.objects.active()
                .filter(supporter=OuterRef("pk"))
                .order_by("-created_at")
                .values("volunteer__full_name")[:1]
            ),
            **supporter_list_columns(),
        )
        .prefetch_related("do_not_contact", "tags")
        .order_by("family_name", "given_name", "id")
    )
    page = Paginator(supporters, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supporters/supporter_list.html",
        {
            "form": form,
            "page": page,
            "volunteers": volunteers,
            "query": query.urlencode(),
        },
        status=400 if form.errors else 200,
    )

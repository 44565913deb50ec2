"""Pages about people: search, adding someone, the organizer's list."""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from organizing.models import Team
from organizing.roles import team_ids_overseen_by, team_ids_user_may_add_people_to
from organizing.selectors import team_members
from organizing.services import audit_record

from .bulk import BulkActionForm, bulk_action_create, bulk_action_get, bulk_summary
from .forms import SupporterCreateForm, SupporterFilterForm
from .listing import ListColumn, columns_chosen, columns_offered, sort_keys, supporter_rows
from .models import Supporter
from .segments import segment_compile
from .selectors import (
    supporter_list,
    supporter_matches,
    supporter_search,
)
from .services import supporter_create

PAGE_SIZE = 50


@login_required
def search_view(request: HttpRequest) -> HttpResponse:
    """Search the people the user may see by name, phone or email; htmx gets the results only."""
    query = request.GET.get("q", "")
    results = list(supporter_search(viewer=request.user, query=query))
    if query:
        # One entry per request naming whom it showed; not the words typed (they may be a
        # name, and the audit trail is read by more people than the search).
        audit_record(
            actor=request.user,
            action="supporter.search",
            request=request,
            ids=[supporter.pk for supporter in results],
        )
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
    """The list's filters are the segment language (``to_filter``), compiled once."""
    return base.filter(segment_compile(form.to_filter()))


COLUMNS_SESSION_KEY = "supporter_list_columns"
# Up to this many people a bulk action is done while the page waits; beyond, by the worker.
BULK_INLINE_LIMIT = 100


def _columns(request: HttpRequest) -> list[ListColumn]:
    """The columns the organizer chose (``?columns=…&columns_chosen=1``), remembered in their
    session; the defaults until they choose."""
    if request.GET.get("columns_chosen"):
        keys = request.GET.getlist("columns")
        request.session[COLUMNS_SESSION_KEY] = keys
    else:
        keys = request.session.get(COLUMNS_SESSION_KEY)
    return columns_chosen(keys)


def _bulk_post(request: HttpRequest, base, volunteers, teams) -> HttpResponse:
    """A bulk action from the list: the ticked people, or all who match the filters in the
    address. Few people are done at once; more go to the worker, whose progress page shows
    the count and, at the end, who was done and who refused with why."""
    data = request.POST.copy()
    # The bar before issue 16 posted only a volunteer and the ticked people.
    data.setdefault("action", "assign")
    data.setdefault("scope", "ticked")
    bulk_form = BulkActionForm(data, volunteers=volunteers, supporters=base)
    filters = SupporterFilterForm(request.GET or None, teams=teams)
    back = f"{reverse('supporters:list')}{'?' + request.GET.urlencode() if request.GET else ''}"
    if not bulk_form.is_valid() or (filters.is_bound and not filters.is_valid()):
        for errors in [*bulk_form.errors.values(), *filters.errors.values()]:
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    everyone = bulk_form.cleaned_data["scope"] == "all"
    job = bulk_action_create(
        actor=request.user,
        action=bulk_form.cleaned_data["action"],
        params=bulk_form.params,
        filter_json=filters.to_filter() if (everyone and filters.is_bound) else {},
        supporter_ids=None
        if everyone
        else [supporter.pk for supporter in bulk_form.cleaned_data["supporters"]],
        worker_above=BULK_INLINE_LIMIT,
    )
    if not job.is_finished:
        return redirect("supporters:bulk", pk=job.pk)
    for level, text in bulk_summary(job):
        messages.add_message(request, level, text)
    return redirect(back)


def _headers(columns: list[ListColumn], sort: str, sort_query: str) -> list[dict]:
    """The table's header cells: a link that sorts by the column (again: the other way)."""
    heads = []
    descending = sort.startswith("-")
    for key, label, sortable in [("name", _("Name"), True)] + [
        (column.key, column.label, bool(column.sort)) for column in columns
    ]:
        current = sort.removeprefix("-") == key
        next_sort = f"-{key}" if current and not descending else key
        heads.append(
            {
                "key": key,
                "label": label,
                "href": f"?{sort_query + '&' if sort_query else ''}sort={next_sort}"
                if sortable
                else None,
                "aria_sort": ("descending" if descending else "ascending") if current else None,
            }
        )
    return heads


@login_required
def supporter_list_view(request: HttpRequest) -> HttpResponse:
    """The organizer's list: filters, sortable chosen columns, and bulk actions on the ticked
    people or on all who match."""
    team_ids = team_ids_overseen_by(request.user)
    if not team_ids:
        raise PermissionDenied(_("The supporters list is for organizers."))
    teams = Team.objects.filter(id__in=team_ids).order_by("name")
    base = supporter_list(viewer=request.user, teams=team_ids)
    volunteers = team_members(team_ids)

    if request.method == "POST":
        return _bulk_post(request, base, volunteers, teams)

    form = SupporterFilterForm(request.GET or None, teams=teams)
    supporters = base
    if form.is_bound and form.is_valid():
        supporters = _filtered(form, base)
    columns = _columns(request)
    sort = request.GET.get("sort", "name")
    if sort.removeprefix("-") not in sort_keys(columns):
        sort = "name"
    rows = supporter_rows(supporters, columns=columns, sort=sort)
    segment_filter = form.to_filter() if form.is_bound and form.is_valid() else {}
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_record(
        actor=request.user,
        action="supporter.list",
        request=request,
        ids=[supporter.pk for supporter in page],
    )
    query = request.GET.copy()
    for key in ("page", "columns", "columns_chosen"):
        query.pop(key, None)
    without_sort = query.copy()
    without_sort.pop("sort", None)
    bulk_form = BulkActionForm(volunteers=volunteers, supporters=base)
    return render(
        request,
        "supporters/supporter_list.html",
        {
            "form": form,
            "page": page,
            "volunteers": volunteers,
            "query": query.urlencode(),
            "sort_query": without_sort.urlencode(),
            "sort": sort,
            "headers": _headers(columns, sort, without_sort.urlencode()),
            "columns": columns,
            "column_keys": [column.key for column in columns],
            "columns_offered": columns_offered(),
            "bulk_form": bulk_form,
            "save_as_segment": QueryDict.fromkeys(
                ["from_filter"], json.dumps(segment_filter)
            ).urlencode(),
        },
        status=400 if form.errors else 200,
    )


@login_required
def bulk_action_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A bulk action's progress (htmx polls the fragment until it is finished), then who was
    done and who was refused, with why. Only its requester follows it."""
    job = bulk_action_get(viewer=request.user, pk=pk)
    template = "supporters/_bulk_progress.html" if request.htmx else "supporters/bulk_action.html"
    return render(
        request,
        template,
        {"job": job, "summary": bulk_summary(job) if job.is_finished else []},
    )

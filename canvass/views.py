"""The organizer's walk-list pages: cut a list, split it by count or on the map, check packets
out (to a volunteer, a pair, or a day volunteer's link), watch who is out and how far along.

Thin: forms validate, ``canvass.services`` write and check the actor, ``canvass.selectors``
decide what the viewer sees.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizing.models import Team
from organizing.roles import (
    team_ids_organized_by,
    user_is_organization_wide,
    user_is_organizer_or_above,
)
from supporters.forms import SupporterFilterForm
from supporters.models import Segment, Supporter
from supporters.selectors import supporter_list
from supporters.views import supporters_filtered

from . import guests, services
from .forms import CheckoutForm, DrawForm, GuestLinkForm, SplitForm, WalkListCutForm
from .models import Checkout, GuestLink
from .selectors import (
    packet_doors,
    packet_get,
    packets_checked_out_to,
    walk_list_get,
    walk_list_list,
    walk_list_may_organize,
    walk_list_packets,
    walk_list_progress,
)


def _organized_teams(user) -> QuerySet[Team]:
    if user_is_organization_wide(user):
        return Team.objects.order_by("name")
    return Team.objects.filter(pk__in=team_ids_organized_by(user)).order_by("name")


def _errors_to_messages(request: HttpRequest, error: ValidationError) -> None:
    for field, problems in getattr(error, "message_dict", {"": error.messages}).items():
        for problem in problems:
            messages.error(
                request, f"{field}: {problem}" if field and field != "__all__" else problem
            )


def _filters_people(request: HttpRequest, query: str, teams) -> QuerySet[Supporter] | None:
    """The people the Supporters page's filters (its query string) pick, or None."""
    if not query:
        return None
    form = SupporterFilterForm(QueryDict(query), teams=teams)
    if not form.is_valid():
        return None
    return supporters_filtered(
        form, supporter_list(viewer=request.user, teams=[t.pk for t in teams])
    )


@login_required
def walk_list_index_view(request: HttpRequest) -> HttpResponse:
    """Organizers: the walk lists and the form to cut one (from a saved segment, or from the
    Supporters filters the page was opened with). Volunteers: the packets out with them."""
    mine = packets_checked_out_to(request.user)
    if not user_is_organizer_or_above(request.user):
        return render(request, "canvass/walklist_index.html", {"mine": mine, "lists": []})
    teams = _organized_teams(request.user)
    query = request.POST.get("filters", "") if request.method == "POST" else request.GET.urlencode()
    form = WalkListCutForm(
        request.POST or None,
        teams=teams,
        segments=Segment.objects.order_by("name"),
        initial={"team": teams.first()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            walk_list = services.walk_list_cut(
                actor=request.user,
                name=data["name"],
                team=data["team"],
                segment=data["segment"],
                people=None if data["segment"] else _filters_people(request, query, teams),
            )
            if data.get("doors_per_packet"):
                services.packets_by_count(
                    actor=request.user,
                    walk_list=walk_list,
                    doors_per_packet=data["doors_per_packet"],
                )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(
                request, _("Walk list cut: %(count)d doors.") % {"count": walk_list.door_count}
            )
            return redirect("canvass:walk_list", pk=walk_list.pk)
    return render(
        request,
        "canvass/walklist_index.html",
        {
            "mine": mine,
            "lists": walk_list_list(viewer=request.user).order_by("-created_at", "-id")[:100],
            "form": form,
            "filters": query,
        },
        status=400 if form.errors else 200,
    )


def _map_doors(doors) -> list[dict]:
    return [
        {
            "id": door.pk,
            "n": door.number,
            "lat": door.latitude,
            "lon": door.longitude,
            "zip_only": door.zip_only,
            "address": " ".join(p for p in (door.address, door.unit) if p),
            "done": door.is_done,
        }
        for door in doors
    ]


@login_required
def walk_list_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One walk list: its packets on the map (numbered doors, outlines), splitting by count
    and by drawing, check-outs, day-volunteer links, progress and what to check."""
    walk_list = walk_list_get(viewer=request.user, pk=pk)
    if not walk_list_may_organize(viewer=request.user, walk_list=walk_list):
        raise PermissionDenied(_("Walk lists are their team's organizers'."))
    packets = walk_list_packets(walk_list)
    map_packets = []
    for row in packets:
        # One pair of forms a packet, each with its own ids (its labels name its fields).
        row.checkout_form = CheckoutForm(team_id=walk_list.team_id, prefix=f"packet{row.packet.pk}")
        row.guest_form = GuestLinkForm(prefix=f"guest{row.packet.pk}")
        doors = packet_doors(viewer=request.user, packet=row.packet)
        map_packets.append(
            {
                "id": row.packet.pk,
                "name": row.packet.name,
                "outline": row.packet.outline,
                "doors": _map_doors(doors),
            }
        )
    loose = (
        walk_list.doors.filter(packet__isnull=True).select_related("household").order_by("position")
    )
    map_loose = [
        {
            "id": door.pk,
            "n": door.position + 1,
            "lat": door.household.latitude,
            "lon": door.household.longitude,
            "zip_only": door.household.geocode_precision == "zip",
            "address": str(door.household),
            "done": False,
        }
        for door in loose[:5000]
    ]
    zip_only = walk_list.doors.filter(household__geocode_precision="zip").count()
    return render(
        request,
        "canvass/walklist_detail.html",
        {
            "walk_list": walk_list,
            "packets": packets,
            "loose_count": loose.count(),
            "zip_only": zip_only,
            "progress": walk_list_progress(walk_list),
            "split_form": SplitForm(prefix="split"),
            "draw_form": DrawForm(prefix="draw"),
            "map_data": {
                "tiles": settings.MAP_TILE_URL,
                "attribution": settings.MAP_TILE_ATTRIBUTION,
                "packets": map_packets,
                "loose": map_loose,
                "draw": True,
            },
        },
    )


def _organized_list(request: HttpRequest, pk: int):
    walk_list = walk_list_get(viewer=request.user, pk=pk)
    if not walk_list_may_organize(viewer=request.user, walk_list=walk_list):
        raise PermissionDenied(_("Walk lists are their team's organizers'."))
    return walk_list


@login_required
@require_POST
def split_view(request: HttpRequest, pk: int) -> HttpResponse:
    walk_list = _organized_list(request, pk)
    form = SplitForm(request.POST, prefix="split")
    if form.is_valid():
        try:
            made = services.packets_by_count(
                actor=request.user,
                walk_list=walk_list,
                doors_per_packet=form.cleaned_data["doors_per_packet"],
                name=form.cleaned_data["name"],
            )
            messages.success(request, _("%(count)d packets made.") % {"count": len(made)})
        except ValidationError as error:
            _errors_to_messages(request, error)
    else:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, problem)
    return redirect("canvass:walk_list", pk=walk_list.pk)


@login_required
@require_POST
def clear_view(request: HttpRequest, pk: int) -> HttpResponse:
    walk_list = _organized_list(request, pk)
    removed = services.packets_clear(actor=request.user, walk_list=walk_list)
    messages.success(
        request, _("%(count)d packets removed; their doors are free again.") % {"count": removed}
    )
    return redirect("canvass:walk_list", pk=walk_list.pk)


@login_required
@require_POST
def draw_view(request: HttpRequest, pk: int) -> HttpResponse:
    walk_list = _organized_list(request, pk)
    form = DrawForm(request.POST, prefix="draw")
    if form.is_valid():
        try:
            packet, counts = services.packet_draw(
                actor=request.user,
                walk_list=walk_list,
                name=form.cleaned_data["name"],
                outline=form.cleaned_data["outline"],
            )
        except ValidationError as error:
            _errors_to_messages(request, error)
        else:
            text = _("%(name)s: %(moved)d doors inside the shape.") % {
                "name": packet.name,
                "moved": counts["moved"],
            }
            if counts["zip_only"]:
                text += " " + _("%(count)d doors placed only by ZIP were left where they were.") % {
                    "count": counts["zip_only"]
                }
            if counts["locked"]:
                text += " " + _("%(count)d doors in packets that are out stayed put.") % {
                    "count": counts["locked"]
                }
            messages.success(request, text)
    else:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, problem)
    return redirect("canvass:walk_list", pk=walk_list.pk)


@login_required
@require_POST
def checkout_view(request: HttpRequest, pk: int) -> HttpResponse:
    packet = packet_get(viewer=request.user, pk=pk)
    walk_list = _organized_list(request, packet.walk_list_id)
    form = CheckoutForm(request.POST, team_id=walk_list.team_id, prefix=f"packet{packet.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            checkout = services.packet_checkout(
                actor=request.user,
                packet=packet,
                volunteer=data["volunteer"],
                partner=data["partner"],
                until=data["until"],
            )
        except ValidationError as error:
            _errors_to_messages(request, error)
        else:
            messages.success(
                request,
                _("%(packet)s is out with %(name)s.")
                % {"packet": packet.name, "name": checkout.volunteer},
            )
    else:
        for field, problems in form.errors.items():
            for problem in problems:
                messages.error(
                    request,
                    f"{form.fields[field].label}: {problem}" if field in form.fields else problem,
                )
    return redirect(f"{reverse('canvass:walk_list', args=[walk_list.pk])}#packet-{packet.pk}")


@login_required
@require_POST
def return_view(request: HttpRequest, pk: int) -> HttpResponse:
    checkout = get_object_or_404(Checkout.objects.select_related("packet__walk_list"), pk=pk)
    packet_get(viewer=request.user, pk=checkout.packet_id)  # a 404 unless they may see it
    if hasattr(checkout, "guest_link"):
        guests.guest_link_revoke(actor=request.user, link=checkout.guest_link)
    else:
        services.checkout_return(actor=request.user, checkout=checkout)
    messages.success(request, _("%(packet)s is back.") % {"packet": checkout.packet.name})
    if walk_list_may_organize(viewer=request.user, walk_list=checkout.packet.walk_list):
        return redirect("canvass:walk_list", pk=checkout.packet.walk_list_id)
    return redirect("canvass:index")


@login_required
@require_POST
def guest_link_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand a packet to a day volunteer: the link and PIN are shown once, with a QR code."""
    packet = packet_get(viewer=request.user, pk=pk)
    walk_list = _organized_list(request, packet.walk_list_id)
    form = GuestLinkForm(request.POST, prefix=f"guest{packet.pk}")
    if not form.is_valid():
        for field, problems in form.errors.items():
            for problem in problems:
                messages.error(
                    request,
                    f"{form.fields[field].label}: {problem}" if field in form.fields else problem,
                )
        return redirect("canvass:walk_list", pk=walk_list.pk)
    try:
        link, token, pin = guests.guest_link_create(
            actor=request.user,
            packet=packet,
            guest_name=form.cleaned_data["guest_name"],
            until=form.cleaned_data["until"],
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
        return redirect("canvass:walk_list", pk=walk_list.pk)
    url = request.build_absolute_uri(reverse("canvass:guest_open", args=[token]))
    return render(
        request,
        "canvass/guest_link_made.html",
        {
            "link": link,
            "url": url,
            "pin": pin,
            "qr_svg": guests.guest_link_qr_svg(url),
            "walk_list": walk_list,
        },
    )


@login_required
@require_POST
def guest_link_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(
        GuestLink.objects.select_related("packet__walk_list", "checkout"), pk=pk
    )
    walk_list = _organized_list(request, link.packet.walk_list_id)
    guests.guest_link_revoke(actor=request.user, link=link)
    messages.success(request, _("%(name)s's link is revoked.") % {"name": link.guest_name})
    return redirect("canvass:walk_list", pk=walk_list.pk)

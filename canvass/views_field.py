"""Canvass mode on the phone: a packet as a list and a map, door by door, and the day
volunteer's way in (a link and a PIN).

Door results go through the same code as ``POST /api/v1/field/sync/`` (``sync_item``): the
page's script sends them there; without script the buttons post here, which hands the same
item to the same function.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conversations.forms import ConversationLogForm
from conversations.models import SurveyQuestion
from supporters.selectors import supporter_list

from . import guests, services
from .api.views import sync_item
from .forms import NewPersonForm, PinForm
from .models import Door
from .selectors import packet_doors, packet_get, packet_progress, walk_list_may_organize
from .views import _map_doors

GUEST_SESSION_KEY = "canvass_guest_link"


def _packet_door(request: HttpRequest, pk: int, door_pk: int):
    packet = packet_get(viewer=request.user, pk=pk)
    door = get_object_or_404(
        Door.objects.select_related("household", "walk_list__team"), pk=door_pk, packet=packet
    )
    return packet, door


def _next_door_url(packet, doors, after_number: int | None) -> str:
    url = reverse("canvass:packet", args=[packet.pk])
    upcoming = [
        d for d in doors if not d.is_done and (after_number is None or d.number > after_number)
    ]
    if not upcoming:
        upcoming = [d for d in doors if not d.is_done]
    return f"{url}#door-{upcoming[0].pk}" if upcoming else url


@login_required
def packet_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The packet door by door: people, things to remember, do-not-contact warnings, one-tap
    results for the whole door, and "12 of 40 doors"; the map shows the same doors."""
    packet = packet_get(viewer=request.user, pk=pk)
    doors = packet_doors(viewer=request.user, packet=packet)
    done = sum(1 for d in doors if d.is_done)
    return render(
        request,
        "canvass/packet_canvass.html",
        {
            "packet": packet,
            "doors": doors,
            "done": done,
            "total": len(doors),
            "percent": round(100 * done / len(doors)) if doors else 0,
            "is_guest": guests.user_is_guest(request.user),
            "may_organize": walk_list_may_organize(viewer=request.user, walk_list=packet.walk_list),
            "progress": packet_progress(packet),
            "results": [
                ("not_home", _("Not home")),
                ("moved", _("Moved")),
                ("refused", _("Refused")),
                ("inaccessible", _("Inaccessible")),
            ],
            "map_data": {
                "tiles": settings.MAP_TILE_URL,
                "attribution": settings.MAP_TILE_ATTRIBUTION,
                "packets": [
                    {
                        "id": packet.pk,
                        "name": packet.name,
                        "outline": packet.outline,
                        "doors": _map_doors(doors),
                    }
                ],
                "loose": [],
                "draw": False,
            },
        },
    )


@login_required
@require_POST
def door_result_view(request: HttpRequest, pk: int, door_pk: int) -> HttpResponse:
    """One tap for the whole door (without script; the page's script uses the sync API)."""
    packet, door = _packet_door(request, pk, door_pk)
    answer = sync_item(
        request.user,
        {
            "type": "door_result",
            "client_uuid": request.POST.get("client_uuid") or str(uuid.uuid4()),
            "door": door.pk,
            "result": request.POST.get("result", ""),
        },
    )
    if answer["status"] == "refused":
        for problems in answer["errors"].values():
            for problem in problems:
                messages.error(request, problem)
        return redirect(f"{reverse('canvass:packet', args=[packet.pk])}#door-{door.pk}")
    doors = packet_doors(viewer=request.user, packet=packet)
    number = next((d.number for d in doors if d.pk == door.pk), None)
    return redirect(_next_door_url(packet, doors, number))


@login_required
def door_log_view(request: HttpRequest, pk: int, door_pk: int, supporter_pk: int) -> HttpResponse:
    """The log form, already set to this door (channel door), which returns to the next door
    once saved. The same form and checks as logging from the brief."""
    packet, door = _packet_door(request, pk, door_pk)
    supporter = get_object_or_404(supporter_list(viewer=request.user), pk=supporter_pk)
    questions = list(
        SurveyQuestion.objects.filter(is_active=True)
        .prefetch_related("choices")
        .order_by("position", "id")
    )
    back = f"{reverse('canvass:packet', args=[packet.pk])}#door-{door.pk}"
    if request.method == "POST":
        form = ConversationLogForm(request.POST, questions=questions)
        if form.is_valid():
            data = form.cleaned_data
            try:
                _conversation, created = services.door_conversation_log(
                    actor=request.user,
                    door=door,
                    supporter=supporter,
                    client_uuid=data["client_uuid"],
                    channel=data["channel"],
                    outcome=data["outcome"],
                    heard=data["heard"],
                    heard_is_sensitive=data["heard_is_sensitive"],
                    answers=data["answers"],
                    issues=data["issues"],
                    remember=data["remember"],
                    followup=form.followup_due_at(),
                    stop_channels=data["consent"],
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(
                    None, error.messages if isinstance(error, ValidationError) else str(error)
                )
            except DatabaseError:
                form.add_error(
                    None,
                    _(
                        "We couldn't save this just now. Everything you entered is still here; try again in a moment."
                    ),
                )
            else:
                messages.success(
                    request,
                    _("Conversation saved.")
                    if created
                    else _("Already saved — we kept the first copy."),
                )
                doors = packet_doors(viewer=request.user, packet=packet)
                number = next((d.number for d in doors if d.pk == door.pk), None)
                return redirect(_next_door_url(packet, doors, number))
        status = 400
    else:
        form = ConversationLogForm(
            initial={"client_uuid": uuid.uuid4(), "channel": "door"}, questions=questions
        )
        status = 200
    return render(
        request,
        "conversations/conversation_form.html",
        {"form": form, "supporter": supporter, "cancel_url": back, "door": door},
        status=status,
    )


@login_required
def door_new_person_view(request: HttpRequest, pk: int, door_pk: int) -> HttpResponse:
    """ "Someone new lives here": a short form; the person joins the door's household."""
    packet, door = _packet_door(request, pk, door_pk)
    back = f"{reverse('canvass:packet', args=[packet.pk])}#door-{door.pk}"
    if request.method == "POST":
        form = NewPersonForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            answer = sync_item(
                request.user,
                {
                    "type": "new_person",
                    "client_uuid": str(data["client_uuid"]),
                    "door": door.pk,
                    "given_name": data["given_name"],
                    "family_name": data["family_name"],
                    "phone": data["phone"],
                    "email": data["email"],
                },
            )
            if answer["status"] != "refused":
                messages.success(request, _("Added to this door."))
                return redirect(back)
            for field, problems in answer["errors"].items():
                form.add_error(field if field in form.fields else None, problems)
    else:
        form = NewPersonForm(initial={"client_uuid": uuid.uuid4()})
    return render(
        request,
        "canvass/door_new_person.html",
        {"form": form, "packet": packet, "door": door, "back": back},
        status=400 if form.errors else 200,
    )


def guest_open_view(request: HttpRequest, token: str) -> HttpResponse:
    """A day volunteer opens their link: the PIN signs them in as the named guest, for
    this packet only."""
    link = guests.guest_link_find(token)
    if link is None:
        return render(request, "canvass/guest_ended.html", status=410)
    form = PinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = guests.guest_link_open(token=token, pin=form.cleaned_data["pin"])
        except ValidationError as error:
            form.add_error("pin", error.message_dict["pin"])
        except PermissionDenied:
            return render(request, "canvass/guest_ended.html", status=410)
        else:
            if request.user.is_authenticated:
                logout(request)
            login(request, link.guest, backend="django.contrib.auth.backends.ModelBackend")
            request.session[GUEST_SESSION_KEY] = link.pk
            return redirect("canvass:packet", pk=link.packet_id)
    return render(
        request,
        "canvass/guest_open.html",
        {"form": form, "link": link},
        status=400 if form.errors else 200,
    )

"""The JSON API for canvassing: walk lists, packets, their progress, and the field sync.

Reads go through ``canvass.selectors`` (what the viewer may see); writes through
``canvass.services``, which check their actor. Field results arrive in one batch endpoint,
``POST /api/v1/field/sync/``, answering item by item.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations.api.views import _survey_answers
from conversations.models import Conversation, Issue
from organizing.api.base import ApiViewSet, get_or_404
from organizing.api.permissions import HasScope
from organizing.models import Team, User
from supporters.models import Segment
from supporters.selectors import supporter_list

from .. import services
from ..models import Checkout, Door
from ..selectors import (
    packet_list,
    packet_progress,
    walk_list_list,
    walk_list_may_organize,
    walk_list_progress,
)
from .serializers import (
    CheckoutSerializer,
    PacketCheckoutSerializer,
    PacketDrawSerializer,
    PacketSerializer,
    PacketSplitSerializer,
    ProgressSerializer,
    SyncConversationSerializer,
    SyncDoorResultSerializer,
    SyncNewPersonSerializer,
    SyncRequestSerializer,
    WalkListCreateSerializer,
    WalkListSerializer,
)


def _validation(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "message_dict"):
        return ValidationError({k: [str(m) for m in v] for k, v in error.message_dict.items()})
    return ValidationError({"non_field_errors": [str(m) for m in error.messages]})


def _progress_data(progress) -> dict:
    data = {
        "doors": progress.doors,
        "knocked": progress.knocked,
        "contacts": progress.contacts,
        "contact_rate": round(progress.contact_rate, 4),
        "by_volunteer": [
            {
                "volunteer": row["volunteer_id"],
                "name": row["volunteer__full_name"] or row["volunteer__email"] or "",
                "knocked": row["knocked"],
                "contacts": row["contacts"],
                "contact_rate": round(row["contact_rate"], 4),
            }
            for row in progress.by_volunteer
        ],
        "by_day": [
            {
                "day": row["day"].isoformat() if row["day"] else None,
                "knocked": row["knocked"],
                "contacts": row["contacts"],
                "contact_rate": round(row["contact_rate"], 4),
            }
            for row in progress.by_day
        ],
        "flags": progress.flags,
    }
    return ProgressSerializer(data).data


WALK_LIST_EXAMPLE = OpenApiExample(
    "A walk list",
    value={
        "id": 3,
        "name": "Eastside doors",
        "team": 1,
        "segment": 2,
        "filter": {"team": 1},
        "door_count": 120,
        "left_out": {"do_not_visit": 4, "no_soliciting": 2, "no_address": 9},
        "created_by": 7,
        "created_at": "2026-11-02T18:31:00Z",
    },
    response_only=True,
)
PACKET_EXAMPLE = OpenApiExample(
    "A packet",
    value={
        "id": 11,
        "walk_list": 3,
        "name": "Packet 1",
        "position": 0,
        "outline": [],
        "door_count": 40,
        "doors_done": 12,
        "created_at": "2026-11-02T18:31:00Z",
    },
    response_only=True,
)
CHECKOUT_EXAMPLE = OpenApiExample(
    "A check-out",
    value={
        "id": 5,
        "packet": 11,
        "volunteer": 9,
        "partner": None,
        "until": "2026-11-02T23:00:00Z",
        "checked_out_at": "2026-11-02T17:00:00Z",
        "returned_at": None,
        "is_current": True,
    },
    response_only=True,
)
PROGRESS_EXAMPLE = OpenApiExample(
    "Progress",
    value={
        "doors": 40,
        "knocked": 12,
        "contacts": 5,
        "contact_rate": 0.4167,
        "by_volunteer": [
            {
                "volunteer": 9,
                "name": "Ana Morales",
                "knocked": 12,
                "contacts": 5,
                "contact_rate": 0.4167,
            }
        ],
        "by_day": [{"day": "2026-11-02", "knocked": 12, "contacts": 5, "contact_rate": 0.4167}],
        "flags": [],
    },
    response_only=True,
)
SYNC_EXAMPLE = OpenApiExample(
    "Two items, one a retry",
    value={
        "results": [
            {"client_uuid": "0b9f…", "status": "stored", "door_result": 31},
            {"client_uuid": "5c1e…", "status": "already_stored", "conversation": 77},
        ],
        "counts": {"stored": 1, "already_stored": 1, "refused": 0},
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(description="Walk lists the key may see.", examples=[WALK_LIST_EXAMPLE]),
    retrieve=extend_schema(description="One walk list.", examples=[WALK_LIST_EXAMPLE]),
    destroy=extend_schema(description="Remove a walk list with no packet out (its organizers)."),
)
class WalkListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Walk lists: read for anyone who may see them (``canvass.selectors.walk_list_list``);
    cutting one (``POST``, from a saved segment or a filter) for the team's organizers."""

    serializer_class = WalkListSerializer
    permission_classes = [HasScope]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        return walk_list_list(viewer=self.request.user).order_by("-created_at", "-id")

    def get_object(self):
        return get_or_404(self.get_queryset(), self.kwargs["pk"])

    @extend_schema(
        request=WalkListCreateSerializer,
        responses={201: WalkListSerializer},
        description="Cut a walk list from a segment or a filter, in walking order (organizers).",
        examples=[WALK_LIST_EXAMPLE],
    )
    def create(self, request, *args, **kwargs):
        serializer = WalkListCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        team = Team.objects.filter(pk=data["team"]).first()
        if team is None:
            raise ValidationError({"team": [_("No such team.")]})
        segment = None
        if "segment" in data:
            segment = Segment.objects.filter(pk=data["segment"]).first()
            if segment is None:
                raise ValidationError({"segment": [_("No such segment.")]})
        try:
            with transaction.atomic():
                walk_list = services.walk_list_cut(
                    actor=request.user,
                    name=data["name"],
                    team=team,
                    segment=segment,
                    filter_json=data.get("filter"),
                )
                if data.get("doors_per_packet"):
                    services.packets_by_count(
                        actor=request.user,
                        walk_list=walk_list,
                        doors_per_packet=data["doors_per_packet"],
                    )
        except DjangoValidationError as error:
            raise _validation(error) from None
        return Response(WalkListSerializer(walk_list).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        try:
            services.walk_list_delete(actor=request.user, walk_list=self.get_object())
        except DjangoValidationError as error:
            raise _validation(error) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={200: ProgressSerializer},
        description="Doors knocked, contacts, by volunteer and day, and flags (organizers).",
        examples=[PROGRESS_EXAMPLE],
    )
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        walk_list = self.get_object()
        if not walk_list_may_organize(viewer=request.user, walk_list=walk_list):
            raise DjangoPermissionDenied(_("Progress of a whole list is for its organizers."))
        return Response(_progress_data(walk_list_progress(walk_list)))

    @extend_schema(
        request=PacketSplitSerializer,
        responses={201: PacketSerializer(many=True)},
        description="Split the doors not yet in a packet into packets of a count.",
        examples=[PACKET_EXAMPLE],
    )
    @action(detail=True, methods=["post"], url_path="split")
    def split(self, request, pk=None):
        walk_list = self.get_object()
        serializer = PacketSplitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            packets = services.packets_by_count(
                actor=request.user,
                walk_list=walk_list,
                doors_per_packet=serializer.validated_data["doors_per_packet"],
                name=serializer.validated_data["name"],
            )
        except DjangoValidationError as error:
            raise _validation(error) from None
        rows = _packets_with_counts(
            packet_list(viewer=request.user).filter(pk__in=[p.pk for p in packets])
        )
        return Response(PacketSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=PacketDrawSerializer,
        responses={201: PacketSerializer},
        description="Make a packet of the doors inside a drawn shape (point in polygon).",
        examples=[PACKET_EXAMPLE],
    )
    @action(detail=True, methods=["post"], url_path="draw")
    def draw(self, request, pk=None):
        walk_list = self.get_object()
        serializer = PacketDrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            packet, _counts = services.packet_draw(
                actor=request.user,
                walk_list=walk_list,
                name=serializer.validated_data["name"],
                outline=serializer.validated_data["outline"],
            )
        except DjangoValidationError as error:
            raise _validation(error) from None
        row = _packets_with_counts(packet_list(viewer=request.user).filter(pk=packet.pk))[0]
        return Response(PacketSerializer(row).data, status=status.HTTP_201_CREATED)


def _packets_with_counts(packets):
    return packets.annotate(
        door_count=Count("doors", distinct=True),
        doors_done=Count("doors", filter=Q(doors__results__isnull=False), distinct=True),
    ).order_by("walk_list", "position", "id")


@extend_schema_view(
    list=extend_schema(description="Packets the key may see.", examples=[PACKET_EXAMPLE]),
    retrieve=extend_schema(description="One packet.", examples=[PACKET_EXAMPLE]),
)
class PacketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Packets: read for anyone who may see them (their list's organizers, the volunteers it
    is checked out to); check-out and return for the organizers (return also for the
    volunteer)."""

    serializer_class = PacketSerializer
    permission_classes = [HasScope]

    def get_queryset(self):
        packets = packet_list(viewer=self.request.user)
        walk_list = self.request.query_params.get("walk_list")
        if walk_list and walk_list.isdigit():
            packets = packets.filter(walk_list_id=int(walk_list))
        return packets

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(_packets_with_counts(self.get_queryset()))
        return self.get_paginated_response(PacketSerializer(page, many=True).data)

    def get_object(self):
        packet = get_or_404(self.get_queryset(), self.kwargs["pk"])
        return _packets_with_counts(type(packet).objects.filter(pk=packet.pk))[0]

    def retrieve(self, request, *args, **kwargs):
        return Response(PacketSerializer(self.get_object()).data)

    @extend_schema(
        responses={200: ProgressSerializer},
        description="The packet's progress.",
        examples=[PROGRESS_EXAMPLE],
    )
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        return Response(_progress_data(packet_progress(self.get_object())))

    @extend_schema(
        request=PacketCheckoutSerializer,
        responses={201: CheckoutSerializer},
        description="Check the packet out to a volunteer (or pair) until a time; exclusive.",
        examples=[CHECKOUT_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def checkout(self, request, pk=None):
        packet = self.get_object()
        serializer = PacketCheckoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        people = {
            u.pk: u
            for u in User.objects.filter(pk__in=[data["volunteer"], data.get("partner") or 0])
        }
        if data["volunteer"] not in people:
            raise ValidationError({"volunteer": [_("No such user.")]})
        if data.get("partner") and data["partner"] not in people:
            raise ValidationError({"partner": [_("No such user.")]})
        try:
            checkout = services.packet_checkout(
                actor=request.user,
                packet=packet,
                volunteer=people[data["volunteer"]],
                partner=people.get(data.get("partner")),
                until=data["until"],
            )
        except DjangoValidationError as error:
            raise _validation(error) from None
        return Response(CheckoutSerializer(checkout).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: CheckoutSerializer},
        description="Take the packet back: its people are no longer visible to the volunteers.",
        examples=[CHECKOUT_EXAMPLE],
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        packet = self.get_object()
        checkout = Checkout.objects.current().filter(packet=packet).first()
        if checkout is None:
            raise ValidationError({"packet": [_("This packet is not checked out.")]})
        services.checkout_return(actor=request.user, checkout=checkout)
        return Response(CheckoutSerializer(checkout).data)


# --- field sync ------------------------------------------------------------------------------

STORED, ALREADY, REFUSED = "stored", "already_stored", "refused"


def _door_for(user, door_id: int) -> Door:
    """A door of a packet the user may see (404 otherwise)."""
    door = (
        Door.objects.select_related("household", "walk_list__team")
        .filter(pk=door_id, packet__in=packet_list(viewer=user))
        .first()
    )
    if door is None:
        raise Http404
    return door


def _sync_door_result(user, item: dict) -> tuple[str, dict]:
    serializer = SyncDoorResultSerializer(data=item)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    door = _door_for(user, data["door"])
    row, created = services.door_result_record(
        actor=user,
        door=door,
        result=data["result"],
        client_uuid=data["client_uuid"],
        at=data.get("at"),
    )
    return (STORED if created else ALREADY), {"door_result": row.pk}


def _sync_conversation(user, item: dict) -> tuple[str, dict]:
    serializer = SyncConversationSerializer(data=item)
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    data.pop("type")
    door_id = data.pop("door", None)
    if data["channel"] not in Conversation.Channel.values:
        raise ValidationError({"channel": [_("Not a channel.")]})
    supporter = supporter_list(viewer=user).filter(pk=data.pop("supporter")).first()
    if supporter is None:
        raise ValidationError({"supporter": [_("No such supporter.")]})
    issue_ids = data.pop("issues", [])
    issues = list(Issue.objects.filter(pk__in=issue_ids))
    if len(issues) != len(set(issue_ids)):
        raise ValidationError({"issues": [_("Some of these issues do not exist.")]})
    details = {
        "answers": _survey_answers(data.pop("answers", [])),
        "issues": issues,
        "remember": [(line["text"], line["sensitive"]) for line in data.pop("remember", [])],
        "stop_channels": data.pop("stop_channels", []),
    }
    followup = data.pop("followup", None)
    if followup:
        details["followup"] = (followup["due_at"], followup["reason"])
    client_uuid = data.pop("client_uuid")
    if door_id is not None:
        door = _door_for(user, door_id)
        conversation, created = services.door_conversation_log(
            actor=user, door=door, supporter=supporter, client_uuid=client_uuid, **details, **data
        )
    else:
        from conversations.services import conversation_log

        conversation, created = conversation_log(
            actor=user, supporter=supporter, client_uuid=client_uuid, **details, **data
        )
    return (STORED if created else ALREADY), {"conversation": conversation.pk}


def _sync_new_person(user, item: dict) -> tuple[str, dict]:
    serializer = SyncNewPersonSerializer(data=item)
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    door = _door_for(user, data["door"])
    supporter, created = services.door_person_add(
        actor=user,
        door=door,
        client_uuid=data["client_uuid"],
        given_name=data["given_name"],
        family_name=data["family_name"],
        phone=data["phone"],
        email=data["email"],
        at=data.get("at"),
    )
    return (STORED if created else ALREADY), {"supporter": supporter.pk}


_HANDLERS = {
    "door_result": _sync_door_result,
    "conversation": _sync_conversation,
    "new_person": _sync_new_person,
}


def _refusal(detail) -> dict:
    if isinstance(detail, dict):
        return {
            str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()
        }
    return {
        "non_field_errors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]
    }


def sync_item(user, item) -> dict:
    """Store one item in its own transaction, and say what became of it."""
    answer = {"client_uuid": item.get("client_uuid") if isinstance(item, dict) else None}
    handler = _HANDLERS.get(item.get("type")) if isinstance(item, dict) else None
    if handler is None:
        return {
            **answer,
            "status": REFUSED,
            "errors": {"type": [_("Say door_result, conversation or new_person.")]},
        }
    try:
        with transaction.atomic():
            outcome, ids = handler(user, item)
    except ValidationError as error:
        return {**answer, "status": REFUSED, "errors": _refusal(error.detail)}
    except DjangoValidationError as error:
        return {**answer, "status": REFUSED, "errors": _validation(error).detail}
    except DjangoPermissionDenied as error:
        return {**answer, "status": REFUSED, "errors": {"non_field_errors": [str(error)]}}
    except Http404:
        return {
            **answer,
            "status": REFUSED,
            "errors": {"non_field_errors": [_("Not found, or not yours to see.")]},
        }
    return {**answer, "status": outcome, **ids}


class FieldSyncView(APIView):
    """``POST /api/v1/field/sync/``: conversations, door results and new people from the
    field, in one batch. Each item is stored once by its ``client_uuid`` and answered in
    order: ``stored``, ``already_stored`` (a retry), or ``refused`` with why, field by field;
    one refused item never stops the others."""

    permission_classes = [HasScope]

    @extend_schema(
        request=SyncRequestSerializer,
        responses={200: dict},
        description="Field results in one batch, each stored once by client_uuid, answered per item.",
        examples=[SYNC_EXAMPLE],
    )
    def post(self, request):
        serializer = SyncRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = [sync_item(request.user, item) for item in serializer.validated_data["items"]]
        counts = {
            key: sum(1 for r in results if r["status"] == key) for key in (STORED, ALREADY, REFUSED)
        }
        return Response({"results": results, "counts": counts})

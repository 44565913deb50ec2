"""Webhooks over the JSON API: register, list, switch on/off, delete, read the log, replay.

The same rules as the pages (``organizing/views_webhooks.py``): organizers, data staff and
admins; your own webhooks (admins: everyone's); anyone else's is a 404.
"""

from __future__ import annotations

from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from organizing.models import Team, Webhook, WebhookDelivery
from organizing.webhooks import (
    user_may_manage_webhooks,
    webhook_create,
    webhook_delete,
    webhook_delivery_replay,
    webhook_list,
    webhook_set_active,
    webhook_team_choices,
    webhook_url_refusal,
)

from .base import IDEMPOTENCY_PARAMETER, ApiViewSet, StrictSerializer, get_or_404
from .permissions import HasScope


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=Webhook.Event.choices))

    class Meta:
        model = Webhook
        fields = ["id", "url", "description", "events", "team", "is_active", "secret", "created_at"]
        read_only_fields = fields


class WebhookCreateSerializer(StrictSerializer):
    url = serializers.CharField(
        max_length=500, validators=[URLValidator(schemes=["http", "https"])]
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Webhook.Event.choices),
        allow_empty=False,
        max_length=len(Webhook.Event.choices),
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate_url(self, url: str) -> str:
        if (refusal := webhook_url_refusal(url)) is not None:
            raise serializers.ValidationError(refusal)
        return url


class WebhookUpdateSerializer(StrictSerializer):
    is_active = serializers.BooleanField()


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_id",
            "payload",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        ]
        read_only_fields = fields


class ReplaySerializer(StrictSerializer):
    delivery = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


DELIVERY_EXAMPLE = OpenApiExample(
    "Delivery",
    value={
        "id": 17,
        "event": "supporter.created",
        "event_id": "5b0c6a52-3c1e-4f7e-9d55-0d6f1f6c2a11",
        "payload": {
            "id": "5b0c6a52-3c1e-4f7e-9d55-0d6f1f6c2a11",
            "event": "supporter.created",
            "created_at": "2026-11-02T18:30:00+00:00",
            "data": {"id": 42, "given_name": "Maria", "family_name": "Lopez"},
        },
        "status": "pending",
        "attempts": 1,
        "last_status_code": 500,
        "last_error": "HTTP 500: ",
        "next_attempt_at": "2026-11-02T18:31:00Z",
        "delivered_at": None,
        "created_at": "2026-11-02T18:30:00Z",
    },
    response_only=True,
)

WEBHOOK_EXAMPLE = OpenApiExample(
    "Webhook",
    value={
        "id": 2,
        "url": "https://warehouse.example.org/hooks/earshot",
        "description": "warehouse sync",
        "events": ["supporter.created", "supporter.updated"],
        "team": None,
        "is_active": True,
        "secret": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "created_at": "2026-11-02T18:30:00Z",
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List webhooks",
        description="Your webhooks (admins: everyone's). Organizers and above.",
        examples=[WEBHOOK_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="Read a webhook",
        description="One of your webhooks, with its signing secret.",
        examples=[WEBHOOK_EXAMPLE],
    ),
    create=extend_schema(
        summary="Register a webhook",
        description="Earshot POSTs each chosen event, signed with the returned `secret` "
        "(`Earshot-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + '.' + body)>`), "
        "about the supporters you may see (of `team` only, when given).",
        request=WebhookCreateSerializer,
        responses={201: WebhookSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample(
                "New webhook",
                value={
                    "url": "https://warehouse.example.org/hooks/earshot",
                    "events": ["supporter.created"],
                },
                request_only=True,
            ),
            WEBHOOK_EXAMPLE,
        ],
    ),
    partial_update=extend_schema(
        summary="Switch a webhook on or off",
        description="A switched-off webhook gets no new deliveries; pending ones give up.",
        request=WebhookUpdateSerializer,
        responses={200: WebhookSerializer},
        examples=[
            OpenApiExample("Off", value={"is_active": False}, request_only=True),
            WEBHOOK_EXAMPLE,
        ],
    ),
    destroy=extend_schema(summary="Delete a webhook", description="204 with no body."),
)
class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    ApiViewSet,
):
    queryset = Webhook.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = WebhookSerializer
    permission_classes = [HasScope]
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not user_may_manage_webhooks(request.user):
            raise PermissionDenied(_("Only organizers, data staff and admins manage webhooks."))

    def get_queryset(self):
        return webhook_list(viewer=self.request.user).order_by("-id")

    def get_object(self):
        return get_or_404(self.get_queryset(), self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = WebhookCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        team = data.get("team")
        if team is not None and not webhook_team_choices(request.user).filter(pk=team.pk).exists():
            raise ValidationError({"team": [_("You may not watch that team.")]})
        webhook = webhook_create(
            actor=request.user,
            url=data["url"],
            events=data["events"],
            team=team,
            description=data.get("description", ""),
        )
        return Response(WebhookSerializer(webhook).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        webhook = self.get_object()
        serializer = WebhookUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook = webhook_set_active(
            actor=request.user, webhook=webhook, is_active=serializer.validated_data["is_active"]
        )
        return Response(WebhookSerializer(webhook).data)

    def destroy(self, request, *args, **kwargs):
        webhook_delete(actor=request.user, webhook=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="A webhook's delivery log",
        description="Newest first: status, attempts, the last answer or error, the next try.",
        responses=WebhookDeliverySerializer(many=True),
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From the last page."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="1 to 500."),
        ],
        filters=False,
        examples=[DELIVERY_EXAMPLE],
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request, pk=None):
        webhook = self.get_object()
        paginator = self.paginator
        paginator.ordering = ("-created_at", "-id")
        page = paginator.paginate_queryset(
            WebhookDelivery.objects.filter(webhook=webhook), request, view=self
        )
        return paginator.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="Send a delivery again",
        description="Queues the same event (same `event_id` and payload) as a new log entry.",
        request=ReplaySerializer,
        responses={202: WebhookDeliverySerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample("Replay", value={"delivery": 17}, request_only=True),
            DELIVERY_EXAMPLE,
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def replay(self, request, pk=None):
        webhook = self.get_object()
        serializer = ReplaySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        delivery = WebhookDelivery.objects.filter(
            webhook=webhook, pk=serializer.validated_data["delivery"]
        ).first()
        if delivery is None:
            raise ValidationError({"delivery": [_("No such delivery of this webhook.")]})
        again = webhook_delivery_replay(actor=request.user, delivery=delivery)
        return Response(WebhookDeliverySerializer(again).data, status=status.HTTP_202_ACCEPTED)

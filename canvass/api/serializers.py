"""What the canvassing API reads and writes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from conversations.api.serializers import ConversationCreateSerializer
from organizing.api.base import StrictSerializer, UtcDateTimeField

from ..models import Checkout, DoorResult, Packet, WalkList


class WalkListSerializer(serializers.ModelSerializer):
    class Meta:
        model = WalkList
        fields = [
            "id",
            "name",
            "team",
            "segment",
            "filter",
            "door_count",
            "left_out",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class WalkListCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    team = serializers.IntegerField(min_value=1)
    segment = serializers.IntegerField(min_value=1, required=False)
    filter = serializers.JSONField(required=False, help_text=_("A filter in the segment language."))
    doors_per_packet = serializers.IntegerField(min_value=1, max_value=1000, required=False)


class CheckoutSerializer(serializers.ModelSerializer):
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Checkout
        fields = [
            "id",
            "packet",
            "volunteer",
            "partner",
            "until",
            "checked_out_at",
            "returned_at",
            "is_current",
        ]
        read_only_fields = fields


class PacketSerializer(serializers.ModelSerializer):
    door_count = serializers.IntegerField(read_only=True)
    doors_done = serializers.IntegerField(read_only=True)

    class Meta:
        model = Packet
        fields = [
            "id",
            "walk_list",
            "name",
            "position",
            "outline",
            "door_count",
            "doors_done",
            "created_at",
        ]
        read_only_fields = fields


class PacketDrawSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    outline = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        min_length=3,
        max_length=2000,
        help_text=_("The shape's corners, [[lat, lon], …]."),
    )


class PacketSplitSerializer(StrictSerializer):
    doors_per_packet = serializers.IntegerField(min_value=1, max_value=1000)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class PacketCheckoutSerializer(StrictSerializer):
    volunteer = serializers.IntegerField(min_value=1)
    partner = serializers.IntegerField(min_value=1, required=False)
    until = UtcDateTimeField()


class ProgressSerializer(serializers.Serializer):
    doors = serializers.IntegerField()
    knocked = serializers.IntegerField()
    contacts = serializers.IntegerField()
    contact_rate = serializers.FloatField()
    by_volunteer = serializers.ListField(child=serializers.DictField())
    by_day = serializers.ListField(child=serializers.DictField())
    flags = serializers.ListField(child=serializers.CharField())


# --- field sync ------------------------------------------------------------------------------


class SyncDoorResultSerializer(StrictSerializer):
    type = serializers.CharField()
    client_uuid = serializers.UUIDField()
    door = serializers.IntegerField(min_value=1)
    result = serializers.ChoiceField(
        [
            c
            for c in DoorResult.Result.choices
            if c[0] not in (DoorResult.Result.CONTACT, DoorResult.Result.NEW_PERSON)
        ]
    )
    at = UtcDateTimeField(required=False)


class SyncConversationSerializer(ConversationCreateSerializer):
    type = serializers.CharField()
    door = serializers.IntegerField(min_value=1, required=False)
    channel = serializers.CharField(required=False, default="door")


class SyncNewPersonSerializer(StrictSerializer):
    type = serializers.CharField()
    client_uuid = serializers.UUIDField()
    door = serializers.IntegerField(min_value=1)
    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    family_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    at = UtcDateTimeField(required=False)


class SyncRequestSerializer(StrictSerializer):
    items = serializers.ListField(child=serializers.JSONField(), min_length=1, max_length=500)

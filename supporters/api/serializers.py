"""API shapes for people. Output: ModelSerializers; input: explicit, strict serializers."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organizing.api.base import StrictSerializer
from organizing.models import Team
from supporters.exporting import EXPORT_COLUMNS
from supporters.models import (
    Channel,
    ExportJob,
    HistoryEvent,
    Relationship,
    Segment,
    Supporter,
    SupporterPhone,
    Tag,
)


def _primary(rows):
    rows = list(rows)
    return next((row for row in rows if row.is_primary), rows[0] if rows else None)


class AddressSerializer(serializers.Serializer):
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    state = serializers.CharField(max_length=2, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=10, required=False, allow_blank=True)


class SupporterSerializer(serializers.ModelSerializer):
    email = serializers.SerializerMethodField(help_text=_("Primary email, as typed."))
    phone = serializers.SerializerMethodField(help_text=_("Primary phone, as typed."))
    address = serializers.SerializerMethodField(help_text=_("Primary postal address."))
    tags = serializers.SerializerMethodField()
    do_not_contact = serializers.SerializerMethodField(
        help_text=_("Channels the person asked us not to use.")
    )

    class Meta:
        model = Supporter
        fields = [
            "id",
            "display_name",
            "given_name",
            "family_name",
            "preferred_name",
            "pronouns",
            "language",
            "support_level",
            "engagement_level",
            "engagement_override",
            "engagement_override_at",
            "custom_fields",
            "team",
            "source",
            "email",
            "phone",
            "address",
            "tags",
            "do_not_contact",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_email(self, supporter):
        row = _primary(supporter.emails.all())
        return row.address if row else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_phone(self, supporter):
        row = _primary(supporter.phones.all())
        return row.number if row else None

    @extend_schema_field(AddressSerializer(allow_null=True))
    def get_address(self, supporter):
        row = _primary(supporter.addresses.all())
        if row is None:
            return None
        return {
            "line1": row.line1,
            "line2": row.line2,
            "city": row.city,
            "state": row.state,
            "postal_code": row.postal_code,
        }

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, supporter):
        return sorted(tagging.tag.name for tagging in supporter.taggings.all())

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Channel.choices)))
    def get_do_not_contact(self, supporter):
        return sorted(flag.channel for flag in supporter.do_not_contact.all())


class SupporterCreateSerializer(StrictSerializer):
    client_uuid = serializers.UUIDField(
        required=False,
        help_text=_("Made by the client; a retry with the same UUID stores one person."),
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(),
        required=False,
        help_text=_("Default: OSDI_DEFAULT_TEAM when set, else your first team."),
    )
    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    preferred_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    pronouns = serializers.CharField(max_length=40, required=False, allow_blank=True)
    language = serializers.CharField(max_length=16, required=False, default="en")
    source = serializers.ChoiceField(Supporter.Source.choices, default=Supporter.Source.API)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    phone_kind = serializers.ChoiceField(
        SupporterPhone.Kind.choices, default=SupporterPhone.Kind.UNKNOWN
    )
    address = AddressSerializer(required=False)
    known_by_kind = serializers.ChoiceField(
        Relationship.Kind.choices,
        required=False,
        help_text=_("Record that you know them (a relational contact)."),
    )
    custom_fields = serializers.DictField(required=False)

    def validate(self, attrs):
        if not any(
            attrs.get(name, "").strip() for name in ("given_name", "family_name", "preferred_name")
        ):
            raise serializers.ValidationError(
                {"given_name": [_("Give at least one of given_name, family_name, preferred_name.")]}
            )
        return attrs


class SupporterUpdateSerializer(StrictSerializer):
    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    preferred_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    pronouns = serializers.CharField(max_length=40, required=False, allow_blank=True)
    language = serializers.CharField(max_length=16, required=False)
    support_level = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True
    )
    engagement_level = serializers.ChoiceField(
        Supporter.EngagementLevel.choices,
        required=False,
        allow_null=True,
        help_text=_(
            "Sets an override of the computed ladder (organizers of the person's team, "
            "data staff, admins); null clears it."
        ),
    )
    custom_fields = serializers.DictField(required=False)

    def validate(self, attrs):
        supporter = self.context.get("supporter")
        names = {
            name: attrs.get(name, getattr(supporter, name, ""))
            for name in ("given_name", "family_name", "preferred_name")
        }
        if not any((value or "").strip() for value in names.values()):
            raise serializers.ValidationError(
                {"given_name": [_("A supporter needs at least one name.")]}
            )
        return attrs


class TagChangeSerializer(StrictSerializer):
    tag = serializers.PrimaryKeyRelatedField(queryset=Tag.objects.all())
    action = serializers.ChoiceField(["add", "remove"], default="add")


class ConsentSerializer(StrictSerializer):
    channel = serializers.ChoiceField(Channel.choices)
    do_not_contact = serializers.BooleanField(
        help_text=_("true: they asked us not to use this channel; false: they said we may again.")
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class HistoryEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = HistoryEvent
        fields = [
            "id",
            "kind",
            "at",
            "actor",
            "summary",
            "subject_type",
            "subject_id",
            "is_sensitive",
            "is_redacted",
        ]
        read_only_fields = fields

    is_redacted = serializers.SerializerMethodField()

    @extend_schema_field(serializers.BooleanField())
    def get_is_redacted(self, event) -> bool:
        return bool(getattr(event, "is_redacted", False))


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "description", "created_at"]
        read_only_fields = ["id", "created_at"]


class TagCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=80)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RelationshipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Relationship
        fields = ["id", "supporter", "known_by", "other_supporter", "kind", "note", "created_at"]
        read_only_fields = fields


class RelationshipCreateSerializer(StrictSerializer):
    supporter = serializers.IntegerField(min_value=1)
    other_supporter = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=_("Another supporter who knows them; leave out to record that you know them."),
    )
    kind = serializers.ChoiceField(Relationship.Kind.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SegmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Segment
        fields = ["id", "name", "description", "filter", "created_by", "created_at", "updated_at"]
        read_only_fields = fields


class SegmentWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    filter = serializers.JSONField(
        help_text=_("The segment language: see the Segments section of the API description.")
    )


class SegmentPreviewSerializer(StrictSerializer):
    filter = serializers.JSONField()


class SegmentCountSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("Supporters you may see who match."))


class ExportColumnSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()

    @staticmethod
    def columns():
        return [
            {"name": name, "description": text} for name, (text, _kind) in EXPORT_COLUMNS.items()
        ]


class ExportJobSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "segment",
            "format",
            "status",
            "total_rows",
            "rows_written",
            "error",
            "created_at",
            "updated_at",
            "finished_at",
            "expires_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, job):
        if job.status != ExportJob.Status.DONE:
            return None
        request = self.context.get("request")
        path = reverse("api:export-download", args=[job.pk])
        return request.build_absolute_uri(path) if request else path


class ExportJobCreateSerializer(StrictSerializer):
    segment = serializers.IntegerField(min_value=1)
    format = serializers.ChoiceField(ExportJob.Format.choices, default=ExportJob.Format.CSV)

"""The JSON API for people: supporters, tags and relationships (segments: segments.py).

Every queryset starts from the visibility rule (``supporter_list``); writes go through
``supporters.services``.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from organizing.api.base import (
    IDEMPOTENCY_PARAMETER,
    ApiViewSet,
    UpdatedSinceFilterSet,
    UtcIsoDateTimeFilter,
    get_or_404,
)
from organizing.api.errors import Conflict
from organizing.api.permissions import HasScope
from organizing.services import audit_record
from supporters import services
from supporters.models import (
    HistoryEvent,
    Relationship,
    Supporter,
    SupporterTag,
    Tag,
)
from supporters.redaction import Redactor
from supporters.selectors import (
    supporter_get,
    supporter_list,
    supporter_search_condition,
    team_for_new_person,
)

from .serializers import (
    ConsentSerializer,
    HistoryEventSerializer,
    RelationshipCreateSerializer,
    RelationshipSerializer,
    SupporterCreateSerializer,
    SupporterSerializer,
    SupporterUpdateSerializer,
    TagChangeSerializer,
    TagCreateSerializer,
    TagSerializer,
)

# --- supporters ------------------------------------------------------------------------------


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 5})
class SupportLevelFilter(django_filters.NumberFilter):
    """1 strong support … 5 strong opposition: the schema states the range it enforces."""

    field_class = forms.IntegerField

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, max_value=5, **kwargs)


class SupporterFilter(UpdatedSinceFilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        label=_(
            "Part of a name or a name like it (ignoring case and accents), four or more "
            "digits of a phone number (any punctuation), or part of an email address (with an @)"
        ),
    )
    tag = django_filters.CharFilter(method="filter_tag", label=_("Has this tag (name)"))
    support_level = SupportLevelFilter()

    class Meta:
        model = Supporter
        fields = {
            "team": ["exact"],
            "engagement_level": ["exact", "gte"],
            "language": ["exact"],
            "source": ["exact"],
        }

    def filter_search(self, queryset, name, value):
        # The search box's own condition: one search for pages, API and OSDI.
        if not value.strip():
            return queryset
        return queryset.filter(supporter_search_condition(value))

    def filter_tag(self, queryset, name, value):
        return queryset.filter(
            Exists(SupporterTag.objects.filter(supporter=OuterRef("pk"), tag__name__iexact=value))
        )


SUPPORTER_EXAMPLE = OpenApiExample(
    "A supporter",
    value={
        "id": 42,
        "display_name": "Maria Lopez",
        "given_name": "Maria",
        "family_name": "Lopez",
        "preferred_name": "",
        "pronouns": "she/her",
        "language": "es",
        "support_level": 1,
        "engagement_level": 2,
        "engagement_override": None,
        "engagement_override_at": None,
        "custom_fields": {"shift": "night"},
        "team": 3,
        "source": "canvass",
        "email": "maria@example.org",
        "phone": "+1 512 555 0142",
        "address": {
            "line1": "12 Elm St",
            "line2": "",
            "city": "Austin",
            "state": "TX",
            "postal_code": "78701",
        },
        "tags": ["tenant-leader"],
        "do_not_contact": ["text"],
        "created_at": "2026-10-01T15:00:00Z",
        "updated_at": "2026-11-02T18:30:00Z",
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List supporters",
        description="The supporters you may see (your own people; organizers their teams'; "
        "data staff and admins everyone), newest first, a cursor page at a time. "
        "Each call leaves an audit entry.",
        examples=[SUPPORTER_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="Read one supporter",
        description="404 when the supporter is outside what you may see. Leaves an audit entry.",
        examples=[SUPPORTER_EXAMPLE],
    ),
    create=extend_schema(
        summary="Add a supporter (idempotent by client_uuid)",
        description="Into a team you belong to (any team for data staff and admins); without "
        "`team`, OSDI_DEFAULT_TEAM or your first team. Whoever adds a person can see them: "
        "unless you organize the team or send `known_by_kind`, they are assigned to you. "
        "A retry with the same `client_uuid` stores nothing and answers 200.",
        request=SupporterCreateSerializer,
        responses={201: SupporterSerializer, 200: SupporterSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample(
                "New supporter",
                value={
                    "team": 3,
                    "given_name": "Maria",
                    "family_name": "Lopez",
                    "email": "maria@example.org",
                },
                request_only=True,
            ),
            SUPPORTER_EXAMPLE,
        ],
    ),
    partial_update=extend_schema(
        summary="Change a supporter's details",
        description="Only the fields sent change; each change writes a history line. Anyone "
        "who sees the person may change preferred_name, pronouns and language; the other fields "
        "are for the person's team organizers, data staff and admins (403 otherwise, and nothing "
        "changes). The rule is SupporterAccess.may_edit_field, as on the edit page and OSDI.",
        request=SupporterUpdateSerializer,
        responses={200: SupporterSerializer},
        examples=[
            OpenApiExample("Support level", value={"support_level": 2}, request_only=True),
            SUPPORTER_EXAMPLE,
        ],
    ),
)
class SupporterViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ApiViewSet,
):
    serializer_class = SupporterSerializer
    permission_classes = [HasScope]
    filterset_class = SupporterFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["id", "updated_at", "family_name"]
    ordering = ["-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return supporter_list(viewer=self.request.user).prefetch_related(
            "emails", "phones", "addresses", "taggings__tag", "do_not_contact"
        )

    def get_object(self):
        # The router only routes whole numbers of at most 18 digits here.
        return supporter_get(viewer=self.request.user, pk=int(self.kwargs["pk"]))

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        ids = [row["id"] for row in response.data.get("results", [])]
        audit_record(actor=request.user, action="supporter.list", request=request, ids=ids)
        return response

    def retrieve(self, request, *args, **kwargs):
        supporter = self.get_object()
        audit_record(actor=request.user, action="supporter.view", obj=supporter, request=request)
        supporter = self.get_queryset().get(pk=supporter.pk)
        return Response(self.get_serializer(supporter).data)

    def create(self, request, *args, **kwargs):
        serializer = SupporterCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        team = data.pop("team", None)
        team = team_for_new_person(viewer=request.user, team_id=team.pk if team else None)
        supporter = services.supporter_create(actor=request.user, team=team, **data)
        visible = self.get_queryset().filter(pk=supporter.pk).first()
        if visible is None:  # a retry's UUID that names someone else
            raise Conflict(_("This client_uuid belongs to another person."))
        return Response(
            self.get_serializer(visible).data,
            status=status.HTTP_201_CREATED if supporter.is_new else status.HTTP_200_OK,
        )

    def partial_update(self, request, *args, **kwargs):
        supporter = self.get_object()
        serializer = SupporterUpdateSerializer(data=request.data, context={"supporter": supporter})
        serializer.is_valid(raise_exception=True)
        services.supporter_update(
            actor=request.user, supporter=supporter, **serializer.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=supporter.pk)).data)

    @extend_schema(
        summary="A supporter's history",
        description="Their timeline, newest first: conversations, notes, follow-ups, tags, "
        "consent and detail changes. Leaves an audit entry.",
        responses=HistoryEventSerializer(many=True),
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From the last page."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="1 to 500."),
        ],
        filters=False,
        examples=[
            OpenApiExample(
                "A line",
                value={
                    "id": 9,
                    "kind": "conversation",
                    "at": "2026-11-02T18:30:00Z",
                    "actor": 4,
                    "summary": "Door: Talked",
                    "subject_type": "conversation",
                    "subject_id": 77,
                    "is_sensitive": False,
                    "is_redacted": False,
                },
                response_only=True,
            )
        ],
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, pk=None):
        supporter = self.get_object()
        audit_record(
            actor=request.user,
            action="supporter.view",
            obj=supporter,
            request=request,
            part="history",
        )
        events = HistoryEvent.objects.filter(supporter=supporter)
        paginator = self.paginator
        paginator.ordering = ("-at", "-id")
        page = paginator.paginate_queryset(events, request, view=self)
        page = Redactor(request.user, team_id=supporter.team_id).history_events(page)
        return paginator.get_paginated_response(HistoryEventSerializer(page, many=True).data)

    @extend_schema(
        summary="Tag or untag a supporter",
        description="Adding a tag they have, or removing one they lack, changes nothing.",
        request=TagChangeSerializer,
        responses={200: SupporterSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[OpenApiExample("Tag", value={"tag": 5, "action": "add"}, request_only=True)],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def tags(self, request, pk=None):
        supporter = self.get_object()
        serializer = TagChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = (
            services.tag_add
            if serializer.validated_data["action"] == "add"
            else services.tag_remove
        )
        change(actor=request.user, supporter=supporter, tag=serializer.validated_data["tag"])
        return Response(self.get_serializer(self.get_queryset().get(pk=supporter.pk)).data)

    @extend_schema(
        summary="Set or lift do-not-contact on a channel",
        description="Consent is kept per channel; setting a flag that is already set (or lifting one that is not) changes nothing. Each change writes a history line.",
        request=ConsentSerializer,
        responses={200: SupporterSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample(
                "Stop texting",
                value={"channel": "text", "do_not_contact": True, "reason": "Asked by phone"},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def consent(self, request, pk=None):
        supporter = self.get_object()
        serializer = ConsentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        change = services.consent_set if data["do_not_contact"] else services.consent_clear
        change(
            actor=request.user, supporter=supporter, channel=data["channel"], reason=data["reason"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=supporter.pk)).data)


# --- tags ------------------------------------------------------------------------------------


class NameFilter(UpdatedSinceFilterSet):
    updated_since = UtcIsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        label=_("Only rows added at or after this time."),
    )
    name = django_filters.CharFilter(lookup_expr="iexact")


class TagFilter(NameFilter):
    class Meta:
        model = Tag
        fields = ["name"]


@extend_schema_view(
    list=extend_schema(
        summary="List tags",
        description="Every tag, by name.",
        examples=[
            OpenApiExample(
                "Tag",
                value={
                    "id": 5,
                    "name": "tenant-leader",
                    "description": "",
                    "created_at": "2026-10-01T15:00:00Z",
                },
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(summary="Read a tag", description="One tag by id."),
    create=extend_schema(
        summary="Add a tag (organizers and above)",
        description="Names are unique ignoring case; a duplicate is a field error on `name`.",
        request=TagCreateSerializer,
        responses={201: TagSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[OpenApiExample("Tag", value={"name": "tenant-leader"}, request_only=True)],
    ),
)
class TagViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet
):
    serializer_class = TagSerializer
    permission_classes = [HasScope]
    filterset_class = TagFilter
    queryset = Tag.objects.all()

    def get_object(self):
        return get_or_404(Tag.objects.all(), self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = TagCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tag = services.tag_create(
            actor=request.user,
            name=serializer.validated_data["name"],
            description=serializer.validated_data.get("description", ""),
        )
        return Response(TagSerializer(tag).data, status=status.HTTP_201_CREATED)


# --- relationships ---------------------------------------------------------------------------


class RelationshipFilter(UpdatedSinceFilterSet):
    updated_since = UtcIsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        label=_("Only rows added at or after this time."),
    )

    class Meta:
        model = Relationship
        fields = ["supporter", "known_by", "kind"]


@extend_schema_view(
    list=extend_schema(
        summary="List relationships",
        description="Who knows whom, for the supporters you may see.",
        examples=[
            OpenApiExample(
                "Relationship",
                value={
                    "id": 3,
                    "supporter": 42,
                    "known_by": 7,
                    "other_supporter": None,
                    "kind": "neighbor",
                    "note": "",
                    "created_at": "2026-10-01T15:00:00Z",
                },
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(
        summary="Read a relationship",
        description="Who knows a supporter you may see; otherwise a 404.",
    ),
    create=extend_schema(
        summary="Record who knows a supporter",
        description="You (leave out other_supporter) or another supporter you may see.",
        request=RelationshipCreateSerializer,
        responses={201: RelationshipSerializer, 200: RelationshipSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample(
                "I know her", value={"supporter": 42, "kind": "neighbor"}, request_only=True
            )
        ],
    ),
)
class RelationshipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet
):
    queryset = Relationship.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = RelationshipSerializer
    permission_classes = [HasScope]
    filterset_class = RelationshipFilter

    def get_queryset(self):
        return Relationship.objects.filter(supporter__in=supporter_list(viewer=self.request.user))

    def get_object(self):
        return get_or_404(self.get_queryset(), self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = RelationshipCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visible = supporter_list(viewer=request.user)
        supporter = visible.filter(pk=data["supporter"]).first()
        if supporter is None:
            raise ValidationError({"supporter": [_("No such supporter.")]})
        other = None
        if "other_supporter" in data:
            other = visible.filter(pk=data["other_supporter"]).first()
            if other is None or other.pk == supporter.pk:
                raise ValidationError({"other_supporter": [_("No such other supporter.")]})
        relationship, created = services.relationship_create(
            actor=request.user,
            supporter=supporter,
            kind=data["kind"],
            known_by=None if other else request.user,
            other_supporter=other,
            note=data["note"],
        )
        return Response(
            RelationshipSerializer(relationship).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

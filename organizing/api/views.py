"""Read-only teams and users, and the caller's own API keys."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from organizing.models import ApiKey, Membership, Team, User
from organizing.roles import user_is_organization_wide
from organizing.services import api_key_revoke

from .base import (
    IDEMPOTENCY_PARAMETER,
    ApiViewSet,
    IdFilter,
    UpdatedSinceFilterSet,
    UtcIsoDateTimeFilter,
    get_or_404,
)
from .permissions import HasScope


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "slug", "description", "created_at"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["team", "role"]
        read_only_fields = fields


class UserSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "is_active", "date_joined", "memberships"]
        read_only_fields = fields


class ApiKeySerializer(serializers.ModelSerializer):
    is_usable = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "is_usable",
        ]
        read_only_fields = fields


def teams_visible_to(user):
    if user_is_organization_wide(user):
        return Team.objects.all()
    return Team.objects.filter(memberships__user=user)


class TeamFilter(UpdatedSinceFilterSet):
    updated_since = UtcIsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        label=_("Only rows added at or after this time."),
    )

    class Meta:
        model = Team
        fields = ["slug"]


@extend_schema_view(
    list=extend_schema(
        summary="List teams",
        description="Your own teams; every team for data staff and admins.",
        examples=[
            OpenApiExample(
                "Team",
                value={
                    "id": 3,
                    "name": "Eastside Neighbors",
                    "slug": "eastside",
                    "description": "",
                    "created_at": "2026-10-01T15:00:00Z",
                },
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(
        summary="Read a team",
        description="One of your teams (any team for data staff and admins); otherwise a 404.",
    ),
)
class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    queryset = Team.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = TeamSerializer
    permission_classes = [HasScope]
    filterset_class = TeamFilter

    def get_queryset(self):
        return teams_visible_to(self.request.user).order_by("id").distinct()

    def get_object(self):
        return get_or_404(self.get_queryset(), self.kwargs["pk"])


class UserFilter(UpdatedSinceFilterSet):
    updated_since = UtcIsoDateTimeFilter(
        field_name="date_joined", lookup_expr="gte", label=_("Only users who joined at or after.")
    )
    team = IdFilter(field_name="memberships__team", distinct=True)

    class Meta:
        model = User
        fields = ["is_active"]


@extend_schema_view(
    list=extend_schema(
        summary="List users",
        description="People in your teams; everyone for data staff and admins.",
        examples=[
            OpenApiExample(
                "User",
                value={
                    "id": 7,
                    "email": "ana@example.org",
                    "full_name": "Ana Ruiz",
                    "is_active": True,
                    "date_joined": "2026-10-01T15:00:00Z",
                    "memberships": [{"team": 3, "role": "volunteer"}],
                },
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(
        summary="Read a user",
        description="Someone in your teams (anyone for data staff and admins); otherwise a 404.",
    ),
)
class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    queryset = User.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = UserSerializer
    permission_classes = [HasScope]
    filterset_class = UserFilter

    def get_queryset(self):
        user = self.request.user
        users = User.objects.all()
        if not user_is_organization_wide(user):
            users = users.filter(memberships__team__in=teams_visible_to(user)).distinct()
        return users.prefetch_related("memberships").order_by("id")

    def get_object(self):
        return get_or_404(self.get_queryset(), self.kwargs["pk"])


class ApiKeyFilter(UpdatedSinceFilterSet):
    updated_since = UtcIsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label=_("Only keys made at or after this time.")
    )

    class Meta:
        model = ApiKey
        fields = ["name"]


API_KEY_EXAMPLE = OpenApiExample(
    "Key",
    value={
        "id": 1,
        "name": "warehouse sync",
        "prefix": "1a2b3c4d",
        "scopes": ["export", "read"],
        "created_at": "2026-10-01T15:00:00Z",
        "expires_at": None,
        "last_used_at": "2026-11-02T18:31:00Z",
        "revoked_at": None,
        "is_usable": True,
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List your API keys",
        description="Never the secret: keys are made on the API keys page or with "
        "`manage.py create_api_key`, and shown once.",
        examples=[API_KEY_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="Read one of your API keys",
        description="One of your own keys (never its secret); a key of another user is a 404.",
        examples=[API_KEY_EXAMPLE],
    ),
)
class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    queryset = ApiKey.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = ApiKeySerializer
    permission_classes = [HasScope]
    filterset_class = ApiKeyFilter

    def get_queryset(self):
        return ApiKey.objects.filter(user=self.request.user)

    def get_object(self):
        return get_or_404(self.get_queryset(), self.kwargs["pk"])

    @extend_schema(
        summary="Revoke one of your API keys",
        description="At once and for good; revoking twice changes nothing.",
        request=None,
        responses={200: ApiKeySerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        filters=False,
        examples=[API_KEY_EXAMPLE],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def revoke(self, request, pk=None):
        api_key = api_key_revoke(actor=request.user, api_key=self.get_object())
        return Response(ApiKeySerializer(api_key).data, status=status.HTTP_200_OK)

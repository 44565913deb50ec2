"""``GET /api/v1/metrics/``: the dashboard's figures for a team and range, rows by week or by
volunteer; ``GET /api/v1/metrics/csv/?table=…``: one table as CSV. The access model decides
(``metrics.selectors.metrics_scope``): organizers their teams, data staff and admins all."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from organizing.api.permissions import HasScope

from ..figures import breakdown, ladder_weeks, summary
from ..forms import MetricsQueryForm
from ..selectors import metrics_scope
from ..views import HOW, TABLES, table_csv_response

PARAMETERS = [
    OpenApiParameter("team", OpenApiTypes.INT, description="One team (default: all yours)."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (default: 8 weeks ago)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default: today)."),
    OpenApiParameter("volunteer", OpenApiTypes.INT, description="One volunteer's activity."),
    OpenApiParameter("by", OpenApiTypes.STR, enum=["week", "volunteer"], description="Rows."),
]


def _scope(request: Request):
    form = MetricsQueryForm(request.query_params)
    if not form.is_valid():
        raise serializers.ValidationError(
            {
                ("from" if k == "start" else "to" if k == "end" else k): v
                for k, v in form.errors.items()
            }
        )
    data = form.cleaned_data
    scope = metrics_scope(
        viewer=request.user,
        team=data.get("team"),
        start=data.get("start"),
        end=data.get("end"),
        volunteer=data.get("volunteer"),
    )
    return scope, data["by"]


class MetricsView(APIView):
    permission_classes = [HasScope]

    @extend_schema(
        description="The dashboard's figures for a team (or all yours) and a range of days, "
        "with rows by week or by volunteer; organizers their teams, data staff and admins all.",
        parameters=PARAMETERS,
        responses=OpenApiTypes.OBJECT,
        examples=[
            OpenApiExample(
                "Two weeks of one team",
                value={
                    "team_ids": [3],
                    "from": "2026-11-02",
                    "to": "2026-11-15",
                    "by": "week",
                    "activity": {"attempts": 6, "talked": 5, "contact_rate": 0.8333},
                    "repeat": {"people_talked": 3, "people_repeat": 2, "median_days_between": 5.0},
                },
                response_only=True,
            )
        ],
        tags=["metrics"],
    )
    def get(self, request: Request) -> Response:
        scope, by = _scope(request)
        return Response(
            {
                "team_ids": list(scope.team_ids) if scope.team_ids is not None else None,
                "from": scope.start.isoformat(),
                "to": scope.end.isoformat(),
                "volunteer": scope.volunteer_id,
                "by": by,
                "how": {name: str(text) for name, text in HOW.items()},
                **summary(scope),
                "rows": breakdown(scope, by),
                "ladder_weeks": ladder_weeks(scope),
            }
        )


class MetricsCsvView(APIView):
    permission_classes = [HasScope]

    @extend_schema(
        description="One table of the dashboard (weeks, volunteers, channels, ladder) as CSV.",
        parameters=[*PARAMETERS, OpenApiParameter("table", OpenApiTypes.STR, enum=list(TABLES))],
        examples=[
            OpenApiExample(
                "Weeks",
                value="key,label,attempts,talked\n2026-11-02,2026-11-02,4,3\n",
                media_type="text/csv",
                response_only=True,
            )
        ],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        tags=["metrics"],
    )
    def get(self, request: Request):
        scope, _by = _scope(request)
        table = request.query_params.get("table", "")
        if table not in TABLES:
            raise serializers.ValidationError(
                {"table": [_("Expected one of %(tables)s.") % {"tables": ", ".join(TABLES)}]}
            )
        return table_csv_response(scope, table)

"""The organizer's dashboard (their home page), the people behind each number, and a CSV per
table. Every decision about who sees what is the access model's (``metrics.selectors``)."""

from __future__ import annotations

import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from conversations.selectors import followup_list_due
from conversations.views import home_view as my_people_view
from organizing.csv_safety import csv_safe_text
from supporters.models import Supporter

from .charts import bars
from .figures import breakdown, ladder_weeks, summary
from .forms import MetricsQueryForm
from .segments import FIGURES
from .selectors import metric_people, metrics_scope, metrics_teams, user_may_read_metrics

# One line per card: how its numbers are computed.
HOW = {
    "activity": gettext_lazy(
        "Activity, not depth: every conversation logged in the range, and the share where you talked."
    ),
    "repeat": gettext_lazy(
        "People talked to in the range, and how many of them had been talked to before; the median "
        "days since their previous conversation."
    ),
    "remembered": gettext_lazy(
        "Things to remember written on talked conversations, per talked conversation; the "
        "listener's suggestions people confirmed or dismissed."
    ),
    "prepared": gettext_lazy(
        "Conversations whose volunteer opened that person's brief in the 24 hours before."
    ),
    "followups": gettext_lazy(
        "Follow-ups due in the range: done by the day after they were due (kept), later (late), "
        "or still open past that (overdue); the median days late."
    ),
    "reach": gettext_lazy(
        'Talked conversations with people the volunteer knows; "someone I know" relationships '
        "recorded in the range."
    ),
    "ladder": gettext_lazy(
        "People of the team on each rung now, and the steps up or down taken in the range."
    ),
}


def _scope(request: HttpRequest):
    form = MetricsQueryForm(request.GET)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, metrics_scope(
        viewer=request.user,
        team=data.get("team"),
        start=data.get("start"),
        end=data.get("end"),
        volunteer=data.get("volunteer"),
    )


@login_required
@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    """Organizers, data staff and admins land on the dashboard; volunteers on My people."""
    if not user_may_read_metrics(request.user):
        return my_people_view(request)
    return dashboard_view(request)


@login_required
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    form, scope = _scope(request)
    teams = list(metrics_teams(viewer=request.user))
    due = list(followup_list_due(viewer=request.user)[:20])
    if scope is None:
        metrics_scope(viewer=request.user)  # a volunteer gets the 403, not a form
        return render(
            request,
            "metrics/dashboard.html",
            {
                "form": form,
                "teams": teams,
                "due": due,
                "figures": None,
                "scope": None,
                "team": None,
                "may_pick_all": True,
                "start_value": form.data.get("start", ""),
                "end_value": form.data.get("end", ""),
            },
            status=400,
        )
    figures = summary(scope)
    weeks = breakdown(scope, "week")
    volunteers = breakdown(scope, "volunteer")
    ladder = ladder_weeks(scope)
    labels = [w["label"][5:] for w in weeks]
    levels = [(rung["level"], rung["label"]) for rung in figures["ladder"]["rungs"]]
    charts = {
        "weeks": bars(
            _("Conversations and repeat conversations per week"),
            labels,
            [
                (_("Talked"), [w["talked"] for w in weeks]),
                (_("Repeat"), [w["repeat_conversations"] for w in weeks]),
            ],
        ),
        "followups": bars(
            _("Follow-ups kept and late per week"),
            labels,
            [
                (_("Kept"), [w["followups_kept"] for w in weeks]),
                (_("Late"), [w["followups_late"] for w in weeks]),
            ],
            stacked=True,
        ),
        "ladder": bars(
            _("People on each rung at the end of each week"),
            [w["week_end"][5:] for w in ladder],
            [(label, [w["rungs"][level] for w in ladder]) for level, label in levels if level],
            stacked=True,
        ),
    }
    query = {
        "start": scope.start.isoformat(),
        "end": scope.end.isoformat(),
        **(
            {"team": scope.team_ids[0]}
            if scope.team_ids and len(scope.team_ids) == 1 and form.cleaned_data.get("team")
            else {}
        ),
        **({"volunteer": scope.volunteer_id} if scope.volunteer_id else {}),
    }
    return render(
        request,
        "metrics/dashboard.html",
        {
            "form": form,
            "scope": scope,
            "teams": teams,
            "team": form.cleaned_data.get("team"),
            "may_pick_all": scope.team_ids is None or not form.cleaned_data.get("team"),
            "due": due,
            "figures": figures,
            "weeks": weeks,
            "volunteers": volunteers,
            "ladder_weeks": ladder,
            "levels": levels,
            "charts": charts,
            "how": HOW,
            "query": query,
            "start_value": scope.start.isoformat(),
            "end_value": scope.end.isoformat(),
        },
    )


PEOPLE_PAGE_SIZE = 50

FIGURE_LABELS = {
    "attempts": gettext_lazy("Conversations logged"),
    "talked": gettext_lazy("Talked to"),
    "repeat": gettext_lazy("Talked to again"),
    "prepared": gettext_lazy("Came prepared"),
    "relational": gettext_lazy("Talked with someone they know"),
    "remembered": gettext_lazy("Something remembered"),
    "suggestions_confirmed": gettext_lazy("Suggestions confirmed"),
    "suggestions_dismissed": gettext_lazy("Suggestions dismissed"),
    "new_known": gettext_lazy("Newly known by a volunteer"),
    "followups_kept": gettext_lazy("Follow-ups kept"),
    "followups_late": gettext_lazy("Follow-ups late"),
    "followups_overdue": gettext_lazy("Follow-ups overdue"),
    "followups_pending": gettext_lazy("Follow-ups not due yet"),
    "moved_up": gettext_lazy("Moved up the ladder"),
    "moved_down": gettext_lazy("Moved down the ladder"),
    **{f"rung_{level}": label for level, label in Supporter.EngagementLevel.choices},
}


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def people_view(request: HttpRequest) -> HttpResponse:
    """The people behind one number, through the visibility rule, with how many are hidden;
    "Save as a segment" carries the same filter to the segment form."""
    form, scope = _scope(request)
    figure = request.GET.get("figure", "")
    channel = request.GET.get("channel") or None
    if scope is None or figure not in FIGURES:
        if scope is None:
            metrics_scope(viewer=request.user)
        return render(
            request,
            "metrics/people.html",
            {"form": form, "error": _("Pick one of the dashboard's numbers.")},
            status=400,
        )
    behind = metric_people(viewer=request.user, scope=scope, figure=figure, channel=channel)
    page = Paginator(behind.people, PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "metrics/people.html",
        {
            "form": form,
            "scope": scope,
            "figure": figure,
            "behind": behind,
            "page": page,
            "filter_json": json.dumps(behind.filter),
            "figure_label": FIGURE_LABELS.get(figure, figure),
            "query": _without_page(request),
        },
    )


TABLES = ("weeks", "volunteers", "channels", "ladder")


@login_required
@require_GET
def table_csv_view(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the dashboard as CSV (the same scope and figures)."""
    _form, scope = _scope(request)
    if scope is None or table not in TABLES:
        if scope is None:
            metrics_scope(viewer=request.user)
        return HttpResponse(_("Bad request: check the dates and the team."), status=400)
    return table_csv_response(scope, table)


def table_csv_response(scope, table: str) -> HttpResponse:
    """One of ``TABLES`` for ``scope`` as a CSV download."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="earshot-{table}-{scope.start}-{scope.end}.csv"'
    )
    writer = csv.writer(response)
    rows = table_rows(scope, table)
    if rows:
        writer.writerow(rows[0].keys())
        for row in rows:
            writer.writerow([csv_safe_text(v) if isinstance(v, str) else v for v in row.values()])
    return response


def table_rows(scope, table: str) -> list[dict]:
    if table == "weeks":
        return breakdown(scope, "week")
    if table == "volunteers":
        return breakdown(scope, "volunteer")
    figures = summary(scope)
    if table == "channels":
        return figures["activity"]["by_channel"]
    levels = dict(Supporter.EngagementLevel.choices)
    return [
        {"week_end": week["week_end"], **{str(levels[lvl]): n for lvl, n in week["rungs"].items()}}
        for week in ladder_weeks(scope)
    ]

"""Pages for segments (saved searches): list, make and edit with a count preview, delete, export.

Organizers and above save segments; their maker, data staff and admins change them;
organizers download them as CSV (their teams' people), data staff and admins too (everyone).
Counts and exports use the viewer's visibility.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from organizing.models import Team
from organizing.roles import (
    team_ids_overseen_by,
    user_is_organizer_or_above,
    user_may_download_segments,
)
from organizing.services import audit_record

from .exporting import CONTENT_TYPES, export_chunks
from .forms_segments import SegmentBuilderForm, builder_initial
from .models import Segment
from .segments import SegmentError, segment_supporters, segment_supporters_downloadable
from .selectors import segment_may_change
from .services import segment_create, segment_delete, segment_update

FILTER_HELP = _(
    'JSON, e.g. {"and": [{"support_level": {"lte": 2}}, {"contactable_by": "text"}]}. '
    "See the Segments section of the API docs for every condition."
)


class SegmentForm(forms.Form):
    """A segment's name, description and filter. The filter is the builder's
    (``builder``, a bound ``SegmentBuilderForm``) or, without one, the JSON typed in
    ``filter``; either way it is compiled and counted through the viewer's visibility."""

    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    filter = forms.CharField(
        label=_("Segment language (JSON)"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "code"}),
        initial="{}",
        required=False,
        help_text=FILTER_HELP,
    )

    def __init__(self, *args, viewer, builder: SegmentBuilderForm | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.builder = builder
        self.count = None
        self.filter_json = None

    def clean(self):
        data = super().clean()
        if self.builder is not None:
            if not self.builder.is_valid():
                raise forms.ValidationError(_("Some choices need fixing: see below."))
            value = self.builder.to_filter()
            where = None
        else:
            where = "filter"
            try:
                value = json.loads(data.get("filter") or "{}")
            except ValueError as error:
                self.add_error("filter", _("That is not JSON: %(error)s.") % {"error": error})
                return data
        try:
            self.count = segment_supporters(viewer=self.viewer, filter_json=value).count()
        except SegmentError as error:
            self.add_error(
                where,
                _("At %(path)s: %(message)s") % {"path": error.path, "message": error.message},
            )
            return data
        self.filter_json = value
        return data


def _may_save(user) -> bool:
    return user_is_organizer_or_above(user)


def _may_change(user, segment: Segment) -> bool:
    return segment_may_change(viewer=user, segment=segment)


def _builder_teams(user):
    return Team.objects.filter(id__in=team_ids_overseen_by(user)).order_by("name")


@login_required
@require_GET
def segment_list_view(request: HttpRequest) -> HttpResponse:
    segments = list(Segment.objects.select_related("created_by"))
    for segment in segments:
        segment.may_change = _may_change(request.user, segment)
    context = {
        "segments": segments,
        "may_save": _may_save(request.user),
        "may_download": user_may_download_segments(request.user),
    }
    return render(request, "supporters/segment_list.html", context)


def _initial_filter(request: HttpRequest, segment: Segment | None):
    """The filter the page opens with: the segment's, or one handed over by the Supporters
    list's "Save as segment" (``?from_filter=<json>``), or everyone."""
    if segment is not None:
        return segment.filter
    raw = request.GET.get("from_filter")
    if raw:
        try:
            return json.loads(raw)
        except ValueError:
            return {}
    return {}


def _segment_form_view(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    """Make or edit a segment by pointing (the builder) or as JSON (``save_json``, or a post
    without ``source=builder``: data staff's scripts and the JSON box). Nothing typed is lost
    on an error: both forms come back bound."""
    teams = _builder_teams(request.user)
    start = _initial_filter(request, segment)
    start_builder = builder_initial(start)
    json_text = json.dumps(start, indent=2)
    from_builder = (
        request.method == "POST"
        and request.POST.get("source") == "builder"
        and "save_json" not in request.POST
    )
    if request.method == "POST":
        builder = SegmentBuilderForm(request.POST, teams=teams, prefix="b")
        form = SegmentForm(
            request.POST, viewer=request.user, builder=builder if from_builder else None
        )
    else:
        builder = SegmentBuilderForm(initial=start_builder or {}, teams=teams, prefix="b")
        initial = {"filter": json_text}
        if segment is not None:
            initial.update(name=segment.name, description=segment.description)
        form = SegmentForm(initial=initial, viewer=request.user)
    saving = "save" in request.POST or "save_json" in request.POST
    if request.method == "POST" and form.is_valid() and saving:
        data = {
            "name": form.cleaned_data["name"],
            "description": form.cleaned_data["description"],
            "filter": form.filter_json,
        }
        if segment is None:
            segment = segment_create(actor=request.user, **data)
        else:
            segment_update(actor=request.user, segment=segment, **data)
        messages.success(
            request,
            ngettext(
                "Segment %(name)s saved: %(count)s person.",
                "Segment %(name)s saved: %(count)s people.",
                form.count,
            )
            % {"name": segment.name, "count": number_format(form.count, force_grouping=True)},
        )
        return redirect("segments:list")
    if request.method == "POST" and form.is_bound:
        form.is_valid()
    shown_filter = form.filter_json if form.filter_json is not None else start
    context = {
        "form": form,
        "builder": builder,
        "segment": segment,
        "count": form.count if form.is_bound else None,
        "builder_fits": start_builder is not None or from_builder,
        "filter_text": json.dumps(shown_filter, indent=2),
    }
    return render(
        request,
        "supporters/segment_form.html",
        context,
        status=400 if (form.errors or (from_builder and builder.errors)) else 200,
    )


@login_required
@require_GET
def segment_preview_view(request: HttpRequest) -> HttpResponse:
    """An htmx fragment for the builder: how many people the viewer may see match the
    choices now, with the JSON they make, or what is wrong with each choice."""
    if not _may_save(request.user):
        raise PermissionDenied(_("Only organizers and above save segments."))
    builder = SegmentBuilderForm(request.GET, teams=_builder_teams(request.user), prefix="b")
    context: dict = {"builder": builder, "count": None, "filter_text": ""}
    if builder.is_valid():
        filter_json = builder.to_filter()
        context["filter_text"] = json.dumps(filter_json, indent=2)
        try:
            context["count"] = segment_supporters(
                viewer=request.user, filter_json=filter_json
            ).count()
        except SegmentError as error:
            context["error"] = _("At %(path)s: %(message)s") % {
                "path": error.path,
                "message": error.message,
            }
    return render(request, "supporters/_segment_preview.html", context)


@login_required
def segment_create_view(request: HttpRequest) -> HttpResponse:
    if not _may_save(request.user):
        raise PermissionDenied(_("Only organizers and above save segments."))
    return _segment_form_view(request, None)


@login_required
def segment_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    if not _may_change(request.user, segment):
        raise PermissionDenied(_("Only the segment's maker, data staff and admins change it."))
    return _segment_form_view(request, segment)


@login_required
@require_POST
def segment_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    if not _may_change(request.user, segment):
        raise PermissionDenied(_("Only the segment's maker, data staff and admins delete it."))
    segment_delete(actor=request.user, segment=segment)
    messages.success(request, _("Segment %(name)s deleted.") % {"name": segment.name})
    return redirect("segments:list")


@login_required
@require_GET
def segment_count_view(request: HttpRequest, pk: int) -> HttpResponse:
    """An htmx fragment: how many people the viewer may see match now."""
    segment = get_object_or_404(Segment, pk=pk)
    try:
        count = segment_supporters(viewer=request.user, filter_json=segment.filter).count()
    except SegmentError as error:
        return HttpResponse(_("Filter error at %(path)s") % {"path": error.path}, status=400)
    audit_record(
        actor=request.user, action="segment.count", obj=segment, request=request, count=count
    )
    return HttpResponse(
        ngettext("%(count)s person", "%(count)s people", count)
        % {"count": number_format(count, force_grouping=True)}
    )


@login_required
@require_GET
def segment_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The segment as CSV, of the people the viewer may download (organizers: their teams'
    people; data staff and admins: everyone), audited like every export."""
    if not user_may_download_segments(request.user):
        raise PermissionDenied(_("Only organizers, data staff and admins download segments."))
    segment = get_object_or_404(Segment, pk=pk)
    try:
        supporters = segment_supporters_downloadable(
            viewer=request.user, filter_json=segment.filter
        )
    except SegmentError as error:
        return HttpResponse(_("Filter error at %(path)s") % {"path": error.path}, status=400)
    audit_record(
        actor=request.user, action="segment.export", obj=segment, request=request, format="csv"
    )
    response = StreamingHttpResponse(
        export_chunks(supporters, format="csv"), content_type=CONTENT_TYPES["csv"]
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="segment-{segment.pk}-{stamp}.csv"'
    return response

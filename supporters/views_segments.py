"""Pages for segments (saved searches): list, make and edit with a count preview, delete, export.

Organizers and above save segments; their maker, data staff and admins change them; data
staff and admins download them as CSV. Counts and exports use the viewer's visibility.
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

from organizing.roles import user_is_organizer_or_above, user_may_export
from organizing.services import audit_record

from .exporting import CONTENT_TYPES, export_chunks
from .models import Segment
from .segments import SegmentError, segment_supporters
from .selectors import segment_may_change
from .services import segment_create, segment_delete, segment_update

FILTER_HELP = (
    'JSON, e.g. {"and": [{"support_level": {"lte": 2}}, {"contactable_by": "text"}]}. '
    "See the Segments section of the API docs for every condition."
)


class SegmentForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(max_length=300, required=False)
    filter = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "code"}),
        initial="{}",
        help_text=FILTER_HELP,
    )

    def __init__(self, *args, viewer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.count = None

    def clean_filter(self):
        try:
            value = json.loads(self.cleaned_data["filter"])
        except ValueError as error:
            raise forms.ValidationError(
                _("That is not JSON: %(error)s.") % {"error": error}
            ) from None
        try:
            self.count = segment_supporters(viewer=self.viewer, filter_json=value).count()
        except SegmentError as error:
            raise forms.ValidationError(
                _("At %(path)s: %(message)s") % {"path": error.path, "message": error.message}
            ) from None
        return value


def _may_save(user) -> bool:
    return user_is_organizer_or_above(user)


def _may_change(user, segment: Segment) -> bool:
    return segment_may_change(viewer=user, segment=segment)


@login_required
@require_GET
def segment_list_view(request: HttpRequest) -> HttpResponse:
    context = {
        "segments": Segment.objects.select_related("created_by"),
        "may_save": _may_save(request.user),
        "may_export": user_may_export(request.user),
    }
    return render(request, "supporters/segment_list.html", context)


def _segment_form_view(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    initial = None
    if segment is not None:
        initial = {
            "name": segment.name,
            "description": segment.description,
            "filter": json.dumps(segment.filter, indent=2),
        }
    form = SegmentForm(request.POST or None, initial=initial, viewer=request.user)
    if request.method == "POST" and form.is_valid() and "save" in request.POST:
        data = form.cleaned_data
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
    context = {"form": form, "segment": segment, "count": form.count if form.is_bound else None}
    return render(
        request, "supporters/segment_form.html", context, status=400 if form.errors else 200
    )


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
    return HttpResponse(
        ngettext("%(count)s person", "%(count)s people", count)
        % {"count": number_format(count, force_grouping=True)}
    )


@login_required
@require_GET
def segment_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not user_may_export(request.user):
        raise PermissionDenied(_("Only data staff and admins export."))
    segment = get_object_or_404(Segment, pk=pk)
    try:
        supporters = segment_supporters(viewer=request.user, filter_json=segment.filter)
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

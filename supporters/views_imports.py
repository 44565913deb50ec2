"""Pages for imports: upload, map columns, dry run, commit with a progress bar, undo, files.

Thin: the services decide who may import and what happens; the rule for seeing an import is
``supporters.importing.selectors.import_list``.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organizing.models import Team
from organizing.roles import team_ids_user_may_import_into

from .importing.files import import_errors_csv, import_outcomes_csv
from .importing.mapping import TARGETS
from .importing.models import Import, ImportMapping
from .importing.selectors import import_get, import_list
from .importing.services import (
    import_commit,
    import_dry_run,
    import_first_of_same,
    import_mapping_set,
    import_people_touched,
    import_undo,
    import_upload,
)


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV, TSV or XLSX file"))
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=gettext_lazy("Into team"))
    source = forms.CharField(
        max_length=80,
        required=False,
        label=gettext_lazy("Source"),
        help_text=gettext_lazy("e.g. VAN export; a mapping saved for it is used."),
    )

    def __init__(self, *args, viewer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any team validates; the service decides who may import where (a 403, as the API
        # answers). The list offers only the teams the viewer may import into.
        self.fields["team"].queryset = Team.objects.all()
        self.fields["team"].widget.choices = [("", "---------")] + [
            (team.pk, team.name)
            for team in Team.objects.filter(pk__in=team_ids_user_may_import_into(viewer)).order_by(
                "name"
            )
        ]


def _may_import(request: HttpRequest) -> None:
    if not team_ids_user_may_import_into(request.user):
        raise PermissionDenied(_("Only organizers, data staff and admins import people."))


def _field_errors(form: forms.Form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@login_required
@require_http_methods(["GET", "POST"])
def import_list_view(request: HttpRequest) -> HttpResponse:
    _may_import(request)
    form = UploadForm(request.POST or None, request.FILES or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_upload(
                actor=request.user,
                team=form.cleaned_data["team"],
                file_name=upload.name,
                # Never more than the limit in memory: one byte over is enough to refuse.
                data=upload.read(settings.IMPORT_MAX_BYTES + 1),
                size=upload.size,
                source=form.cleaned_data["source"],
                request=request,
            )
        except ValidationError as error:
            _field_errors(form, error)
        else:
            return redirect("supporters:import-detail", job.pk)
    context = {
        "form": form,
        "imports": import_list(viewer=request.user)[:50],
        "sources": ImportMapping.objects.values_list("source", flat=True),
    }
    return render(
        request, "supporters/import_list.html", context, status=400 if form.errors else 200
    )


def _detail_context(request: HttpRequest, job: Import, **extra) -> dict:
    choices = [(key, str(label)) for key, label in TARGETS.items()]
    columns = []
    first_values = list(job.rows.order_by("number").values_list("values", flat=True)[:3])
    for position, header in enumerate(job.headers):
        choice = job.mapping.get(header, {"target": "", "overwrite": False})
        target = choice.get("target", "")
        extra_choices = [] if target in TARGETS else [(target, target)]
        columns.append(
            {
                "position": position,
                "header": header,
                "target": target,
                "overwrite": choice.get("overwrite", False),
                "choices": extra_choices + choices,
                "examples": [
                    v[position] for v in first_values if position < len(v) and v[position]
                ],
            }
        )
    return {
        "job": job,
        "columns": columns,
        "dry_run": job.dry_run,
        "first_of_same": import_first_of_same(job) if job.mapping_hash else None,
        "may_undo": job.status in (Import.Status.DONE, Import.Status.FAILED)
        and not import_people_touched(job),
        **_progress(job),
        **extra,
    }


def _progress(job: Import) -> dict:
    rate = left = None
    if job.started_at and job.rows_done:
        seconds = max(1.0, ((job.finished_at or timezone.now()) - job.started_at).total_seconds())
        rate = job.rows_done / seconds
        left = round((job.total_rows - job.rows_done) / rate) if rate else None
    return {"rate": round(rate, 1) if rate else None, "seconds_left": left}


@login_required
@require_GET
def import_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = import_get(viewer=request.user, pk=pk)
    return render(request, "supporters/import_detail.html", _detail_context(request, job))


@login_required
@require_GET
def import_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = import_get(viewer=request.user, pk=pk)
    return render(request, "supporters/_import_progress.html", {"job": job, **_progress(job)})


@login_required
@require_POST
def import_mapping_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the mapping and run the dry run (one button: the counts always match the
    mapping shown)."""
    job = import_get(viewer=request.user, pk=pk)
    columns = {}
    for position, header in enumerate(job.headers):
        target = request.POST.get(f"target-{position}", "")
        if target == "custom":
            name = request.POST.get(f"custom-{position}", "").strip() or header
            target = f"custom:{name}"
        columns[header] = {
            "target": target,
            "overwrite": request.POST.get(f"overwrite-{position}") == "on",
        }
    try:
        import_mapping_set(
            actor=request.user,
            job=job,
            columns=columns,
            source=request.POST.get("source", ""),
            save=request.POST.get("save_mapping") == "on",
        )
        import_dry_run(actor=request.user, job=job)
    except ValidationError as error:
        job.refresh_from_db()
        context = _detail_context(request, job, errors=error.message_dict)
        return render(request, "supporters/import_detail.html", context, status=400)
    return redirect("supporters:import-detail", job.pk)


@login_required
@require_POST
def import_commit_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = import_get(viewer=request.user, pk=pk)
    try:
        import_commit(actor=request.user, job=job)
    except ValidationError as error:
        context = _detail_context(request, job, errors=error.message_dict)
        return render(request, "supporters/import_detail.html", context, status=400)
    messages.success(request, _("Import started; the worker is bringing people in."))
    return redirect("supporters:import-detail", job.pk)


@login_required
@require_POST
def import_undo_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = import_get(viewer=request.user, pk=pk)
    try:
        import_undo(actor=request.user, job=job)
    except ValidationError as error:
        context = _detail_context(request, job, errors=error.message_dict)
        return render(request, "supporters/import_detail.html", context, status=400)
    messages.success(request, _("Import undone."))
    return redirect("supporters:import-detail", job.pk)


def _csv(rows, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def import_errors_view(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    job = import_get(viewer=request.user, pk=pk)
    return _csv(import_errors_csv(job), f"import-{job.pk}-errors.csv")


@login_required
@require_GET
def import_outcomes_view(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    job = import_get(viewer=request.user, pk=pk)
    return _csv(import_outcomes_csv(job), f"import-{job.pk}-rows.csv")

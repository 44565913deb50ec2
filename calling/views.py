"""Pages for phone banking: the call lists, making one, the organizer's queue and progress,
and the caller's screen ("Next call" → brief, script, dial, one form → next)."""

from __future__ import annotations

import json
import logging
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conversations.models import SurveyQuestion
from conversations.selectors import brief_get
from organizing.models import Team
from organizing.roles import team_ids_organized_by, user_is_organization_wide
from organizing.services import audit_record

from .forms import CallListForm, CallResultForm, filter_from_supporter_filters
from .models import CallAttempt, CallTarget
from .scripts import script_for_language, script_render
from .selectors import (
    call_list_access,
    call_list_get,
    call_list_list,
    call_list_progress,
    call_list_queue,
    call_target_held,
)
from .services import call_claim, call_list_create, call_record, call_release, call_skip

logger = logging.getLogger(__name__)


def _teams_managed(user):
    if user_is_organization_wide(user):
        return Team.objects.order_by("name")
    return Team.objects.filter(pk__in=team_ids_organized_by(user)).order_by("name")


@login_required
def call_list_index_view(request: HttpRequest) -> HttpResponse:
    lists = [call_list_access(request.user, c) for c in call_list_list(viewer=request.user)[:100]]
    return render(
        request,
        "calling/calllist_list.html",
        {"lists": lists, "may_create": _teams_managed(request.user).exists()},
    )


@login_required
def call_list_create_view(request: HttpRequest) -> HttpResponse:
    teams = _teams_managed(request.user)
    if not teams.exists():
        raise PermissionDenied(_("Call lists are made by organizers."))
    initial = {"team": teams.first(), "segment": request.GET.get("segment") or None}
    if request.method == "GET":
        # From the Supporters page: its filters, said in the segment language.
        carried, left_out = filter_from_supporter_filters(request.GET)
        if carried is not None:
            initial["filter"] = json.dumps(carried)
            if carried.get("team") and teams.filter(pk=carried["team"]).exists():
                initial["team"] = carried["team"]
        if left_out:
            messages.info(
                request,
                _("Not carried over from the Supporters filters: %(names)s.")
                % {"names": ", ".join(left_out)},
            )
    form = CallListForm(request.POST or None, teams=teams, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            call_list = call_list_create(
                actor=request.user,
                team=data["team"],
                name=data["name"],
                segment=data["segment"],
                filter_json=data["filter"],
                scripts=form.scripts(),
                questions=data["questions"],
                calling_starts=data["calling_starts"],
                calling_ends=data["calling_ends"],
                recent_days=data["recent_days"],
                default_language=data["script_language"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                target = {"scripts": "script", "filter": "filter"}.get(field, field)
                form.add_error(target if target in form.fields else None, problems)
        else:
            messages.success(
                request,
                _("Call list made with %(count)s people.") % {"count": call_list.targets.count()},
            )
            return redirect("calling:detail", pk=call_list.pk)
    return render(
        request,
        "calling/calllist_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def call_list_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The organizer's queue and progress; for a caller, the start page (and, when nobody is
    ready, why not)."""
    access = call_list_get(viewer=request.user, pk=pk)
    call_list = access.call_list
    context = {
        "access": access,
        "call_list": call_list,
        "queue": call_list_queue(call_list=call_list),
        "held": call_target_held(viewer=request.user, call_list=call_list),
        "scripts": list(call_list.scripts.all()),
        "questions": list(call_list.questions.all()),
    }
    if access.can_manage:
        context["progress"] = call_list_progress(call_list=call_list)
    return render(request, "calling/calllist_detail.html", context)


def _go_next(request: HttpRequest, access) -> HttpResponse:
    target = call_claim(actor=request.user, call_list=access.call_list)
    if target is None:
        messages.info(request, _("Nobody is ready to be called right now; here is why."))
        return redirect("calling:detail", pk=access.call_list.pk)
    return redirect("calling:call", pk=access.call_list.pk, target_pk=target.pk)


@login_required
@require_POST
def call_next_view(request: HttpRequest, pk: int) -> HttpResponse:
    access = call_list_get(viewer=request.user, pk=pk)
    if not access.can_call:
        raise PermissionDenied(_("You may not take calls from this list."))
    return _go_next(request, access)


@login_required
@require_POST
def call_stop_view(request: HttpRequest, pk: int) -> HttpResponse:
    access = call_list_get(viewer=request.user, pk=pk)
    if call_release(actor=request.user, call_list=access.call_list):
        messages.info(request, _("Stopped; the person you had goes back in the queue."))
    return redirect("calling:detail", pk=pk)


def _held_target(request: HttpRequest, access, target_pk: int) -> CallTarget | None:
    held = call_target_held(viewer=request.user, call_list=access.call_list)
    return held if held is not None and held.pk == target_pk else None


def _questions(call_list) -> list[SurveyQuestion]:
    return list(call_list.questions.prefetch_related("choices").order_by("position", "id"))


@login_required
def call_view(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    """The caller's screen. Only the caller holding the person opens it; the brief comes from
    the brief's own selector (visibility through the lease, redaction for this caller)."""
    access = call_list_get(viewer=request.user, pk=pk)
    call_list = access.call_list
    target = _held_target(request, access, target_pk)
    questions = _questions(call_list)
    if request.method == "POST":
        form = CallResultForm(request.POST, questions=questions)
        if target is None:
            # Their time ran out: whatever they typed is still on the page, with why.
            target = CallTarget.objects.filter(
                pk=target_pk, call_list=call_list, claimed_by=request.user
            ).first()
        if target is not None and form.is_valid():
            data = form.cleaned_data
            try:
                call_record(
                    actor=request.user,
                    target=target,
                    client_uuid=data["client_uuid"],
                    result=data["result"],
                    answers=data["answers"],
                    heard=data["heard"],
                    heard_is_sensitive=data["heard_is_sensitive"],
                    remember=data["remember"],
                    issues=data["issues"],
                    call_back_after=data["call_back_after"],
                    message_to_organizer=data["message_to_organizer"],
                    stop_channels=data["consent"],
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            except DatabaseError:
                logger.exception("Could not save a call on list %s", call_list.pk)
                form.add_error(
                    None,
                    _("We couldn't save this just now. Everything you entered is still here."),
                )
            else:
                messages.success(request, _("Call saved."))
                return _go_next(request, access)
        elif target is None:
            form.add_error(
                None, _("This person is no longer yours to call; what you typed is below.")
            )
        return _render_call(request, access, target, form, status=400)
    if target is None:
        messages.info(request, _("That call is no longer yours; press Next call."))
        return redirect("calling:detail", pk=pk)
    form = CallResultForm(initial={"client_uuid": uuid.uuid4()}, questions=questions)
    return _render_call(request, access, target, form)


def _render_call(request, access, target, form, status: int = 200) -> HttpResponse:
    call_list = access.call_list
    brief = script = phone = None
    if target is not None and target.claimed_by_id == request.user.pk:
        try:
            brief = brief_get(viewer=request.user, pk=target.supporter_id)
        except Http404:  # the lease ran out: no brief, and the form keeps what was typed
            brief = None
    if brief is not None:
        audit_record(
            actor=request.user,
            action="supporter.brief_viewed",
            obj=brief.supporter,
            request=request,
            call_list=call_list.pk,
        )
        chosen = script_for_language(
            call_list.scripts.all(), brief.supporter.language, call_list.default_language
        )
        if chosen is not None:
            script = script_render(
                chosen.text,
                first_name=brief.supporter.preferred_name or brief.supporter.given_name,
                caller_name=(request.user.full_name or "").split(" ")[0],
            )
        phone = next(
            (p for p in brief.supporter.phone_list if p.get("is_valid") is not False), None
        )
    return render(
        request,
        "calling/call.html",
        {
            "access": access,
            "call_list": call_list,
            "target": target,
            "brief": brief,
            "script": script,
            "phone": phone,
            "form": form,
            "results": CallAttempt.Result,
        },
        status=status,
    )


def _one_tap(request: HttpRequest, pk: int, target_pk: int, act) -> HttpResponse:
    access = call_list_get(viewer=request.user, pk=pk)
    target = CallTarget.objects.filter(
        pk=target_pk, call_list=access.call_list, claimed_by=request.user
    ).first()
    if target is None:
        messages.error(request, _("That call is no longer yours; press Next call."))
        return redirect("calling:detail", pk=pk)
    try:
        act(target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("calling:detail", pk=pk)
    return _go_next(request, access)


@login_required
@require_POST
def call_skip_view(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    def skip(target):
        call_skip(actor=request.user, target=target)
        messages.info(request, _("Skipped; they go back in the queue for later."))

    return _one_tap(request, pk, target_pk, skip)


@login_required
@require_POST
def call_wrong_number_view(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    try:
        key = uuid.UUID(request.POST.get("client_uuid", ""))
    except ValueError:
        key = uuid.uuid4()

    def wrong(target):
        call_record(
            actor=request.user,
            target=target,
            client_uuid=key,
            result=CallAttempt.Result.WRONG_NUMBER,
        )
        messages.success(request, _("Wrong number noted."))

    return _one_tap(request, pk, target_pk, wrong)

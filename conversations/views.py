"""Pages a volunteer uses at the door: home (my people), the brief, logging a conversation,
the history."""

from __future__ import annotations

import logging
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizing.services import audit_record
from supporters.selectors import supporter_access_get, supporter_get

from .forms import ConversationLogForm, NoteForm, SuggestionConfirmForm
from .models import FollowUp, Note, Suggestion, SurveyQuestion
from .selectors import brief_get, followup_list_due, history_page, supporter_list_mine
from .services import (
    conversation_log,
    followup_complete,
    note_update,
    suggestion_confirm,
    suggestion_dismiss,
)

logger = logging.getLogger(__name__)

HOME_PAGE_SIZE = 50


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    """My people: follow-ups due today or overdue, then my assigned and known people."""
    due = list(followup_list_due(viewer=request.user)[:50])
    people = Paginator(supporter_list_mine(viewer=request.user), HOME_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "supporters/supporter_mine.html",
        {"due": due, "page": people, "now": timezone.now()},
    )


@login_required
def brief_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The card a volunteer reads before knocking or dialing. Opening it is audited."""
    brief = brief_get(viewer=request.user, pk=pk)
    audit_record(
        actor=request.user, action="supporter.brief_viewed", obj=brief.supporter, request=request
    )
    return render(request, "conversations/supporter_brief.html", {"brief": brief})


@login_required
def history_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One timeline, newest first, a page at a time. htmx asks for the next page as a partial."""
    page = history_page(viewer=request.user, pk=pk, cursor=request.GET.get("before"))
    context = {"page": page, "supporter": page.supporter}
    if request.htmx:
        return render(request, "conversations/_history_events.html", context)
    audit_record(
        actor=request.user, action="supporter.history_viewed", obj=page.supporter, request=request
    )
    return render(request, "conversations/supporter_history.html", context)


def _active_questions() -> list[SurveyQuestion]:
    return list(
        SurveyQuestion.objects.filter(is_active=True)
        .prefetch_related("choices")
        .order_by("position", "id")
    )


@login_required
def conversation_log_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a conversation. The form carries a UUID made when it was shown, so a double tap
    or a retry stores one conversation; bad input comes back with everything kept."""
    supporter = supporter_get(viewer=request.user, pk=pk)
    questions = _active_questions()
    if request.method == "POST":
        form = ConversationLogForm(request.POST, questions=questions)
        if form.is_valid():
            data = form.cleaned_data
            try:
                conversation, created = conversation_log(
                    actor=request.user,
                    supporter=supporter,
                    client_uuid=data["client_uuid"],
                    channel=data["channel"],
                    outcome=data["outcome"],
                    heard=data["heard"],
                    heard_is_sensitive=data["heard_is_sensitive"],
                    answers=data["answers"],
                    issues=data["issues"],
                    remember=data["remember"],
                    followup=form.followup_due_at(),
                    stop_channels=data["consent"],
                )
            except DatabaseError:
                logger.exception("Could not save a conversation for supporter %s", supporter.pk)
                form.add_error(
                    None,
                    "We couldn't save this just now. Everything you entered is still here; "
                    "try again in a moment.",
                )
            else:
                if created:
                    messages.success(request, _("Conversation saved."))
                else:
                    messages.info(request, _("Already saved — we kept the first copy."))
                url = reverse("conversations:brief", args=[supporter.pk])
                return redirect(f"{url}#conversation-{conversation.pk}")
        status = 400
    else:
        form = ConversationLogForm(
            initial={
                "client_uuid": uuid.uuid4(),
                "channel": request.GET.get("channel", "door"),
            },
            questions=questions,
        )
        status = 200
    return render(
        request,
        "conversations/conversation_form.html",
        {"form": form, "supporter": supporter},
        status=status,
    )


@login_required
def note_edit_view(request: HttpRequest, pk: int, note_pk: int) -> HttpResponse:
    """Correct a note. The earlier text stays in the history, with who changed it."""
    access = supporter_access_get(viewer=request.user, pk=pk)
    supporter = access.supporter
    note = get_object_or_404(Note, pk=note_pk, supporter=supporter)
    # Asked before the form is shown, so nobody sees text they may not change; the service
    # asks the same question again when saving.
    if not access.may_edit_note(note):
        raise PermissionDenied(_("Only the note's author or the person's organizers correct it."))
    form = NoteForm(request.POST or None, instance=note, can_see_sensitive=access.can_see_sensitive)
    if request.method == "POST" and form.is_valid():
        note_update(
            note=note,
            actor=request.user,
            body=form.cleaned_data["body"],
            kind=form.cleaned_data["kind"],
            is_pinned=form.cleaned_data["is_pinned"],
        )
        messages.success(request, _("Note corrected; the earlier text is kept in the history."))
        return redirect("conversations:history", pk=supporter.pk)
    return render(
        request,
        "conversations/note_form.html",
        {"form": form, "supporter": supporter, "note": note},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def suggestion_decide_view(request: HttpRequest, pk: int, suggestion_pk: int) -> HttpResponse:
    """Confirm (optionally reworded, optionally sensitive) or dismiss a suggested thing to remember."""
    supporter = supporter_get(viewer=request.user, pk=pk)
    suggestion = get_object_or_404(Suggestion, pk=suggestion_pk, supporter=supporter)
    decision = request.POST.get("decision")
    if decision == "confirm":
        form = SuggestionConfirmForm(request.POST)
        if not form.is_valid():
            # Too long: refused with the limit, and what was typed stays in the box.
            error = " ".join(form.errors["text"])
            if request.htmx:
                context = {"suggestion": suggestion, "error": error, "text": form.data["text"]}
                return render(request, "conversations/_suggestion.html", context)
            messages.error(request, _("Not kept: %(error)s") % {"error": error})
            return redirect("conversations:brief", pk=supporter.pk)
        suggestion = suggestion_confirm(
            suggestion=suggestion,
            actor=request.user,
            text=form.cleaned_data["text"] or None,
            is_sensitive=form.cleaned_data["sensitive"],
        )
    elif decision == "dismiss":
        suggestion = suggestion_dismiss(suggestion=suggestion, actor=request.user)
    else:
        return HttpResponse("Choose confirm or dismiss.", status=400)
    if request.htmx:
        return render(request, "conversations/_suggestion.html", {"suggestion": suggestion})
    return redirect("conversations:brief", pk=supporter.pk)


@login_required
@require_POST
def followup_complete_view(request: HttpRequest, pk: int, followup_pk: int) -> HttpResponse:
    """Mark a follow-up done (or cancelled) from the brief, my people or the queue."""
    supporter = supporter_get(viewer=request.user, pk=pk)
    followup = get_object_or_404(FollowUp, pk=followup_pk, supporter=supporter)
    status = request.POST.get("status", FollowUp.Status.DONE)
    if status not in (FollowUp.Status.DONE, FollowUp.Status.CANCELLED):
        return HttpResponse("Close it as done or cancelled.", status=400)
    followup = followup_complete(actor=request.user, followup=followup, status=status)
    if request.htmx:
        return render(request, "conversations/_followup_closed.html", {"followup": followup})
    messages.success(
        request,
        _("“%(reason)s” marked %(status)s.")
        % {"reason": followup.reason, "status": followup.get_status_display().lower()},
    )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("conversations:brief", args=[supporter.pk])
    return redirect(next_url)

"""Organizer pages for duplicate candidates: review the pairs, say "not a duplicate", merge.

Organizers of both people's team, data staff and admins may use them. A volunteer gets a 403;
a pair with someone outside the viewer's scope is a 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from organizing.roles import user_is_organizer_or_above

from .selectors import duplicate_get, duplicate_list
from .services import duplicate_dismiss, supporter_merge


def _require_reviewer(user) -> None:
    if not user_is_organizer_or_above(user):
        raise PermissionDenied(_("Only organizers, data staff and admins review duplicates."))


def _pair_for(request: HttpRequest, pk: int):
    return duplicate_get(viewer=request.user, pk=pk)  # 404 outside scope, 403 if not theirs


class MergeForm(forms.Form):
    keep = forms.ChoiceField(
        label=_("Keep which record?"),
        choices=[("first", _("First")), ("second", _("Second"))],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, pair, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [
            ("first", f"{pair.first} (#{pair.first_id})"),
            ("second", f"{pair.second} (#{pair.second_id})"),
        ]


@login_required
def duplicate_list_view(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request.user)
    pairs = list(duplicate_list(viewer=request.user)[:200])
    return render(request, "supporters/duplicate_review_list.html", {"pairs": pairs})


@login_required
@require_POST
def duplicate_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    pair = _pair_for(request, pk)
    duplicate_dismiss(actor=request.user, candidate=pair)
    messages.success(
        request,
        _("%(first)s and %(second)s are two people.")
        % {"first": pair.first, "second": pair.second},
    )
    return redirect("review:duplicate_list")


@login_required
def duplicate_merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    pair = _pair_for(request, pk)
    form = MergeForm(request.POST or None, pair=pair)
    if request.method == "POST" and form.is_valid():
        keep_first = form.cleaned_data["keep"] == "first"
        kept, merged = (pair.first, pair.second) if keep_first else (pair.second, pair.first)
        supporter_merge(actor=request.user, kept=kept, merged=merged)
        messages.success(request, _("Merged into %(name)s.") % {"name": kept})
        return redirect("review:duplicate_list")
    return render(
        request,
        "supporters/duplicate_review_merge.html",
        {"pair": pair, "form": form},
        status=400 if form.errors else 200,
    )

"""The page that erases a person on request: what will go, a warning that it cannot be
undone, and the person's name typed to confirm. Thin over ``supporters.erasure``, which
decides who may (``SupporterAccess.can_erase``) and does the work."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizing.services import audit_record

from .erasure import erasure_counts_preview, supporter_erase
from .selectors import supporter_access_get


class ErasureForm(forms.Form):
    confirm_name = forms.CharField(
        label=gettext_lazy("Type their name to confirm"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Why"),
        max_length=500,
        help_text=gettext_lazy("For example: they asked by email on 3 May to be removed."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    request_reference = forms.CharField(
        label=gettext_lazy("Request reference (optional)"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("A ticket number or the date of their letter."),
    )


@login_required
def supporter_erase_view(request: HttpRequest, pk: int) -> HttpResponse:
    access = supporter_access_get(viewer=request.user, pk=pk)
    if not access.can_erase:
        raise PermissionDenied(_("Only admins may erase a person."))
    supporter = access.supporter
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supporter_erase(
                actor=request.user, supporter=supporter, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
        else:
            messages.success(
                request,
                _(
                    "Supporter #%(id)s was erased. Their emails and phones are on the suppression list."
                )
                % {"id": supporter.pk},
            )
            return redirect("supporters:list")
    else:
        audit_record(
            actor=request.user, action="supporter.erase_viewed", obj=supporter, request=request
        )
    return render(
        request,
        "supporters/supporter_erase.html",
        {
            "supporter": supporter,
            "form": form,
            "counts": erasure_counts_preview(supporter=supporter),
        },
        status=400 if form.errors else 200,
    )

"""Pages for a signed-in user's own API keys: make one (shown once), list, revoke."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .mfa import recent_second_factor_required
from .models import ApiKey
from .roles import user_is_organization_wide
from .services import api_key_create, api_key_revoke


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text=_("What the key is for, e.g. warehouse sync."))
    scopes = forms.MultipleChoiceField(
        choices=ApiKey.Scope.choices, widget=forms.CheckboxSelectMultiple, initial=["read"]
    )
    expires_in_days = forms.IntegerField(
        min_value=1, max_value=3650, required=False, help_text=_("Leave empty for no expiry.")
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not user_is_organization_wide(user):
            # Only data staff and admins are offered the export scope.
            self.fields["scopes"].choices = [
                choice for choice in ApiKey.Scope.choices if choice[0] != ApiKey.Scope.EXPORT
            ]


@login_required
@recent_second_factor_required
def apikey_list_view(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        try:
            api_key, raw_key = api_key_create(
                actor=request.user,
                user=request.user,
                scopes=form.cleaned_data["scopes"],
                name=form.cleaned_data["name"],
                expires_at=timezone.now() + timedelta(days=days) if days else None,
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            # Rendered, not redirected: the secret never touches the session or a URL.
            response = render(
                request, "organizing/apikey_created.html", {"api_key": api_key, "raw_key": raw_key}
            )
            response["Cache-Control"] = "no-store"
            return response
    context = {"form": form, "api_keys": ApiKey.objects.filter(user=request.user)}
    return render(
        request, "organizing/apikey_list.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def apikey_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    api_key = get_object_or_404(ApiKey, pk=pk, user=request.user)
    api_key_revoke(actor=request.user, api_key=api_key)
    messages.success(request, _("Key %(prefix)s… revoked.") % {"prefix": api_key.prefix})
    return redirect("organizing:apikey_list")

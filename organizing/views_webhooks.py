"""Pages for webhooks: register a URL for events, see its delivery log, replay, switch off.

Organizers, data staff and admins only (volunteers get a 403). Each person manages their own
webhooks (admins everyone's); anyone else's is a 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .models import Webhook, WebhookDelivery
from .webhooks import (
    user_may_manage_webhooks,
    webhook_create,
    webhook_delete,
    webhook_delivery_replay,
    webhook_list,
    webhook_set_active,
    webhook_team_choices,
    webhook_url_refusal,
)

DELIVERIES_SHOWN = 50


class WebhookForm(forms.Form):
    url = forms.URLField(
        max_length=500,
        assume_scheme="https",
        help_text=_("Where Earshot POSTs each event (http or https)."),
    )
    events = forms.MultipleChoiceField(
        choices=Webhook.Event.choices, widget=forms.CheckboxSelectMultiple
    )
    team = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label=_("Everyone I may see"),
        help_text=_("Only this team's supporters."),
    )
    description = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = webhook_team_choices(user)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if (refusal := webhook_url_refusal(url)) is not None:
            raise forms.ValidationError(refusal)
        return url


def _require_manager(request: HttpRequest) -> None:
    if not user_may_manage_webhooks(request.user):
        raise PermissionDenied(_("Only organizers, data staff and admins manage webhooks."))


@login_required
def webhook_list_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = WebhookForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        webhook = webhook_create(
            actor=request.user,
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            team=form.cleaned_data["team"],
            description=form.cleaned_data["description"],
        )
        messages.success(request, _("Webhook registered. Its signing secret is below."))
        return redirect("organizing:webhook_detail", pk=webhook.pk)
    context = {"form": form, "webhooks": webhook_list(viewer=request.user)}
    return render(
        request, "organizing/webhook_list.html", context, status=400 if form.errors else 200
    )


@login_required
def webhook_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    webhook = get_object_or_404(webhook_list(viewer=request.user), pk=pk)
    deliveries = WebhookDelivery.objects.filter(webhook=webhook)[:DELIVERIES_SHOWN]
    return render(
        request,
        "organizing/webhook_detail.html",
        {"webhook": webhook, "deliveries": deliveries, "shown": DELIVERIES_SHOWN},
    )


@login_required
@require_POST
def webhook_toggle_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    webhook = get_object_or_404(webhook_list(viewer=request.user), pk=pk)
    webhook_set_active(actor=request.user, webhook=webhook, is_active=not webhook.is_active)
    messages.success(request, "Webhook switched " + ("on." if webhook.is_active else "off."))
    return redirect("organizing:webhook_detail", pk=webhook.pk)


@login_required
@require_POST
def webhook_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    webhook = get_object_or_404(webhook_list(viewer=request.user), pk=pk)
    webhook_delete(actor=request.user, webhook=webhook)
    messages.success(request, _("Webhook deleted."))
    return redirect("organizing:webhook_list")


@login_required
@require_POST
def webhook_delivery_replay_view(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    _require_manager(request)
    webhook = get_object_or_404(webhook_list(viewer=request.user), pk=pk)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_pk, webhook=webhook)
    webhook_delivery_replay(actor=request.user, delivery=delivery)
    messages.success(request, _("%(event)s queued to be sent again.") % {"event": delivery.event})
    return redirect("organizing:webhook_detail", pk=webhook.pk)

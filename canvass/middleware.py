"""A day volunteer's session reaches its packet's pages and the field sync, nothing else."""

from __future__ import annotations

from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse

from .guests import user_is_guest
from .models import GuestLink


class GuestScopeMiddleware:
    """For a guest account (``canvass.guests``): while its link is usable, every page but the
    packet's (and the sync endpoint, static files, signing out) sends it back to the packet;
    once the link is revoked or over, the session is signed out. Everyone else passes
    untouched, without a query."""

    ALWAYS = ("/static/", "/accounts/logout/", "/canvass/g/", "/favicon.ico")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user_is_guest(user):
            return self.get_response(request)
        if request.path.startswith(self.ALWAYS):
            return self.get_response(request)
        link = GuestLink.objects.filter(guest=user).order_by("-id").first()
        if link is None or not link.is_usable:
            logout(request)
            return render(request, "canvass/guest_ended.html", status=410)
        packet_home = reverse("canvass:packet", args=[link.packet_id])
        if request.path.startswith(packet_home) or request.path == reverse("api:field-sync"):
            return self.get_response(request)
        return redirect(packet_home)

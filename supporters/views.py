"""Pages about supporters."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import SupporterEmail, SupporterPhone
from .selectors import supporter_list

PAGE_SIZE = 50


@login_required
def supporter_list_view(request: HttpRequest) -> HttpResponse:
    """Everyone the signed-in user may see, by name, a page at a time."""
    supporters = (
        supporter_list(viewer=request.user)
        .select_related("team")
        .prefetch_related(
            Prefetch(
                "emails",
                queryset=SupporterEmail.objects.filter(is_primary=True),
                to_attr="primary_emails",
            ),
            Prefetch(
                "phones",
                queryset=SupporterPhone.objects.filter(is_primary=True),
                to_attr="primary_phones",
            ),
            "do_not_contact",
        )
    )
    page = Paginator(supporters, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supporters/supporter_list.html", {"page": page})

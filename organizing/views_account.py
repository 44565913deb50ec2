"""The signed-in user's own account page: second factor, signed-in devices, sign out everywhere."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import LanguageForm
from .mfa import user_has_mfa
from .roles import user_must_have_mfa
from .services import user_language_set, user_sessions_end


def _account_context(request: HttpRequest, language_form: LanguageForm) -> dict:
    # purge_and_list drops rows whose session has already ended or expired.
    sessions = sorted(
        UserSession.objects.purge_and_list(request.user), key=lambda s: s.last_seen_at, reverse=True
    )
    return {
        "sessions": sessions,
        "current_session_key": request.session.session_key,
        "has_mfa": user_has_mfa(request.user),
        "must_have_mfa": user_must_have_mfa(request.user),
        "language_form": language_form,
    }


@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    context = _account_context(request, LanguageForm(initial={"language": request.user.language}))
    return render(request, "organizing/account.html", context)


@login_required
@require_POST
def language_set_view(request: HttpRequest) -> HttpResponse:
    """Choose the language Earshot speaks to me in. The choice is remembered in the language
    cookie too, so the sign-in page keeps it after signing out."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        context = _account_context(request, form)
        return render(request, "organizing/account.html", context, status=400)
    language = form.cleaned_data["language"]
    user_language_set(actor=request.user, user=request.user, language=language)
    translation.activate(language or translation.get_language_from_request(request))
    messages.success(request, _("Language saved."))
    response = redirect("organizing:account")
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response


@login_required
@require_POST
def usersession_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign one of my devices out (a lost phone). Someone else's session is a 404."""
    session = UserSession.objects.filter(pk=pk, user=request.user).first()
    if session is None:
        raise Http404(_("No such device."))
    is_current = session.session_key == request.session.session_key
    user_sessions_end(actor=request.user, user=request.user, session_ids=[pk], request=request)
    if is_current:
        logout(request)
        return redirect("account_login")
    messages.success(request, _("That device is signed out."))
    return redirect("organizing:account")


@login_required
@require_POST
def sessions_end_all_view(request: HttpRequest) -> HttpResponse:
    """Sign out of every device, this one included."""
    user = request.user
    user_sessions_end(actor=user, user=user, request=request)
    logout(request)
    get_adapter(request).add_message(
        request, messages.SUCCESS, message=_("You are signed out on every device.")
    )
    return redirect("account_login")

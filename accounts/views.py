from functools import partial

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from audit.context import AuditContext
from audit.inputs import local_path

from .access import role_required
from .forms import AcceptInvitationForm
from .models import Invitation
from .roles import Role
from .services import (
    InvitationError,
    invitation_accept,
    invitation_from_token,
    invitation_resend,
    invitation_revoke,
)


def _site_url(request: HttpRequest) -> str:
    """The site's own address, for links in emails (the services never see the request)."""
    return request.build_absolute_uri("/")


@require_safe
@role_required(Role.PROGRAM_ADMIN)
def invitation_list(request: HttpRequest) -> HttpResponse:
    """The invitations sent, to send again or withdraw. Inviting is one flow with setting up
    the staff profile, on the onboarding form (programs.views.staff_invite)."""
    invitations = Invitation.objects.select_related("invited_by", "user")
    # ?status=pending: the invitations the admin's home counts as waiting for an answer.
    pending_only = request.GET.get("status") == "pending"
    if pending_only:
        invitations = invitations.pending()
    page = Paginator(invitations, 50).get_page(request.GET.get("page"))
    context = {"page": page, "pending_only": pending_only, "max_age_days": settings.INVITATION_MAX_AGE_DAYS}
    return render(request, "accounts/invitation_list.html", context)


def _invitation_action(request: HttpRequest, pk: int, action, success: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        action(invitation=invitation, ctx=AuditContext.from_request(request))
    except InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success.format(email=invitation.email))
    # Back to the page the button was on (the invitations or the workforce list).
    back = local_path(request.POST.get("next"), host=request.get_host(), https=request.is_secure())
    return redirect(back or "accounts:invitation_list")


@require_POST
@role_required(Role.PROGRAM_ADMIN)
def invitation_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _invitation_action(
        request,
        pk,
        partial(invitation_resend, base_url=_site_url(request)),
        "Invitation sent again to {email}. Earlier links no longer work.",
    )


@require_POST
@role_required(Role.PROGRAM_ADMIN)
def invitation_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _invitation_action(
        request, pk, invitation_revoke, "Invitation for {email} withdrawn; its link no longer works."
    )


def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitation_from_token(token)
    except InvitationError as error:
        return render(request, "accounts/invitation_invalid.html", {"reason": str(error)}, status=404)
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password1"]
        try:
            invitation_accept(invitation=invitation, password=password, ctx=AuditContext.from_request(request))
        except InvitationError as error:
            return render(request, "accounts/invitation_invalid.html", {"reason": str(error)}, status=409)
        messages.success(request, "Your account is ready. Sign in with your email and new password.")
        return redirect("account_login")
    status = 400 if form.errors else 200
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}, status=status)


class SignOutView(allauth_views.LogoutView):
    """allauth's sign-out, which also tells the browser to drop what it kept for this user:
    pages the service worker cached and notes kept in IndexedDB (static/js/offline.js clears
    them first, and warns about unsent ones; this covers a browser where that script did not run).
    https://www.w3.org/TR/clear-site-data/"""

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response

import time

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse


class RequireMFAMiddleware:
    """With MFA_REQUIRED on, a signed-in user without an authenticator app is sent to set
    one up before any other page. Sign-in, sign-out and the set-up pages stay reachable."""

    ALWAYS_ALLOWED_PREFIXES = ("/accounts/", "/health/", "/static/", "/invitations/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.MFA_REQUIRED
            and request.user.is_authenticated
            and not request.path.startswith(self.ALWAYS_ALLOWED_PREFIXES)
            and not is_mfa_enabled(request.user, types=["totp"])
        ):
            messages.info(
                request, "Your agency requires two-factor authentication. Set up an authenticator app to continue."
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


SIGNED_IN_AT = "accounts_signed_in_at"


class SessionLifetimeMiddleware:
    """End a session SESSION_MAX_AGE_HOURS after sign-in, however active it is.

    The idle timeout alone never ends a session that keeps making requests, and a note
    page's autosave makes one every few seconds. The sign-in time is written into the
    session at sign-in (accounts.receivers). The session's own expiry is also kept within
    the deadline, so the row is swept on time even if no request comes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._enforce(request)
        return self.get_response(request)

    def _enforce(self, request) -> None:
        now = time.time()
        signed_in_at = request.session.get(SIGNED_IN_AT)
        if signed_in_at is None:
            # Signed in before this rule existed: its lifetime starts now.
            request.session[SIGNED_IN_AT] = signed_in_at = now
        left = settings.SESSION_MAX_AGE_HOURS * 3600 - (now - signed_in_at)
        if left <= 0:
            # Signed out here, the view answers as to anyone signed out: the sign-in page,
            # or for htmx and autosave requests whatever it does when a session has ended.
            logout(request)
            messages.info(request, "You have been signed in for the longest time allowed. Sign in again to continue.")
        elif left < settings.SESSION_COOKIE_AGE:
            request.session.set_expiry(int(left))

import datetime
import time

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import get_user
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
        # The first to read the user: from here on views and templates get the user itself,
        # not Django's lazy stand-in, whose every attribute read raised and caught an
        # exception or two (a list comparing each row with `user` paid it hundreds of times,
        # issue 16). A database that is down still fails here, as it did.
        request.user = get_user(request)
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
            # An absolute deadline, set once: an age in seconds would differ on every
            # request and so write the session row on every request of its last half hour.
            deadline = datetime.datetime.fromtimestamp(
                signed_in_at + settings.SESSION_MAX_AGE_HOURS * 3600, tz=datetime.UTC
            )
            if request.session.get("_session_expiry") != deadline.isoformat():
                request.session.set_expiry(deadline)


SAVED_AT = "accounts_session_saved_at"
SESSION_REFRESH_SECONDS = 60


class SessionRefreshMiddleware:
    """Slide the idle expiry at most once a minute instead of saving the session on every
    request (issue 16): a note page's autosave would otherwise UPDATE the session row every
    few seconds. An idle session therefore ends between SESSION_IDLE_TIMEOUT_MINUTES and
    one minute less after its last request. Listed after SessionMiddleware, so this runs
    before the session is saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = request.session
        # No cookie and nothing stored: an anonymous visit, which must not create a session.
        if session.is_empty():
            return response
        now = time.time()
        if session.modified or now - session.get(SAVED_AT, 0) >= SESSION_REFRESH_SECONDS:
            session[SAVED_AT] = now
        return response

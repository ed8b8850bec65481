from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
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

import logging

from allauth.mfa.base import forms as mfa_forms
from django import forms
from django.contrib.auth import password_validation

from .mfa_secrets import UnreadableSecret
from .models import Invitation, User

logger = logging.getLogger(__name__)

# A long passphrase fits; past this, hashing what was posted would only cost the server time.
PASSWORD_MAX = 1024


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords are different. Type the same password twice.")
        elif password1:
            # Judge the password against the person it is for (no name or email in it).
            would_be = User(
                email=self.invitation.email,
                first_name=self.invitation.first_name,
                last_name=self.invitation.last_name,
            )
            try:
                password_validation.validate_password(password1, user=would_be)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


UNREADABLE_AUTHENTICATOR = (
    "This authenticator cannot be read with the server's current keys; "
    "ask a program admin to reset your two-factor setup."
)


# A TOTP code has 6 digits and a recovery code 8; allauth's field has no limit at all.
MFA_CODE_MAX = 32


class _ReadableAuthenticatorForm(mfa_forms.BaseAuthenticateForm):
    """allauth's code forms call the MFA adapter's decrypt() inside clean_code(), and let
    anything but a ValidationError through: a secret encrypted with a key since removed from
    MFA_ENCRYPTION_KEYS would answer 500. Say what happened instead, and log it for the
    admins with ids only (no address, no value)."""

    code = forms.CharField(
        label="Code",
        max_length=MFA_CODE_MAX,
        help_text="The 6 digits your authenticator app shows, or one of your 8-digit recovery codes.",
        # A phone opens its number pad, and may offer the code from a text or its password manager.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self) -> str:
        try:
            return super().clean_code()
        except UnreadableSecret as exc:
            logger.error("MFA sign-in refused for user id %s: %s", self.user.pk, exc)
            raise forms.ValidationError(UNREADABLE_AUTHENTICATOR, code="unreadable_authenticator") from None


class MFAAuthenticateForm(_ReadableAuthenticatorForm, mfa_forms.AuthenticateForm):
    pass


class MFAReauthenticateForm(_ReadableAuthenticatorForm, mfa_forms.ReauthenticateForm):
    pass

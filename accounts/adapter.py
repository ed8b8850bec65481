from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter

from audit.context import AuditContext

from .mfa_secrets import decrypt_secret, encrypt_secret
from .services import failed_sign_in_note, user_sessions_end


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # No public sign-up: program admins invite staff (accounts.services.invitation_create).
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth keys the failed sign-in limit ("/key" in ACCOUNT_RATE_LIMITS["login_failed"])
        # by the typed address alone; adding the client's address makes it per account and
        # address together, so someone guessing at an account from elsewhere cannot lock its
        # owner out, and one office's shared address does not lock out all its staff (issue
        # 15). allauth also clears this key after a password reset. Private in allauth
        # 65.21; accounts/tests/test_sign_in_limits.py pins the behaviour.
        account_key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account_key}:{self.get_client_ip(request)}"

    def authentication_failed(self, request, **credentials) -> None:
        typed = credentials.get("email") or credentials.get("username") or ""
        failed_sign_in_note(email=typed, ip_address=self.get_client_ip(request))

    def set_password(self, user, password) -> None:
        # allauth sets every new password through here: change, set and reset alike.
        super().set_password(user, password)
        request = context.request
        ctx = AuditContext.from_request(request, actor=user) if request is not None else AuditContext(actor=user)
        user_sessions_end(user=user, ctx=ctx)


class MFAAdapter(DefaultMFAAdapter):
    # allauth passes the TOTP secret and the recovery-code seed through these hooks before
    # storing them in mfa.Authenticator.data ("Secrets such as the TOTP key are stored in the
    # database. This hook can be used to encrypt those", allauth.mfa.adapter). A value the
    # keys cannot read raises accounts.mfa_secrets.UnreadableSecret; the sign-in forms
    # (accounts.forms) turn that into an error the person can act on.
    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)

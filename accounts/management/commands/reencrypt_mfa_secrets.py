"""`manage.py reencrypt_mfa_secrets`: rewrite every TOTP secret and recovery-code seed with the
first key of MFA_ENCRYPTION_KEYS, so that the keys after it can be removed (key rotation)."""

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError

from accounts.mfa_secrets import UnreadableSecret, reencrypt_secret, rewrite_authenticator_secrets


class Command(BaseCommand):
    help = "Re-encrypt every stored MFA secret with the first key of MFA_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        try:
            changed = rewrite_authenticator_secrets(Authenticator, reencrypt_secret)
        except UnreadableSecret as error:
            # Rows before this one are rewritten (one transaction each) and stay readable.
            raise CommandError(f"{error} Keep the key it was encrypted with in the list and run this again.") from None
        self.stdout.write(self.style.SUCCESS(f"{changed} authenticators re-encrypted with the first key."))

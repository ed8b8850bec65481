"""TOTP secrets and recovery-code seeds, encrypted at rest (issue 15).

allauth keeps them in `mfa.Authenticator.data` and passes each through its MFA adapter's
`encrypt()` / `decrypt()` hooks (accounts.adapter.MFAAdapter calls these functions). Whoever
reads the database (a backup, a replica, a leaked dump) could otherwise mint codes for every
account. Fernet is authenticated encryption, so a changed value is refused, not misread.

`MFA_ENCRYPTION_KEYS` is a list (cryptography's MultiFernet): the first key encrypts, every key
decrypts, so a new key goes first, `manage.py reencrypt_mfa_secrets` rewrites every value with
it, and only then is the old key removed.

Every stored value starts with PREFIX. A value without it is refused rather than taken as
plain text: once migration 0005 has run every value is encrypted, so one that is not was
written around the app (or the migration was skipped) and must not silently be trusted.
"""

from collections.abc import Callable, Sequence
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction

PREFIX = "fernet:"

# allauth 65.21's secret values, by authenticator type (allauth/mfa/totp/internal/auth.py and
# allauth/mfa/recovery_codes/internal/auth.py). WebAuthn keeps only public keys.
SECRET_KEYS = {"totp": ("secret",), "recovery_codes": ("seed",)}
# Codes carried over from another MFA package, a list of separately encrypted values.
SECRET_LISTS = {"recovery_codes": ("migrated_codes",)}


class UnreadableSecret(ValueError):
    """A stored secret the current keys cannot read. The message never contains the value."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise UnreadableSecret("MFA_ENCRYPTION_KEYS is empty: there is no key to encrypt or decrypt with.")
    return MultiFernet([Fernet(key) for key in keys])


def _keys(keys: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(settings.MFA_ENCRYPTION_KEYS if keys is None else keys)


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def encrypt_secret(text: str, keys: Sequence[str] | None = None) -> str:
    token = _fernet(_keys(keys)).encrypt(text.encode())
    return PREFIX + token.decode("ascii")


def decrypt_secret(value: str, keys: Sequence[str] | None = None) -> str:
    if not is_encrypted(value):
        raise UnreadableSecret("The stored MFA secret is not encrypted (has migration accounts 0005 run?).")
    try:
        return _fernet(_keys(keys)).decrypt(value.removeprefix(PREFIX).encode("ascii")).decode()
    except InvalidToken:
        raise UnreadableSecret("No key in MFA_ENCRYPTION_KEYS decrypts the stored MFA secret.") from None


def reencrypt_secret(value: str, keys: Sequence[str] | None = None) -> str:
    """The same secret encrypted with the first key (for removing an older key afterwards)."""
    return encrypt_secret(decrypt_secret(value, keys), keys)


def encrypt_if_plain(value: str) -> str:
    return value if is_encrypted(value) else encrypt_secret(value)


def decrypt_if_encrypted(value: str) -> str:
    return decrypt_secret(value) if is_encrypted(value) else value


def rewrite_authenticator_secrets(authenticator_model, change: Callable[[str], str]) -> int:
    """Apply `change` to every secret value of every TOTP and recovery-codes authenticator;
    return how many rows changed. Takes the model so that a migration can pass its historical
    one. Each row is locked while rewritten: a recovery code used meanwhile saves `used_mask`
    in the same JSON, and an unlocked write would bring the used code back."""
    changed = 0
    pks = authenticator_model.objects.filter(type__in=list(SECRET_KEYS)).order_by("pk").values_list("pk", flat=True)
    for pk in list(pks):
        with transaction.atomic():
            row = authenticator_model.objects.select_for_update().get(pk=pk)
            try:
                data = _changed_data(row.type, row.data, change)
            except UnreadableSecret as exc:
                raise UnreadableSecret(f"Authenticator {pk} (user id {row.user_id}): {exc}") from None
            if data != row.data:
                row.data = data
                row.save(update_fields=["data"])
                changed += 1
    return changed


def _changed_data(kind: str, data: dict, change: Callable[[str], str]) -> dict:
    data = dict(data)
    for key in SECRET_KEYS.get(kind, ()):
        if isinstance(data.get(key), str):
            data[key] = change(data[key])
    for key in SECRET_LISTS.get(kind, ()):
        if isinstance(data.get(key), list):
            data[key] = [change(value) for value in data[key]]
    return data

"""TOTP secrets and recovery-code seeds, encrypted at rest (issue 15).

allauth keeps them in `mfa.Authenticator.data` and passes each through its MFA adapter's
`encrypt()` / `decrypt()` hooks (accounts.adapter.MFAAdapter calls these functions). Whoever
reads the database (a backup, a replica, a leaked dump) could otherwise mint codes for every
account. Fernet is authenticated encryption, so a changed value is refused, not misread.

`MFA_ENCRYPTION_KEYS` is a list (cryptography's MultiFernet): the first key encrypts, every key
decrypts, so a new key goes first and the old one stays after it.

Every stored value starts with PREFIX. A value without it is refused rather than taken as
plain text: one that is not encrypted was written around the app and must not silently be
trusted.
"""

from collections.abc import Sequence
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "fernet:"


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

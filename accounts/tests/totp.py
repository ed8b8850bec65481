"""RFC 6238 TOTP, written out here so the tests check allauth against the standard
rather than against itself."""

import base64
import hashlib
import hmac
import time

from django.urls import reverse


def totp_code(secret: str, at: float | None = None, period: int = 30, digits: int = 6) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF) % 10**digits
    return f"{value:0{digits}d}"


def wait_out_period_edge(period: int = 30, margin: float = 2.0) -> None:
    """Don't compute a code in the last moments of its period: the server would see the next one."""
    left = period - (time.time() % period)
    if left < margin:
        time.sleep(left + 0.1)


def activate_totp_through_pages(client, user, password: str) -> str:
    """Sign `user` in and turn on an authenticator app through allauth's own pages, as a person
    would; return the secret the set-up page showed."""
    client.post("/accounts/login/", {"login": user.email, "password": password})
    client.post(reverse("account_reauthenticate"), {"password": password})
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    wait_out_period_edge()
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content
    return secret

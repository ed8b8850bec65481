"""Migration accounts 0005 encrypts the secrets stored in plain text before issue 15, and its
reverse decrypts them.

Django's MigrationExecutor really unapplies and reapplies it: only 0005 itself is unapplied
(nothing depends on it yet), and as a RunPython it changes no schema, so this runs inside the
test's transaction on PostgreSQL. Running the forward function twice calls it directly with
the live app registry, which is what a second `migrate` would hand it."""

import importlib

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from accounts.mfa_secrets import PREFIX, decrypt_secret
from accounts.tests.totp import totp_code, wait_out_period_edge

BEFORE = ("accounts", "0004_sign_in_sessions")
ENCRYPT = ("accounts", "0005_encrypt_mfa_secrets")
migration = importlib.import_module("accounts.migrations.0005_encrypt_mfa_secrets")


def migrate_to(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def insert_plain_authenticators(peer) -> dict:
    """Rows as allauth wrote them before the adapter encrypted anything."""
    secret = generate_totp_secret()
    totp = Authenticator.objects.create(user=peer, type="totp", data={"secret": secret})
    codes = Authenticator.objects.create(
        user=peer,
        type="recovery_codes",
        data={"seed": "ab" * 40, "used_mask": 0, "migrated_codes": ["12345678", "87654321"]},
    )
    return {"secret": secret, "totp": totp, "codes": codes}


@pytest.fixture
def plain_authenticators(peer):
    return insert_plain_authenticators(peer)


def secret_values(*rows) -> list[str]:
    values = []
    for row in rows:
        row.refresh_from_db()
        values += [row.data[k] for k in ("secret", "seed") if k in row.data]
        values += row.data.get("migrated_codes", [])
    return values


@pytest.mark.django_db
def test_migrating_encrypts_plain_secrets_and_they_still_sign_in(client, peer, password):
    migrate_to(BEFORE)
    rows = insert_plain_authenticators(peer)
    migrate_to(ENCRYPT)

    values = secret_values(rows["totp"], rows["codes"])
    assert len(values) == 4 and all(v.startswith(PREFIX) for v in values)
    assert decrypt_secret(rows["totp"].data["secret"]) == rows["secret"]
    assert rows["codes"].data["used_mask"] == 0

    wait_out_period_edge()
    client.post("/accounts/login/", {"login": peer.email, "password": password})
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code(rows["secret"])}).status_code == 302
    client.logout()
    client.post("/accounts/login/", {"login": peer.email, "password": password})
    assert client.post(reverse("mfa_authenticate"), {"code": "87654321"}).status_code == 302


@pytest.mark.django_db
def test_migrating_back_decrypts_them(plain_authenticators):
    migration.encrypt_plain_secrets(apps, None)
    migrate_to(BEFORE)
    assert secret_values(plain_authenticators["totp"], plain_authenticators["codes"]) == [
        plain_authenticators["secret"],
        "ab" * 40,
        "12345678",
        "87654321",
    ]
    migrate_to(ENCRYPT)


@pytest.mark.django_db
def test_running_either_direction_twice_changes_nothing_the_second_time(plain_authenticators):
    rows = plain_authenticators["totp"], plain_authenticators["codes"]
    migration.encrypt_plain_secrets(apps, None)
    once = secret_values(*rows)
    migration.encrypt_plain_secrets(apps, None)
    assert secret_values(*rows) == once  # not encrypted again

    migration.decrypt_secrets(apps, None)
    plain = secret_values(*rows)
    migration.decrypt_secrets(apps, None)
    assert secret_values(*rows) == plain == [plain_authenticators["secret"], "ab" * 40, "12345678", "87654321"]

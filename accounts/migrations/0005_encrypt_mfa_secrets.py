"""Encrypt the TOTP secrets and recovery-code seeds stored in plain text before
accounts.adapter.MFAAdapter encrypted them (issue 15); the reverse decrypts them again.

Both directions skip values already in the state they produce (the "fernet:" prefix says
which), so either can be run twice. The encryption is imported from the live code on purpose:
what this writes must be exactly what the adapter reads. Runs on SQLite and PostgreSQL alike
(JSON in Python, no SQL of its own)."""

from django.db import migrations

from accounts.mfa_secrets import decrypt_if_encrypted, encrypt_if_plain, rewrite_authenticator_secrets


def encrypt_plain_secrets(apps, schema_editor):
    rewrite_authenticator_secrets(apps.get_model("mfa", "Authenticator"), encrypt_if_plain)


def decrypt_secrets(apps, schema_editor):
    rewrite_authenticator_secrets(apps.get_model("mfa", "Authenticator"), decrypt_if_encrypted)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_sign_in_sessions"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_plain_secrets, decrypt_secrets)]

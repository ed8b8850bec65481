"""The triggers that move a specialist's caseload version (participants.versions) when a
session note's status, date, participant or author changes, or a note is added or removed:
the last contact the team pages keep is read from them."""

from django.db import migrations

from participants.versions import triggers_operation

TABLES = {"participants_sessionnote": "note"}


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0007_billing_closed_mark"),
        ("participants", "0009_caseload_version"),
    ]

    operations = [triggers_operation(TABLES)]

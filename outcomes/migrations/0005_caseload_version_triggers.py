"""The triggers that move a specialist's caseload version (participants.versions) when a
check-in is recorded, amended, moved or removed: the check-ins due the team pages keep are
read from them."""

from django.db import migrations

from participants.versions import triggers_operation

TABLES = {"outcomes_checkin": "enrollment"}


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0004_figures_version"),
        ("participants", "0009_caseload_version"),
    ]

    operations = [triggers_operation(TABLES)]

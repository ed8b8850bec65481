"""CaseloadVersion and the PostgreSQL triggers that keep it (participants.versions) on this
app's tables; notes 0008 and outcomes 0005 add those of session notes and check-ins. SQLite
(`make run`) has no such triggers: the team pages compute their figures there."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from participants.versions import triggers_operation

TABLES = {
    "participants_participant": "itself",  # names: the team participants page sorts by them
    "participants_enrollment": "participant",
    "participants_coverage": "participant",
    "participants_consent": "participant",
    "participants_recoveryplan": "participant",
    "participants_caseloadassignment": "assignment",
}


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0008_input_limits"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseloadVersion",
            fields=[
                (
                    "specialist",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        triggers_operation(TABLES),
    ]

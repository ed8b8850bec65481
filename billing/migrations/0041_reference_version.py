"""ReferenceVersion and the PostgreSQL triggers that move it on every write to the reference
data an assessment reads (billing/reference_kept.py). SQLite (`make run`) has no triggers and
no row: the reference data is read on every assessment there."""

from django.db import migrations, models

from billing.reference_kept import install_triggers, remove_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0040_authorization_newest_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReferenceVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(
            lambda apps, schema_editor: install_triggers(schema_editor),
            lambda apps, schema_editor: remove_triggers(schema_editor),
        ),
    ]

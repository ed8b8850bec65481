"""FiguresVersion and the PostgreSQL triggers that keep it (outcomes.versions): one statement-level
trigger per table and operation, each adding one to the version of every program whose check-ins,
assessments or enrollments the statement wrote, once per statement whatever its number of rows (a
bulk load stays one statement). SQLite (`make run`) has no such triggers: outcomes.kept reads the
program's aggregate there."""

import django.db.models.deletion
from django.db import migrations, models

# Rows that name their enrollment (check-ins, assessments), or their program (enrollments).
BUMP = """
INSERT INTO outcomes_figuresversion AS v (program_id, version)
SELECT DISTINCT {program}, 1 FROM {rows} r {join} ORDER BY 1
ON CONFLICT (program_id) DO UPDATE SET version = v.version + 1;
"""
VIA_ENROLLMENT = {"program": "e.program_id", "join": "JOIN participants_enrollment e ON e.id = r.enrollment_id"}
DIRECT = {"program": "r.program_id", "join": ""}

FUNCTION = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN {new} END IF;
  IF TG_OP <> 'INSERT' THEN {old} END IF;
  RETURN NULL;
END $$;
"""
FUNCTIONS = {
    "outcomes_figures_via_enrollment": VIA_ENROLLMENT,
    "outcomes_figures_of_program": DIRECT,
}
TABLES = {
    "outcomes_checkin": "outcomes_figures_via_enrollment",
    "outcomes_assessment": "outcomes_figures_via_enrollment",
    "participants_enrollment": "outcomes_figures_of_program",
}
TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def _trigger(table: str, operation: str) -> str:
    return f"{table}_figures_{operation.lower()}"


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, parts in FUNCTIONS.items():
        schema_editor.execute(
            FUNCTION.format(
                name=name, new=BUMP.format(rows="new_rows", **parts), old=BUMP.format(rows="old_rows", **parts)
            )
        )
    for table, function in TABLES.items():
        for operation, transition in TRANSITIONS.items():
            schema_editor.execute(
                f"CREATE TRIGGER {_trigger(table, operation)} AFTER {operation} ON {table} "
                f"{transition} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        for operation in TRANSITIONS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger(table, operation)} ON {table}")
    for name in FUNCTIONS:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0003_input_limits"),
        ("participants", "0008_input_limits"),
        ("programs", "0010_merge_20261124_1150"),
    ]

    operations = [
        migrations.CreateModel(
            name="FiguresVersion",
            fields=[
                (
                    "program",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="programs.program",
                    ),
                ),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(install, remove),
    ]

"""The version of a specialist's caseload figures, kept by the database (issue 16).

The supervisor's team pages (the home's counts, team caseloads, team participants) read
figures over the team's caseloads: each participant's last contact, plan review, coverage,
consents and check-ins due, some 500 participants for a team, 35 ms on every view. They are
kept (peersupport.team_figures), keyed by the versions of the team's specialists: PostgreSQL
triggers (the migrations named in `TRIGGERS`) add one to the version of every specialist the
participants a statement writes were ever assigned to, once per statement whatever its number
of rows, by any path (the app, the admin, a queryset update, a bulk load, a delete). A session
note counts only when its status, date, participant or author changes: an autosave of a
draft's text leaves the figures as they are. SQLite (`make run`) has no triggers: the pages
compute their figures there."""

from django.conf import settings
from django.db import migrations, models


class CaseloadVersion(models.Model):
    specialist = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Caseload figures of {self.specialist_id}, version {self.version}"


# One ordered INSERT a statement (every row lock taken in specialist order, so two statements
# never wait on each other's versions the other way round): the specialists of the rows'
# participants (every assignment they ever had: one moved since the statement's snapshot is
# counted on both caseloads), or the rows' own specialists (assignments).
_BUMP = """
INSERT INTO participants_caseloadversion AS v (specialist_id, version)
SELECT DISTINCT {specialist}, 1 FROM ({rows}) r {join} ORDER BY 1
ON CONFLICT (specialist_id) DO UPDATE SET version = v.version + 1;
"""
_ASSIGNED = "JOIN participants_caseloadassignment a ON a.participant_id = "
# Per kind of row: the column read from it, the joins to its participant's assignments and
# the specialist bumped.
KINDS = {
    "participant": ("participant_id", _ASSIGNED + "r.key", "a.specialist_id"),
    "itself": ("id", _ASSIGNED + "r.key", "a.specialist_id"),
    "enrollment": (
        "enrollment_id",
        "JOIN participants_enrollment e ON e.id = r.key " + _ASSIGNED + "e.participant_id",
        "a.specialist_id",
    ),
    "assignment": ("specialist_id", "", "r.key"),
}
# A note's update counts when what the figures read of it changed: the rows whose status,
# date, participant or author differ between the old and new versions, by set difference
# (hashed, as cheap as the update itself on a bulk update of 20,000 notes' billing mark).
_NOTE_CHANGED = """
SELECT participant_id AS key FROM (SELECT id, status, date, participant_id, author_id FROM old_rows
  EXCEPT ALL SELECT id, status, date, participant_id, author_id FROM new_rows) o
UNION ALL
SELECT participant_id FROM (SELECT id, status, date, participant_id, author_id FROM new_rows
  EXCEPT ALL SELECT id, status, date, participant_id, author_id FROM old_rows) n
"""
_ROWS = "SELECT {column} AS key FROM {rows}"
_BOTH = "SELECT {column} AS key FROM new_rows UNION ALL SELECT {column} FROM old_rows"
_FUNCTION = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN {new}
  ELSIF TG_OP = 'DELETE' THEN {old}
  ELSE {changed}
  END IF;
  RETURN NULL;
END $$;
"""
_TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def _function_sql(name: str, kind: str) -> str:
    column, join, specialist = KINDS["participant" if kind == "note" else kind]

    def bump(rows: str) -> str:
        return _BUMP.format(specialist=specialist, rows=rows, join=join)

    new, old = (bump(_ROWS.format(column=column, rows=rows)) for rows in ("new_rows", "old_rows"))
    changed = bump(_NOTE_CHANGED if kind == "note" else _BOTH.format(column=column))
    return _FUNCTION.format(name=name, new=new, old=old, changed=changed)


def install_triggers(schema_editor, tables: dict[str, str]) -> None:
    """For a migration: statement-level triggers on each table (-> the kind of its rows:
    "participant", "itself", "enrollment", "assignment" or "note") that bump the versions."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, kind in tables.items():
        function = f"caseload_version_{table}"
        schema_editor.execute(_function_sql(function, kind))
        for operation, transition in _TRANSITIONS.items():
            schema_editor.execute(
                f"CREATE TRIGGER {table}_caseload_{operation.lower()} AFTER {operation} ON {table} "
                f"{transition} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )


def remove_triggers(schema_editor, tables: dict[str, str]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in tables:
        for operation in _TRANSITIONS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_caseload_{operation.lower()} ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS caseload_version_{table}()")


def triggers_operation(tables: dict[str, str]) -> migrations.RunPython:
    """A migration's operation installing the triggers on `tables` (reversed: removing them)."""
    return migrations.RunPython(
        lambda apps, schema_editor: install_triggers(schema_editor, tables),
        lambda apps, schema_editor: remove_triggers(schema_editor, tables),
    )

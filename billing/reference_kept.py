"""Billing's reference data, kept per process behind a version the database moves (issue 16).

Every assessment of notes (the work page's window, billing's home, the primary-payer page's
one note, the batch build) reads what the notes bill under: the active service codes with
their combined caps and rates, and the funding sources. They change a few times a year, in the
Django admin, and reading and building them was three queries of every assessment.

They are kept here by database alias and `ReferenceVersion`: PostgreSQL triggers (migration
billing 0041) set its one row to the next value of a sequence after every statement that
writes one of `TABLES`, by any path (the admin, a queryset update, a delete, a truncate).
A call reads the version (one small query) and reads the data again only when it moved.

- A write seen only by its own transaction moves the version that transaction sees, and
  a rolled-back one leaves the old version, whose data it never changed; a sequence never
  gives a number twice, so no version names two states of the data (migrating back leaves
  the sequence in place, so that migrating forward again goes on from its last number).
- The version is read before the data: data kept under a version is at least as new as it.
- No row (SQLite, which has no triggers; a database emptied by a truncate of every table) or
  another database: read every time, as before.
- A bulk load with triggers off (`session_replication_role = replica`) must move the version
  itself (`UPDATE billing_referenceversion SET version = nextval('billing_reference_version')`).

What is kept is shared by the requests of a process: callers read it and never change it
(the dicts handed out are copies; the model instances are read only)."""

from collections.abc import Callable
from typing import TypeVar

from django.db import connections, router

from audit.prepared import Prepared

from .models import ReferenceVersion

T = TypeVar("T")

# What an assessment's reference data is read from (programs: the funding sources' order).
TABLES = (
    "billing_servicecode", "billing_rate", "billing_combineddailycap", "billing_fundingsource", "programs_program",
)  # fmt: skip
SEQUENCE = "billing_reference_version"

_BUMP = (
    f"INSERT INTO billing_referenceversion (id, version) VALUES (1, nextval('{SEQUENCE}')) "  # noqa: S608 (constants)
    "ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version"
)
_FUNCTION = f"""
CREATE OR REPLACE FUNCTION billing_reference_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {_BUMP};
  RETURN NULL;
END $$;
"""


def install_triggers(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
    schema_editor.execute(_FUNCTION)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_reference_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION billing_reference_bump()"
        )
    schema_editor.execute(_BUMP)


def remove_triggers(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_reference_version ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS billing_reference_bump()")
    # The sequence stays: made again, it would give again the numbers a running process may
    # keep other data under (migrating back and forth, as billing's migration tests do).


_version = Prepared(lambda: ReferenceVersion.objects.filter(pk=1).values_list("version", flat=True))
# Per database alias: (version, what `read` returned at it).
_kept: dict[str, tuple[int, object]] = {}


def kept(read: Callable[[], T]) -> T:
    """What `read()` returns, read again only when the reference data's version has moved.
    One `read` only: it is what the assessment reads (billability_load.reference)."""
    using = router.db_for_read(ReferenceVersion)
    if connections[using].vendor != "postgresql":
        return read()
    rows = _version(using=using)
    if not rows:
        return read()
    held = _kept.get(using)
    if held is None or held[0] != rows[0]:
        held = _kept[using] = (rows[0], read())
    return held[1]

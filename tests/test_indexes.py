"""Indexes that match the queries (issue 16): none of ours is the leading part of another.

An index on (participant) beside one on (participant, date) serves no query the longer one
does not, and costs one more entry on every insert and on every update that moves the row
(a note's billing mark, a batch's claims marked sent): on a payer-month's build, two of the
notes' eleven indexes were such copies. A foreign key that leads a composite index takes
db_index=False; the models say which index serves it."""

import pytest
from django.apps import apps
from django.db import connection

from .test_code_shape import APPS

# Every plain index (not unique, not partial, default operator class) of a table, with the
# columns of every other full index of it: a plain index whose columns begin another's.
_INDEXES = """
SELECT i.relname, ix.indisunique, ix.indpred IS NOT NULL, pg_get_indexdef(ix.indexrelid) LIKE '%%_pattern_ops%%',
       array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum ORDER BY k.n)
FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
WHERE ix.indrelid = %s::regclass AND i.relam = (SELECT oid FROM pg_am WHERE amname = 'btree')
"""


def _tables() -> list[str]:
    """Our models' tables (Django's own many-to-many tables are left as Django makes them)."""
    return sorted({m._meta.db_table for m in apps.get_models() if m._meta.app_label in APPS})


def redundant(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(_INDEXES, [table])
        indexes = cursor.fetchall()
    full = [columns for _, _, partial, pattern, columns in indexes if not partial and not pattern]
    return [
        f"{name} {columns}"
        for name, unique, partial, pattern, columns in indexes
        if not (unique or partial or pattern)
        and any(len(other) > len(columns) and other[: len(columns)] == columns for other in full)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("table", _tables())
def test_no_index_is_the_leading_part_of_another(table):
    assert redundant(table) == []


@pytest.mark.django_db
def test_the_check_sees_an_index_another_begins_with():
    """The check itself: an index on the notes' participant alone, beside (participant, date)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX redundant_for_the_test ON participants_sessionnote (participant_id)")
    assert redundant("participants_sessionnote") == ["redundant_for_the_test ['participant_id']"]

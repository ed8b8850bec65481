"""Moving session notes into their own app moved code, not rows: a database holding the
demo data under the old schema comes out of the migrations with every note, event, addendum
and group where it was, and their content types renamed, not replaced."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from billing.tests.factories import ensure_reference_codes

# The schema as it stood before the move: notes in participants, the payers seeded by billing.
BEFORE = [("participants", "0002_session_notes"), ("billing", "0002_reference_data"), ("notes", None)]
TABLES = ["participants_sessionnote", "participants_noteevent", "participants_addendum", "participants_groupsession"]


def _ids(table: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} ORDER BY id")  # noqa: S608 (a fixed table name)
        return [row[0] for row in cursor.fetchall()]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_every_note_event_addendum_and_group():
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    from accounts.roles import Role

    # A transactional test before this one may have flushed what the data migrations made.
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    # ... and the content types, which a flush leaves behind only when it runs post_migrate.
    from notes.models import Addendum, GroupSession, NoteEvent, SessionNote

    ContentType.objects.get_for_models(SessionNote, NoteEvent, Addendum, GroupSession)
    ensure_reference_codes()
    # Today's seed writes today's schema, which later migrations (billing's claim fields, the
    # payers' routing) have grown past the old one; so the demo is seeded first and the database
    # taken back to the old schema. Every migration since is reversible, and the move's own
    # migrations only relabel the tables, so the rows stay where they are.
    call_command("seed_demo", verbosity=0)
    _migrate(BEFORE)
    before = {table: _ids(table) for table in TABLES}
    old_type = ContentType.objects.get(app_label="participants", model="sessionnote").pk
    assert all(before[table] for table in TABLES), before
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM participants_sessionnote_goals_addressed")
        goal_links = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM billing_claimline")
        claim_lines = cursor.fetchone()[0]

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from billing.models import ClaimLine
    from notes.models import Addendum, GroupSession, NoteEvent, SessionNote

    assert list(SessionNote.objects.order_by("pk").values_list("pk", flat=True)) == before[TABLES[0]]
    assert list(NoteEvent.objects.order_by("pk").values_list("pk", flat=True)) == before[TABLES[1]]
    assert list(Addendum.objects.order_by("pk").values_list("pk", flat=True)) == before[TABLES[2]]
    assert list(GroupSession.objects.order_by("pk").values_list("pk", flat=True)) == before[TABLES[3]]
    assert SessionNote.goals_addressed.through.objects.count() == goal_links
    assert ClaimLine.objects.filter(note__in=SessionNote.objects.all()).count() == claim_lines > 0
    assert ContentType.objects.get(app_label="notes", model="sessionnote").pk == old_type
    assert not ContentType.objects.filter(app_label="participants", model="sessionnote").exists()

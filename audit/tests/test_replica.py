"""The replica router (audit.replica) on its own: which reads may leave the primary.

The test settings have a replica: a second connection to the test database (TEST MIRROR)."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from audit.replica import REPLICA, ReplicaRouter, reading_from_replica

router = ReplicaRouter()
THROUGH_REPLICA = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def test_reads_leave_the_primary_only_inside_reading_from_replica():
    assert router.db_for_read(AuditEvent) == "default"
    with reading_from_replica():
        assert router.db_for_read(AuditEvent) == REPLICA
        assert router.db_for_read(Session) == "default"  # a new session may not be there yet
        assert router.db_for_write(AuditEvent) == "default"
    assert router.db_for_read(AuditEvent) == "default"


def test_the_replica_is_never_migrated():
    assert router.allow_migrate(REPLICA, "audit") is False
    assert router.allow_migrate("default", "audit") is True


@THROUGH_REPLICA
def test_a_read_inside_a_transaction_stays_on_the_primary():
    primary, replica = CaptureQueriesContext(connections["default"]), CaptureQueriesContext(connections[REPLICA])
    with primary, replica, reading_from_replica():
        AuditEvent.objects.count()
        with transaction.atomic():
            AuditEvent.objects.exists()
    assert [q["sql"] for q in replica.captured_queries] == ['SELECT COUNT(*) AS "__count" FROM "audit_auditevent"']
    assert any("audit_auditevent" in q["sql"] and "LIMIT 1" in q["sql"] for q in primary.captured_queries)


@THROUGH_REPLICA
def test_a_row_read_on_the_replica_is_read_again_from_the_primary_after_the_block(django_user_model):
    user = django_user_model.objects.create(email="pat@example.org")
    with reading_from_replica():
        on_replica = django_user_model.objects.get(pk=user.pk)
    assert on_replica._state.db == REPLICA
    with CaptureQueriesContext(connections[REPLICA]) as replica:
        on_replica.refresh_from_db()
        on_replica.groups.count()
    assert replica.captured_queries == []

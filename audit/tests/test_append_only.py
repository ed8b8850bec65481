"""The audit log is evidence (45 CFR 164.312(b)): the database refuses to change or remove a
row whoever asks. Each test tries, and the row is still there unchanged afterwards."""

import pytest
from django.db import InternalError, connection, transaction
from django.db.models import ProtectedError

from audit.context import AuditContext
from audit.models import AuditEvent, AuditSubject
from audit.services import audit_record
from audit.tests.reading import TAMPERING_SQL


@pytest.fixture
def row(db):
    return audit_record(
        action=AuditEvent.Action.VIEW, ctx=AuditContext(actor=None), actor_label="x@example.org", participants=[7]
    )


def test_it_refuses_an_update_through_the_orm(row):
    row.actor_label = "someone.else@example.org"
    with pytest.raises(InternalError, match="Cannot update or delete"), transaction.atomic():
        row.save()
    assert AuditEvent.objects.get(pk=row.pk).actor_label == "x@example.org"


def test_it_refuses_a_queryset_update(row):
    with pytest.raises(InternalError, match="Cannot update or delete"), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).update(details={"forged": True})
    assert AuditEvent.objects.get(pk=row.pk).details == {}


def test_it_refuses_a_delete_through_the_orm_and_the_queryset(row):
    # The ORM stops first (a row's subjects PROTECT it); the trigger stops what gets past.
    with pytest.raises(ProtectedError), transaction.atomic():
        row.delete()
    with pytest.raises(InternalError, match="Cannot update or delete"), transaction.atomic():
        AuditSubject.objects.all().delete()
    bare = audit_record(action=AuditEvent.Action.LOGOUT, ctx=AuditContext(actor=None))  # about no one
    with pytest.raises(InternalError, match="Cannot update or delete"), transaction.atomic():
        AuditEvent.objects.filter(pk=bare.pk).delete()
    assert AuditEvent.objects.filter(pk__in=[row.pk, bare.pk]).count() == 2 and row.subjects.exists()


def test_it_refuses_raw_sql_update_delete_and_truncate(row):
    with connection.cursor() as cursor:  # settle the row's deferred FK check so TRUNCATE may run
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    refused = "Cannot update or delete|cannot be truncated"
    for sql in TAMPERING_SQL:
        with pytest.raises(InternalError, match=refused), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT participant_id FROM audit_auditsubject")
        assert cursor.fetchall() == [(7,)]
    assert AuditEvent.objects.get(pk=row.pk).actor_label == "x@example.org"


def test_the_admin_offers_no_change_or_delete(admin_client, row):
    response = admin_client.post(f"/django-admin/audit/auditevent/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code in (403, 302)
    assert AuditEvent.objects.filter(pk=row.pk).exists()


def test_transactional_tests_still_flush_between_tests(transactional_db):
    # The root conftest lets only the test teardown's flush through the TRUNCATE trigger;
    # without it this test's teardown errors.
    audit_record(action=AuditEvent.Action.VIEW, ctx=AuditContext(actor=None))

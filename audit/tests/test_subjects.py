"""An audit row's subjects are written by one statement of their own, as many as there are:
the participant's page and every other audited read pay two round trips for their audit row
(the row and its subjects), not four (bulk_create's own BEGIN and COMMIT)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.context import AuditContext
from audit.models import AuditEvent, AuditSubject
from audit.services import audit_record


# Transactional: inside a test's transaction bulk_create would open no transaction of its own.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("participants", [[7], [9, 3, 5]])
def test_the_row_and_its_subjects_are_two_statements(participants):
    with CaptureQueriesContext(connection) as written:
        event = audit_record(action=AuditEvent.Action.VIEW, ctx=AuditContext(actor=None), participants=participants)
    assert [q["sql"].split()[:3] for q in written.captured_queries] == [
        ["INSERT", "INTO", '"audit_auditevent"'],
        ["INSERT", "INTO", "audit_auditsubject"],
    ]
    assert sorted(AuditSubject.objects.filter(event=event).values_list("participant_id", flat=True)) == sorted(
        participants
    )


@pytest.mark.django_db
def test_a_row_about_no_one_has_no_subjects():
    with CaptureQueriesContext(connection) as written:
        event = audit_record(action=AuditEvent.Action.LOGOUT, ctx=AuditContext(actor=None))
    assert len(written.captured_queries) == 1 and not event.subjects.exists()

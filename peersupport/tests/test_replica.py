"""The read replica (audit.replica): the outcome dashboard, its downloads and a report's
figures read through "replica"; every write, the audit rows among them, goes to "default".

The test settings' replica is a second connection to the test database (TEST MIRROR), so the
queries each connection ran show where a read went. transaction=True: that connection sees
only committed rows, as a real replica does, and the router reads inside a transaction from
"default", so these tests must run outside one."""

import datetime
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from audit.context import AuditContext
from audit.models import AuditEvent
from outcomes.tests.dashboard_cohort import simple_cohort
from reports import services, tasks
from reports.models import Report

THROUGH_REPLICA = pytest.mark.django_db(transaction=True, databases=["default", "replica"])
# Tables only the figures read: a SELECT of one of them shows where the aggregates ran.
FIGURE_TABLES = ('"outcomes_checkin"', '"outcomes_assessment"', '"notes_sessionnote"')


@pytest.fixture(autouse=True)
def _role_groups():
    # A transactional test before this one emptied the tables, the groups a migration made too.
    for role in Role:
        Group.objects.get_or_create(name=role)


@contextmanager
def on_each_connection():
    """The queries the primary and the replica connection each run inside the block."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        yield primary, replica


def figure_reads(captured) -> list[str]:
    sql = [q["sql"] for q in captured.captured_queries]
    return [s for s in sql if s.startswith("SELECT") and any(table in s for table in FIGURE_TABLES)]


def writes(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]


@THROUGH_REPLICA
def test_the_outcome_dashboard_reads_its_figures_through_the_replica(client, admin_user, program, peer, team):
    simple_cohort(program, peer, 4)
    client.force_login(admin_user)
    with on_each_connection() as (primary, replica):
        response = client.get(reverse("outcomes:dashboard"), {"program": program.pk})
    assert response.status_code == 200
    assert response.context["data"].rows  # figures came back: the replica saw the committed cohort
    assert figure_reads(replica) != []
    assert figure_reads(primary) == []
    assert writes(replica) == []


@THROUGH_REPLICA
def test_a_dashboard_download_reads_the_replica_and_writes_its_audit_row_to_the_primary(
    client, admin_user, program, peer, team
):
    simple_cohort(program, peer, 3)
    client.force_login(admin_user)
    with on_each_connection() as (primary, replica):
        response = client.get(reverse("outcomes:dashboard_csv"), {"program": program.pk})
    assert response.status_code == 200
    assert figure_reads(replica) != [] and figure_reads(primary) == []
    assert writes(replica) == []
    assert any('INTO "audit_audit' in sql for sql in writes(primary))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, details__record="outcome dashboard CSV").exists()


@THROUGH_REPLICA
def test_a_report_reads_its_figures_through_the_replica_and_stores_them_on_the_primary(admin_user, program, peer, team):
    simple_cohort(program, peer, 2)
    ctx = AuditContext(actor=admin_user, user_agent="pytest")
    conf = tasks.generate_report.app.conf
    before, conf.task_always_eager = conf.task_always_eager, True  # the run happens here, after commit
    try:
        with on_each_connection() as (primary, replica):
            report = services.report_request(
                program=program, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 10, 31), ctx=ctx
            )
    finally:
        conf.task_always_eager = before
    report.refresh_from_db()
    assert (report.status, report.error) == (Report.Status.READY, "")
    assert figure_reads(replica) != [] and figure_reads(primary) == []
    # The claim, the progress, the stored figures and the request's audit row: all on the primary.
    assert writes(replica) == []
    assert any('UPDATE "reports_report"' in sql and '"status" = ' in sql for sql in writes(primary))
    assert any('INTO "audit_audit' in sql for sql in writes(primary))


@THROUGH_REPLICA
def test_without_a_replica_the_dashboard_reads_the_primary_and_works(client, admin_user, program, peer, team, settings):
    # No REPLICA_DATABASE_URL: settings add no router (peersupport.settings.backends), so
    # reading_from_replica() changes nothing.
    settings.DATABASE_ROUTERS = []
    simple_cohort(program, peer, 2)
    client.force_login(admin_user)
    with on_each_connection() as (primary, replica):
        response = client.get(reverse("outcomes:dashboard"), {"program": program.pk})
    assert response.status_code == 200 and response.context["data"].rows
    assert figure_reads(primary) != [] and replica.captured_queries == []

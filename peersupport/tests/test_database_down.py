"""FAULT: the database connection is cut in the middle of a request (a restart, a failover).
The person gets a 503 page asking them to try again, and nothing of the request is saved.

A second connection holds a lock on the audit table, so the request stops after writing its
record and before writing its audit row (the same transaction); that connection then ends the
request's backend with pg_terminate_backend, as a PostgreSQL restart would."""

import threading

import psycopg2
import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from audit.tests.waiting import wait_until
from peersupport.errors import server_error
from reports.models import Report


def _connect():
    s = connection.settings_dict
    return psycopg2.connect(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"]
    )


def _cut_when_waiting(pid: int, ready: threading.Event, done: list) -> None:
    locker, killer = _connect(), _connect()
    killer.autocommit = True
    try:
        locker.cursor().execute("LOCK TABLE audit_auditevent IN EXCLUSIVE MODE")  # reads go on; inserts wait
        ready.set()
        cursor = killer.cursor()

        def waiting_on_the_lock() -> bool:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
            return bool(row) and row[0] == "Lock"

        wait_until(waiting_on_the_lock, timeout=30, what="the request to wait on the audit table")
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        done.append(cursor.fetchone()[0])
    finally:
        locker.rollback()
        locker.close()
        killer.close()


@pytest.mark.django_db(transaction=True)
def test_a_connection_cut_mid_request_answers_503_and_saves_nothing(admin_user, program):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    audit_rows = AuditEvent.objects.count()
    ready, done = threading.Event(), []
    cutter = threading.Thread(target=_cut_when_waiting, args=(pid, ready, done))
    cutter.start()
    try:
        assert ready.wait(timeout=30)
        response = client.post(
            reverse("reports:report_generate"), {"month-program": program.pk, "month-month": "2026-10"}
        )
    finally:
        cutter.join(timeout=60)
    assert done == [True]
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "Nothing from it was saved" in response.content.decode()
    # The handler closed the dead connection: this one is new, and sees no half-written request.
    assert not Report.objects.exists()
    assert AuditEvent.objects.count() == audit_rows


@pytest.mark.parametrize(("error", "status"), [(OperationalError("gone"), 503), (ValueError("a bug"), 500)])
def test_only_a_lost_database_is_503_other_errors_stay_500(rf, error, status):
    try:
        raise error
    except Exception:
        response = server_error(rf.get("/"))
    assert response.status_code == status

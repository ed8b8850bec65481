"""INTEGRATION: a real Celery worker (celery's test worker, in a thread of this process)
consuming from the real Redis broker, making a report asked for through report_request.

transaction=True: the worker's own database connection sees only committed rows, and
report_request queues its task after commit."""

import datetime

import pytest
from celery.contrib.testing.worker import start_worker

from audit.context import AuditContext
from audit.tests.waiting import wait_until
from reports import services, tasks
from reports.models import Report

# The project's app (peersupport/celery.py; this app may not import peersupport by name).
app = tasks.generate_report.app


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_a_requested_report_ready(program, admin_user):
    assert app.main == "peersupport" and app.conf.task_always_eager is False  # through Redis, not in-process
    ctx = AuditContext(actor=admin_user, user_agent="pytest")
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=20):
        report = services.report_request(
            program=program, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 10, 31), ctx=ctx
        )

        def finished() -> bool:
            report.refresh_from_db()
            return report.status in (Report.Status.READY, Report.Status.FAILED)

        wait_until(finished, timeout=60, what="the worker to finish the report")
    assert (report.status, report.error, report.attempts, report.progress) == (Report.Status.READY, "", 1, 100)
    assert report.has_files and len(report.figures["sections"]) == 6

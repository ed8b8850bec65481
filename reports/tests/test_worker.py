"""INTEGRATION: a real Celery worker (celery's test worker, in a thread of this process)
consuming from the real Redis broker, making a report asked for through report_request.

transaction=True: the worker's own database connection sees only committed rows, and
report_request queues its task after commit."""

import datetime
import os
import subprocess
import sys

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


def test_a_worker_loads_weasyprint_when_it_starts_not_on_its_first_report():
    """A fresh interpreter, as a worker's main process is: importing the tasks leaves WeasyPrint
    out (the web processes import them to queue reports), and the worker's start loads it, once,
    before its pool forks, so no report pays the import (0.5 to 1 s)."""
    script = (
        "import sys, django; django.setup(); from celery.signals import worker_init; import reports.tasks; "
        "before = 'weasyprint' in sys.modules; worker_init.send(sender=None); "
        "print(before, 'weasyprint' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "peersupport.settings.test"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]

"""FAULT: a real worker process killed (SIGKILL) in the middle of a report.

The report is left neither duplicated nor stuck "running": the same message delivered again
(acks_late: Redis hands an unacknowledged message to another worker) takes the run over once
the killed worker's hard time limit has passed, and makes the one report, once; a run nobody
takes over is failed by the stale sweep. The workers are real `celery worker` processes on a
redis-server of the test's own; a second connection holds a lock on the enrollments table so
the first worker is killed while it is counting, after it claimed the run."""

import datetime
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from audit.context import AuditContext
from audit.tests.private_redis import celery_broker, private_redis
from audit.tests.waiting import wait_until
from reports import services, tasks
from reports.models import Report

app = tasks.generate_report.app
ROOT = Path(settings.BASE_DIR)


def _worker(broker_url: str) -> subprocess.Popen:
    s = connection.settings_dict
    database = (
        f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "peersupport.settings.test",
        "DATABASE_URL": database,
        "CELERY_BROKER_URL": broker_url,
    }
    command = [str(Path(sys.executable).with_name("celery")), "-A", "peersupport", "worker", "--pool=solo"]
    command += ["--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel=WARNING"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.kill()
    worker.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_report_leaves_one_report_and_none_running(program, admin_user):
    ctx = AuditContext(actor=admin_user, user_agent="pytest")
    locker = connection.copy()  # its own connection: the lock outlives nothing but this test
    with private_redis() as redis, celery_broker(app, redis.url):
        redis.start()
        first = second = None
        try:
            locker.connect()
            locker.set_autocommit(False)
            locker.cursor().execute("LOCK TABLE participants_enrollment IN ACCESS EXCLUSIVE MODE")
            first = _worker(redis.url)
            report = services.report_request(
                program=program, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 10, 31), ctx=ctx
            )

            def counting() -> bool:
                report.refresh_from_db()
                return report.status == Report.Status.RUNNING and report.stage.startswith("Counting")

            wait_until(counting, timeout=60, what="the first worker to claim the run and start counting")
            first.send_signal(signal.SIGKILL)  # mid-report: it holds the run, blocked counting
            first.wait(timeout=30)
            locker.rollback()  # the lock goes; the killed worker's query has no one to answer

            report.refresh_from_db()
            assert (report.status, report.attempts, report.generated_at) == (Report.Status.RUNNING, 1, None)
            token = str(report.run_token)
            # A new worker gets the message again (acks_late): before the killed worker's hard time
            # limit it must not touch the run, which might still be going.
            assert services.report_generate(report.pk, token) is False
            # Past the hard time limit the killed worker is surely gone: the redelivery takes over.
            limit = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
            Report.objects.filter(pk=report.pk).update(started_at=timezone.now() - limit)
            second = _worker(redis.url)
            tasks.generate_report.delay(report.pk, token)
            tasks.generate_report.delay(report.pk, token)  # and a duplicate delivery on top

            def finished() -> bool:
                report.refresh_from_db()
                return report.status in (Report.Status.READY, Report.Status.FAILED)

            wait_until(finished, timeout=90, what="the second worker to finish the report")
        finally:
            for worker in (first, second):
                if worker is not None:
                    _stop(worker)
            locker.close()
    assert Report.objects.filter(program=program).count() == 1
    assert (report.status, report.attempts, report.error) == (Report.Status.READY, 2, "")
    assert report.has_files and len(report.figures["sections"]) == 6


@pytest.mark.django_db
def test_a_killed_run_nobody_takes_over_is_failed_by_the_sweep_not_left_running(program, settings):
    started = timezone.now() - datetime.timedelta(minutes=settings.REPORT_STALE_MINUTES + 1)
    report = Report.objects.create(
        program=program, period_start=datetime.date(2026, 10, 1), period_end=datetime.date(2026, 10, 31),
        status=Report.Status.RUNNING, started_at=started, attempts=1,
    )  # fmt: skip
    assert tasks.fail_stale_reports() == 1
    report.refresh_from_db()
    assert (report.status, report.error) == (Report.Status.FAILED, services.STALE_REASON)
    assert services.report_generate(report.pk, str(report.run_token)) is False
